"""Progress events a turn emits while it runs; the TUI and scripts subscribe to them.

They are small pydantic models so a front end can render them without knowing the graph.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Literal

from pydantic import BaseModel

from chatdit.schema import Asset, Critique, Instruction, Plan, Turn


class Parsed(BaseModel):
    type: Literal["parsed"] = "parsed"
    instruction: Instruction


class Planned(BaseModel):
    type: Literal["planned"] = "planned"
    plan: Plan
    round: int = 0


class StepStarted(BaseModel):
    type: Literal["step_started"] = "step_started"
    step_id: str
    tool: str
    purpose: str
    index: int
    total: int


class Denoising(BaseModel):
    """One denoising step done; eta_s is the estimated seconds left in this step."""

    type: Literal["denoising"] = "denoising"
    step_id: str
    done: int
    total: int
    eta_s: float | None = None


class StepFinished(BaseModel):
    """A step's outputs are stored; seconds is the time spent inside the tool (the pipelines)."""

    type: Literal["step_finished"] = "step_finished"
    step_id: str
    seconds: float
    outputs: int


class AssetMade(BaseModel):
    type: Literal["asset"] = "asset"
    asset: Asset


class Critiqued(BaseModel):
    type: Literal["critique"] = "critique"
    critique: Critique
    page: int | None = None


class Notice(BaseModel):
    """Something the person should see that is not an error (fallbacks, skipped words)."""

    type: Literal["notice"] = "notice"
    level: Literal["info", "warning"] = "info"
    message: str


class TurnFinished(BaseModel):
    """The last event of Session.stream: the finished turn, as Session.chat returns it."""

    type: Literal["turn_finished"] = "turn_finished"
    turn: Turn


Event = Parsed | Planned | StepStarted | Denoising | StepFinished | AssetMade | Critiqued | Notice


def stream_events(run: Callable[[Callable[[Event], None]], Turn], cancel: Callable[[], None]) -> Iterator[Event | TurnFinished]:
    """Run a turn (`run(on_event)`) on a worker thread and yield its events as they come, then a
    TurnFinished; an error in the turn is raised here. Leaving the loop early cancels the turn."""
    events: queue.Queue = queue.Queue()
    done = object()

    def work() -> None:
        try:
            events.put(TurnFinished(turn=run(events.put)))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            events.put(exc)
        finally:
            events.put(done)

    worker = threading.Thread(target=work, name="chatdit-stream", daemon=True)
    worker.start()
    try:
        while (item := events.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if worker.is_alive():
            cancel()
            worker.join()
