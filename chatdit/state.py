"""The graph's state and its run-time context.

State is plain JSON (the SQLite checkpointer stores it after every node): ids, prompts and
pydantic dumps, never pixels. Turn fields are reset by every new message; session fields
(book, cards, last) carry across turns and are what undo and branching travel back through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from chatdit.config import Settings
from chatdit.store import SessionStore


class TurnState(TypedDict, total=False):
    # this turn
    turn_id: str
    message: str
    uploads: list[dict[str, Any]]  # {"asset_id", "path"} of attached files, already stored
    instruction: dict[str, Any] | None
    plan: dict[str, Any] | None
    step_index: int
    assets: list[dict[str, Any]]  # every attempt's Asset dumps
    critiques: list[dict[str, Any]]
    round: int
    rounds: int  # the retry budget this turn was started with
    reply: str
    person_texts: dict[str, str | None]  # str(page) -> text the person set at plan approval
    story_title: str | None  # the title a new book gets from its story
    # the session so far
    turn_count: int
    book: dict[str, dict[str, Any]]  # str(page) -> PageEntry dump
    cards: dict[str, dict[str, Any]]  # name -> CharacterCard dump
    last: dict[str, Any] | None  # LastOutput dump


def new_turn_input(turn_id: str, message: str, uploads: list[dict[str, Any]], rounds: int) -> TurnState:
    """The state update that starts a turn: every turn field reset, session fields kept."""
    return TurnState(turn_id=turn_id, message=message, uploads=uploads, instruction=None, plan=None,
                     step_index=0, assets=[], critiques=[], round=0, rounds=rounds, reply="",
                     person_texts={}, story_title=None)


@dataclass
class TurnRuntime:
    """What nodes need that is not state: where to write, settings, the models, the cancel flag."""

    store: SessionStore
    settings: Settings
    hub: Callable[[], Any]
    """Returns the session's ModelHub, loading it on first use."""
    cancel: threading.Event = field(default_factory=threading.Event)
