"""Progress events a turn emits while it runs; the TUI and scripts subscribe to them.

They are small pydantic models so a front end can render them without knowing the graph.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from chatdit.schema import Asset, Critique, Instruction, Plan


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


Event = Parsed | Planned | StepStarted | Denoising | StepFinished | AssetMade | Critiqued | Notice
