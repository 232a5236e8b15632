"""The graph's state and its run-time context.

State is plain JSON (the SQLite checkpointer stores it after every node): ids, prompts and
pydantic dumps, never pixels. Turn fields are reset by every new message; session fields
(book, cards, last) carry across turns and are what undo and branching travel back through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, Field

from chatdit.config import Settings
from chatdit.critics.base import Region
from chatdit.schema import Plan
from chatdit.store import SessionStore


class ReflectionState(BaseModel):
    """What the reflection loop keeps between rounds (Reflect-DiT): timing against the budget,
    the turn's first plan, where each attempt is wrong, and the strategy each retry used."""

    started: float | None = None
    round_started: float | None = None
    round_seconds: list[float] = Field(default_factory=list)
    base_plan: Plan | None = Field(default=None, description="the turn's first plan; retries are planned from it")
    regions: dict[str, list[Region]] = Field(default_factory=dict, description="asset id -> regions to redraw")
    unlocalised: dict[str, list[str]] = Field(default_factory=dict, description="asset id -> failing checks no region covers")
    next: Literal["retry", "respond"] | None = None
    why: str = ""
    strategies: list[dict[str, str]] = Field(default_factory=list, description="per round: step id -> strategy")

    @classmethod
    def of(cls, state: TurnState) -> ReflectionState:
        return cls.model_validate(state.get("reflection") or {})

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class TurnState(TypedDict, total=False):
    # this turn
    turn_id: str
    parent_id: str | None  # the turn this one continues from (where an earlier book stays)
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
    # the session so far
    turn_count: int
    book: dict[str, dict[str, Any]]  # str(page) -> PageEntry dump
    cards: dict[str, dict[str, Any]]  # name -> CharacterCard dump
    last: dict[str, Any] | None  # LastOutput dump
    # the reflection loop of this turn
    reflection: dict[str, Any]  # ReflectionState dump


def new_turn_input(turn_id: str, message: str, uploads: list[dict[str, Any]], rounds: int,
                   parent_id: str | None = None) -> TurnState:
    """The state update that starts a turn: every turn field reset, session fields kept."""
    return TurnState(turn_id=turn_id, parent_id=parent_id, message=message, uploads=uploads, instruction=None, plan=None,
                     step_index=0, assets=[], critiques=[], round=0, rounds=rounds, reply="", reflection={})


@dataclass
class TurnRuntime:
    """What nodes need that is not state: where to write, settings, the models, the cancel flag."""

    store: SessionStore
    settings: Settings
    hub: Callable[[], Any]
    """Returns the session's ModelHub, loading it on first use."""
    cancel: threading.Event = field(default_factory=threading.Event)
