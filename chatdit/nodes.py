"""The graph's nodes: each one adapts state to an agent's function and back, nothing more.

Nodes emit progress events through LangGraph's custom stream; the Session forwards them to
whoever listens (the TUI, a script's callback).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from chatdit.errors import ChatditError, ConsentRequiredError, TurnCancelled
from chatdit.events import AssetMade, Critiqued, Event, Notice, Parsed, Planned, StepFinished, StepStarted
from chatdit.schema import Asset, CharacterCard, ConsentRequest, Critique, Instruction, PageEntry, Plan, Scene
from chatdit.state import ReflectionState, TurnRuntime, TurnState


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
    from chatdit.llm.backends import get_backend

    check_cancel(runtime)
    last = state.get("last") or {}
    context = ParseContext(pages=sorted(book_of(state)), last_asset_id=last.get("asset_id"),
                           characters=sorted(cards_of(state)), asset_count=state.get("turn_count", 0))
    paths = [upload["path"] for upload in state.get("uploads") or []]
    instruction = parse_message(state["message"], paths, context, backend=get_backend(runtime.context.settings))
    emit(Parsed(instruction=instruction))
    from chatdit.heroes import hero_subjects

    runtime.context.hub().report_undrawable([s.name for s in hero_subjects(instruction, cards_of(state)).subjects])
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
    from chatdit.agents.planning import plan_instruction

    check_cancel(runtime)
    instruction = Instruction.model_validate(state["instruction"])
    update: dict[str, Any] = {}
    try:
        made = plan_instruction(instruction, plan_context(state, runtime))
    except ConsentRequiredError:
        instruction = instruction.model_copy(update={"consent": True, "consent_note": ask_consent(instruction)})
        update["instruction"] = instruction.model_dump(mode="json")
        made = plan_instruction(instruction, plan_context(state, runtime))
    from chatdit.heroes import hero_subjects, with_hero_photos

    made = with_hero_photos(made, cards_of(state), plan_context(state, runtime).max_panels)
    update["instruction"] = hero_subjects(instruction, cards_of(state)).model_dump(mode="json")  # judged as drawn
    emit(Planned(plan=made))
    return {**update, "plan": made.model_dump(mode="json"), "step_index": 0}


def ask_consent(instruction: Instruction) -> str:
    """Pause the turn to ask whoever runs it (the TUI asks the person) whether the people whose
    faces are attached agreed; who said yes and how, or ConsentRequiredError."""
    from pathlib import Path

    from chatdit.agents.planner_toolkit import CONSENT_MESSAGE

    request = ConsentRequest(faces=[Path(i.path).name for i in instruction.inputs if i.role != "source_video"],
                             video=next((Path(i.path).name for i in instruction.inputs if i.role == "source_video"), None))
    answer = interrupt({"consent": request.model_dump(mode="json")})
    if not (answer or {}).get("consent"):
        raise ConsentRequiredError(CONSENT_MESSAGE)
    return str(answer.get("by") or "answered yes when asked before the swap")


def approve(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    """Plan approval (setting plan_approval): pause before any generation for the person's word."""
    if not runtime.context.settings.plan_approval or state.get("round", 0) > 0 or not (state.get("plan") or {}).get("steps"):
        return {}  # nothing to approve when nothing is drawn (a page removed or moved)
    decision = interrupt({"plan": state["plan"]})
    if not decision or decision.get("action") == "cancel":
        raise TurnCancelled("the plan was not approved; nothing was generated")
    update: dict[str, Any] = {}
    instruction = Instruction.model_validate(state["instruction"])
    if decision.get("plan"):
        approved, instruction = approved_turn(Plan.model_validate(state["plan"]), Plan.model_validate(decision["plan"]),
                                              instruction, understanding(runtime))
        update.update(plan=approved.model_dump(mode="json"), instruction=instruction.model_dump(mode="json"))
    if decision.get("page_texts"):
        texts = {int(number): text for number, text in decision["page_texts"].items()}
        instruction = with_page_texts(instruction, texts)
        update["instruction"] = instruction.model_dump(mode="json")
        update["person_texts"] = {str(number): text for number, text in texts.items()}
    return update


def understanding(runtime: Runtime[TurnRuntime]) -> Callable[[str], Scene | None]:
    """The parser, reading the words a person gave a page at approval as a new message (once);
    None, and the model reads their words, where the parser cannot make a picture of them."""
    from chatdit.agents.parser import parse_message
    from chatdit.llm.backends import get_backend

    def understand(text: str) -> Scene | None:  # the backend is made only when a page was rewritten
        try:
            return parse_message(text, [], None, backend=get_backend(runtime.context.settings)).page_scene(None)
        except ChatditError:
            return None

    return understand


