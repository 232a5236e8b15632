"""The chatdit loop as a LangGraph StateGraph; it reads like the diagram in the README:

    parse -> plan -> approve -> execute (once per step) -> critic -> respond
                                   ^                           |
                                   +--------- retry <----------+  (failing outputs, rounds left)
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
    """Retry while something failed and the round budget allows; else reply with the best."""
    if state.get("round", 0) + 1 >= state.get("rounds", 1):
        return "respond"
    return "retry" if nodes.failing_step_ids(state) else "respond"


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
    graph.add_edge("approve", "execute")
    graph.add_conditional_edges("execute", route_after_execute)
    graph.add_conditional_edges("critic", route_after_critic)
    graph.add_edge("retry", "execute")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer)

