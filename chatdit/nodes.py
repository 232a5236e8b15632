"""The graph's nodes: each one adapts state to an agent's function and back, nothing more.

Nodes emit progress events through LangGraph's custom stream; the Session forwards them to
whoever listens (the TUI, a script's callback).
"""

from __future__ import annotations

import time
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from chatdit.errors import TurnCancelled
from chatdit.events import AssetMade, Critiqued, Event, Notice, Parsed, Planned, StepFinished, StepStarted
from chatdit.schema import Asset, CharacterCard, Critique, Instruction, PageEntry, Plan, ToolCall
from chatdit.state import TurnRuntime, TurnState


def emit(event: Event) -> None:
    get_stream_writer()(event)


def book_of(state: TurnState) -> dict[int, PageEntry]:
    return {int(page): PageEntry.model_validate(entry) for page, entry in (state.get("book") or {}).items()}


def cards_of(state: TurnState) -> dict[str, CharacterCard]:
    return {name: CharacterCard.model_validate(card) for name, card in (state.get("cards") or {}).items()}


def assets_of(state: TurnState) -> list[Asset]:
    return [Asset.model_validate(asset) for asset in state.get("assets") or []]


def check_cancel(runtime: Runtime[TurnRuntime]) -> None:
    if runtime.context.cancel.is_set():
        raise TurnCancelled("cancelled; the session is as it was before this message")


def parse(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    from chatdit.agents.parser import ParseContext, parse_message
    from chatdit.llm.base import get_backend

    check_cancel(runtime)
    last = state.get("last") or {}
    context = ParseContext(pages=sorted(book_of(state)), last_asset_id=last.get("asset_id"),
                           characters=sorted(cards_of(state)), asset_count=state.get("turn_count", 0))
    paths = [upload["path"] for upload in state.get("uploads") or []]
    instruction = parse_message(state["message"], paths, context, backend=get_backend(runtime.context.settings))
    emit(Parsed(instruction=instruction))
    return {"instruction": instruction.model_dump(mode="json")}


def plan_context(state: TurnState, runtime: Runtime[TurnRuntime]):
    from chatdit.agents.planner import InputAsset, LastOutput, PlanContext

    settings = runtime.context.settings
    instruction = Instruction.model_validate(state["instruction"])
    asset_by_path = {upload["path"]: upload["asset_id"] for upload in state.get("uploads") or []}
    inputs = [InputAsset(asset_id=asset_by_path[item.path], role=item.role)
              for item in instruction.inputs if item.path in asset_by_path]
    last = state.get("last")
    return PlanContext(
        book=book_of(state), cards=cards_of(state), inputs=inputs,
        last=LastOutput.model_validate(last) if last else None,
        seed=settings.seed + 7919 * state.get("turn_count", 0),
        width=settings.width, height=settings.height, steps=settings.steps,
    )


def plan(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    from chatdit.agents.planner import plan_instruction

    check_cancel(runtime)
    made = plan_instruction(Instruction.model_validate(state["instruction"]), plan_context(state, runtime))
    emit(Planned(plan=made))
    return {"plan": made.model_dump(mode="json"), "step_index": 0}


def approve(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    """Plan approval (setting plan_approval): pause before any generation for the person's word."""
    if not runtime.context.settings.plan_approval or state.get("round", 0) > 0:
        return {}
    decision = interrupt({"plan": state["plan"]})
    if not decision or decision.get("action") == "cancel":
        raise TurnCancelled("the plan was not approved; nothing was generated")
    if decision.get("plan"):
        return {"plan": Plan.model_validate(decision["plan"]).model_dump(mode="json")}
    return {}


def execute(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    """Run the next step of the plan (one step per node, so a crash loses at most one step)."""
    from chatdit.agents.executor import run_step

    check_cancel(runtime)
    current = Plan.model_validate(state["plan"])
    index = state.get("step_index", 0)
    step = current.steps[index]
    emit(StepStarted(step_id=step.id, tool=step.call.tool, purpose=step.purpose, index=index, total=len(current.steps)))
    started = time.perf_counter()
    made = run_step(step, store=runtime.context.store, hub=runtime.context.hub(), made=assets_of(state),
                    book=book_of(state), turn_id=state["turn_id"], attempt=state.get("round", 0),
                    cancel=runtime.context.cancel, emit=emit)
    emit(StepFinished(step_id=step.id, seconds=time.perf_counter() - started, outputs=len(made)))
    for asset in made:
        emit(AssetMade(asset=asset))
    return {"assets": list(state.get("assets") or []) + [a.model_dump(mode="json") for a in made], "step_index": index + 1}


def critic(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    from chatdit.agents.critic import critique_structure

    current = Plan.model_validate(state["plan"])
    made = critique_structure(current, assets_of(state), runtime.context.store, attempt=state.get("round", 0))
    for critique in made:
        emit(Critiqued(critique=critique))
    return {"critiques": list(state.get("critiques") or []) + [c.model_dump(mode="json") for c in made]}


def retry(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    """Plan the failing steps again with fresh seeds; earlier attempts stay as assets."""
    current = Plan.model_validate(state["plan"])
    next_round = state.get("round", 0) + 1
    failing = failing_step_ids(state)
    steps = [
        step.model_copy(update={"call": ToolCall(tool=step.call.tool, args={**step.call.args, "seed": int(step.call.args.get("seed", 0)) + 1000 * next_round})})
        for step in current.steps if step.id in failing
    ]
    emit(Notice(level="warning", message=f"round {next_round + 1}: retrying {len(steps)} step(s) that failed the checks"))
    retried = Plan(steps=steps, rationale=f"retry round {next_round}")
    emit(Planned(plan=retried, round=next_round))
    return {"plan": retried.model_dump(mode="json"), "step_index": 0, "round": next_round}


def failing_step_ids(state: TurnState) -> set[str]:
    this_round = state.get("round", 0)
    assets = {asset.id: asset for asset in assets_of(state)}
    failing = set()
    for critique in (Critique.model_validate(c) for c in state.get("critiques") or []):
        if critique.attempt == this_round and not critique.passed:
            asset = assets.get(critique.asset_id)
            failing.add(asset.step_id if asset else _step_of_missing(state, critique))
    return failing


def _step_of_missing(state: TurnState, critique: Critique) -> str:
    current = Plan.model_validate(state["plan"])
    for step in current.steps:
        if any(check.name in (f"page {p}" for p in step.pages) or check.name == f"output of step {step.id}" for check in critique.checks):
            return step.id
    return current.steps[0].id


def respond(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    from chatdit.agents.responder import finish_turn

    return finish_turn(state)