def approved_turn(proposed: Plan, approved: Plan, instruction: Instruction,
                  understand: Callable[[str], Scene | None]) -> tuple[Plan, Instruction]:
    """The approved plan, each panel a person rewrote drawn from the scene understood from their
    words, and the instruction asking for that scene on its page (what the critic judges)."""
    from chatdit.tools.registry import with_understood_rewrites

    before = {step.id: step.call for step in proposed.steps}
    steps, rewritten = [], {}
    for step in approved.steps:
        call, panels = with_understood_rewrites(step.call, before.get(step.id), understand)
        steps.append(step.model_copy(update={"call": call}))
        rewritten.update({panel.page: panel for panel in panels})
    plan = approved.model_copy(update={"steps": steps})
    return plan, with_rewritten_pages(instruction, rewritten) if rewritten else instruction


def with_rewritten_pages(instruction: Instruction, rewritten: dict[int | None, Any]) -> Instruction:
    """The instruction with each page a person rewrote (page number -> its panel, or the one
    picture's arguments under None) asking for what they wrote; the other pages ask for what they did."""
    from chatdit.agents.planner import pages_of

    if None in rewritten and instruction.output_count == 1:
        scene = rewritten[None].scene or Scene()
        return instruction.model_copy(update={"prompt": rewritten[None].prompt, "subjects": scene.subjects,
                                              "background": scene.background})
    numbered = {number: panel for number, panel in rewritten.items() if number is not None}
    if not numbered or not numbered.keys() <= {page.number for page in pages_of(instruction)}:
        return instruction  # not this instruction's pages (an edit's own page): judged as asked
    pages = []
    for page in pages_of(instruction):
        panel, asked = numbered.get(page.number), instruction.scene(page.number)
        scene = (panel.scene or Scene()) if panel else Scene(subjects=asked.subjects, background=asked.background)
        pages.append(page.model_copy(update={"prompt": panel.prompt if panel else page.prompt, "subjects": scene.subjects,
                                             "background": scene.background}))
    return instruction.model_copy(update={"pages": pages})


def with_page_texts(instruction: Instruction, texts: dict[int, str | None]) -> Instruction:
    """The instruction with the page texts a person set at approval (blank or None: no text)."""
    from chatdit.agents.planner import pages_of

    pages = [page.model_copy(update={"text": (texts[page.number] or "").strip() or None}) if page.number in texts else page
             for page in pages_of(instruction)]
    return instruction.model_copy(update={"pages": pages})


