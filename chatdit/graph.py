"""The chatdit loop as a LangGraph StateGraph; it reads like the diagram in the README:

    parse -> plan -> approve -> execute (once per step) -> critic -> respond
                                   ^                           |
                                   +--------- retry <----------+  (failing outputs, rounds and time left)

The critic decides whether another round is worth it (agents/reflection.should_retry: something
failed, a round is left, the slowest round so far fits in the time budget); retry picks a
strategy per failing output (inpaint the wrong region, redraw next to the last attempt, revise
the prompt, new seed).
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph

from chatdit import nodes
from chatdit.state import TurnRuntime, TurnState


def route_after_execute(state: TurnState) -> Literal["execute", "critic"]:
    """Keep executing until every step of the plan has run."""
    steps = (state.get("plan") or {}).get("steps", [])
    return "execute" if state.get("step_index", 0) < len(steps) else "critic"


def route_after_critic(state: TurnState) -> Literal["retry", "respond"]:
    """Retry when the critic found failures and budget for another round; else reply with the best."""
    return "retry" if (state.get("reflection") or {}).get("next") == "retry" else "respond"


def build_graph(checkpointer=None):
    graph = StateGraph(TurnState, context_schema=TurnRuntime)
    graph.add_node("parse", nodes.parse)
    graph.add_node("plan", nodes.plan)
    graph.add_node("approve", nodes.approve)
    graph.add_node("execute", nodes.execute)
    graph.add_node("critic", nodes.critic)
    graph.add_node("retry", nodes.retry)
    graph.add_node("respond", nodes.respond)

    graph.add_edge(START, "parse")
    graph.add_edge("parse", "plan")
    graph.add_edge("plan", "approve")
    graph.add_conditional_edges("approve", route_after_execute)  # a plan with no steps (a page removed) goes on to respond
    graph.add_conditional_edges("execute", route_after_execute)
    graph.add_conditional_edges("critic", route_after_critic)
    graph.add_edge("retry", "execute")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer)

