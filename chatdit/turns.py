"""Running one turn of a Session through the graph, and recording how it ended: done (the head
moves to it, or it is kept as a branch), failed or cancelled (its pictures kept as attempts)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from chatdit.answers import Answers
from chatdit.errors import ChatditError, TurnCancelled
from chatdit.redact import redact
from chatdit.schema import Asset, Critique, Instruction, Plan, Turn

if TYPE_CHECKING:
    from chatdit.session import EventHandler, Session


def run_turn(session: Session, turn: Turn, graph_input: Any, config: dict, on_event: EventHandler | None,
             answers: Answers, *, branch: bool = False) -> Turn:
    """Stream the graph for one turn, answering its questions, and record how it ended."""
    from langgraph.types import Command

    from chatdit.dit.sources import preflight
    from chatdit.state import TurnRuntime

    session._cancel.clear()
    handler = on_event or (lambda event: None)
    try:
        preflight(session.settings, custom_pipeline=session._pipeline is not None)
    except ChatditError as exc:
        close_failed_turn(session, turn, exc)
        raise
    runtime = TurnRuntime(store=session.store, settings=session.settings, hub=session.hub, cancel=session._cancel)
    app = session._graph_app()
    try:
        while True:
            question = None
            for mode, chunk in app.stream(graph_input, config, context=runtime, stream_mode=["updates", "custom"]):
                if mode == "custom":
                    handler(chunk)
                elif "__interrupt__" in chunk:
                    question = chunk["__interrupt__"][0].value
            if question is None:
                break
            graph_input = Command(resume=answers.answer(question, handler))
            config = session._config(turn.thread_id)
    except BaseException as exc:
        session._cancel.set()  # a node still running in another thread stops at its next step
        close_failed_turn(session, turn, exc)
        raise
    return close_done_turn(session, turn, branch=branch)

def close_done_turn(session: Session, turn: Turn, *, branch: bool = False) -> Turn:
    """The finished turn filled from the graph state; the head moves to it unless it is a branch."""
    from chatdit.agents.responder import best_assets

    state = session._graph_app().get_state(session._config(turn.thread_id))
    values = state.values
    attempts = [Asset.model_validate(a) for a in values.get("assets") or []]
    critiques = [Critique.model_validate(c) for c in values.get("critiques") or []]
    turn.instruction = Instruction.model_validate(values["instruction"])
    turn.plan = Plan.model_validate(values["plan"])
    turn.attempts, turn.critiques = attempts, critiques
    turn.assets = best_assets(attempts, critiques)
    turn.reply, turn.status = values.get("reply", ""), "done"
    if values.get("story_title") and not session.record.title_by_person:
        session.record.title = values["story_title"]
    turn.checkpoint_id = state.config["configurable"]["checkpoint_id"]
    if branch:
        turn.reply += (f"\n(Finished the interrupted turn as a branch: newer turns were made since, so the "
                       f"history still ends at turn {session.record.head}; continue from this one with branch {turn.id}.)")
    else:
        session.record.head = turn.id
    session.store.save(session.record)
    return turn

def close_failed_turn(session: Session, turn: Turn, exc: BaseException) -> None:
    """Record why the turn stopped, keeping what it drew as attempts so no picture is orphaned."""
    if isinstance(exc, KeyboardInterrupt | TurnCancelled):
        turn.status, turn.error = "cancelled", str(exc) or "cancelled"
    else:
        turn.status = "failed"
        turn.error = str(exc) if isinstance(exc, ChatditError) else f"{exc.__class__.__name__}: {exc}"
    turn.error = redact(turn.error)
    turn.reply = turn.error
    try:
        values = session._graph_app().get_state(session._config(turn.thread_id)).values
        if values.get("turn_id") == turn.id:
            turn.attempts = [Asset.model_validate(a) for a in values.get("assets") or []]
    except (ChatditError, sqlite3.Error, ValueError):
        pass  # the error being recorded may be the damaged database itself
    session.store.save(session.record)