def execute(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    """Run the next step of the plan (one step per node, so a crash loses at most one step)."""
    from chatdit.agents.executor import run_step

    check_cancel(runtime)
    current = Plan.model_validate(state["plan"])
    index = state.get("step_index", 0)
    step = current.steps[index]
    clock = {}
    if index == 0:
        info = ReflectionState.of(state) if state.get("round", 0) > 0 else ReflectionState()
        now = time.time()
        info.round_started, info.started = now, info.started or now
        clock = {"reflection": info.dump()}
    emit(StepStarted(step_id=step.id, tool=step.call.tool, purpose=step.purpose, index=index, total=len(current.steps)))
    started = time.perf_counter()
    made = run_step(step, store=runtime.context.store, hub=runtime.context.hub(), made=assets_of(state),
                    book=book_of(state), turn_id=state["turn_id"], attempt=state.get("round", 0),
                    cancel=runtime.context.cancel, emit=emit)
    emit(StepFinished(step_id=step.id, seconds=time.perf_counter() - started, outputs=len(made)))
    for asset in made:
        emit(AssetMade(asset=asset))
    return {"assets": list(state.get("assets") or []) + [a.model_dump(mode="json") for a in made], "step_index": index + 1, **clock}


def critic(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    """Judge this round's outputs (structure, then content when the critic is on) and decide
    whether another round is worth its time."""
    from chatdit.agents.critic import critique_outputs
    from chatdit.agents.reflection import should_retry
    from chatdit.critics import get_critic

    check_cancel(runtime)
    settings = runtime.context.settings
    round_ = state.get("round", 0)
    content_critic = get_critic(settings, notify=lambda message: emit(Notice(level="warning", message=message))) if settings.critic else None
    judged = critique_outputs(Plan.model_validate(state["plan"]), Instruction.model_validate(state["instruction"]),
                              assets_of(state), runtime.context.store, critic=content_critic, attempt=round_,
                              threshold=settings.critic_threshold)
    from chatdit.critics.identity import judge_heroes

    judged = judge_heroes(judged, cards_of(state), runtime.context.store, settings.critic_threshold) if content_critic else judged
    check_cancel(runtime)  # a cancel that came while the critic judged stops the turn here, before any retry
    info = ReflectionState.of(state)
    for judgement in judged:
        emit(Critiqued(critique=judgement.critique, page=judgement.critique.page))
        if judgement.critique.asset_id:
            info.regions[judgement.critique.asset_id] = judgement.regions
            info.unlocalised[judgement.critique.asset_id] = judgement.unlocalised
    now = time.time()
    info.round_seconds.append(now - (info.round_started or now))
    failing = [j for j in judged if not j.critique.passed]
    retry_now, info.why = should_retry(bool(failing), round_, state.get("rounds", 1), now - (info.started or now),
                                       info.round_seconds, settings.time_budget)
    if failing and not retry_now:
        emit(Notice(level="info", message=f"{len(failing)} output(s) still fail the checks; {info.why}: keeping the best attempt"))
    info.next = "retry" if retry_now else "respond"
    return {"critiques": list(state.get("critiques") or []) + [j.critique.model_dump(mode="json") for j in judged],
            "reflection": info.dump()}


def retry(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    """Plan the next attempt of every failing output with a strategy chosen from its critique
    (Reflect-DiT); earlier attempts stay as assets with their critiques."""
    from chatdit.agents.reflection import failing_outputs, plan_reflection

    check_cancel(runtime)
    info = ReflectionState.of(state)
    base = info.base_plan or Plan.model_validate(state["plan"])
    next_round = state.get("round", 0) + 1
    instruction = Instruction.model_validate(state["instruction"])
    critiques = [Critique.model_validate(c) for c in state.get("critiques") or []]
    failing = failing_outputs(base, assets_of(state), critiques, info, state.get("round", 0))
    made, chosen = plan_reflection(failing, instruction, next_round, describe=lambda asset: describe_attempt(asset, state, runtime))
    emit(Planned(plan=made, round=next_round))
    info.base_plan = base
    info.strategies.append(chosen)
    return {"plan": made.model_dump(mode="json"), "step_index": 0, "round": next_round, "reflection": info.dump()}


def what_it_shows(asset: Asset, runtime: Runtime[TurnRuntime]) -> str | None:
    """A storybook-world caption of what a stored picture shows; None outside the world or unreadable."""
    from PIL import Image

    from chatdit.critics.world import describe_scene

    try:
        with Image.open(runtime.context.store.asset_path(asset)) as opened:
            return describe_scene(opened.convert("RGB"))
    except OSError:
        return None


def describe_attempt(asset: Asset, state: TurnState, runtime: Runtime[TurnRuntime]) -> str:
    """The corrective caption of an earlier attempt: what it shows (world pictures), else what was wrong."""
    shown = what_it_shows(asset, runtime)
    if shown:
        return shown
    feedback = next((Critique.model_validate(c).feedback for c in reversed(state.get("critiques") or [])
                     if c.get("asset_id") == asset.id), "")
    return f"an earlier attempt at {asset.prompt or 'the picture'}, which got wrong: {feedback}"


def respond(state: TurnState, runtime: Runtime[TurnRuntime]) -> dict[str, Any]:
    from chatdit.agents.responder import finish_turn
    from chatdit.book.texts import story_update

    return story_update(state, finish_turn(state, reply_facts(state, runtime)), runtime.context.settings,
                        notify=lambda message: emit(Notice(level="warning", message=message)))


def reply_facts(state: TurnState, runtime: Runtime[TurnRuntime]):
    """What the reply must say besides the critiques: the subjects this model cannot draw (the
    hero first) and what the pages that asked for them show instead."""
    from chatdit.agents.reply import ReplyFacts
    from chatdit.agents.responder import best_assets

    instruction = Instruction.model_validate(state["instruction"])
    hub = runtime.context.hub()
    wanted = [s.name for s in sorted(instruction.subjects, key=lambda s: not s.hero)]
    missing = hub.undrawable(wanted)
    shows: dict[int, str] = {}
    critiques = [Critique.model_validate(c) for c in state.get("critiques") or []]
    for asset in best_assets(assets_of(state), critiques):
        scene = instruction.scene(asset.page)
        if asset.page and asset.page not in shows and set(hub.undrawable([s.name for s in scene.subjects])):
            if shown := what_it_shows(asset, runtime):
                shows[asset.page] = shown
    return ReplyFacts(undrawable=missing, shows=shows, model=hub.kind)
