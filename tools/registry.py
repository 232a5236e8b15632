"""The tool registry: every DiT capability is a plain function with a pydantic args model.

Tools know nothing about chat or sessions. They get validated args and a ToolContext (the
model hub, progress and cancel hooks, a way to load earlier assets) and return ToolOutputs;
the executor turns those into content-addressed Assets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from chatdit.errors import ToolArgumentError, validation_problems
from chatdit.schema import Scene, ToolCall

if TYPE_CHECKING:
    from chatdit.tools.generate import Panel
    from PIL import Image

    from chatdit.dit.hub import ModelHub

ProgressFn = Callable[[int, int], None]
"""Called after each denoising step with (step done, total steps)."""


@dataclass
class ToolContext:
    hub: "ModelHub"
    load_image: Callable[[str], "Image.Image"]
    """Returns the pixels of an earlier asset by id."""
    workdir: Path
    """Where a tool may write intermediate files (videos); inside the session folder."""
    progress: ProgressFn = lambda done, total: None
    cancel: threading.Event = field(default_factory=threading.Event)


@dataclass
class ToolOutput:
    """One produced image (or a file, for video), with what the provenance record needs."""

    image: "Image.Image | None" = None
    file: Path | None = None
    kind: str = "image"
    page: int | None = None
    prompt: str | None = None
    seed: int | None = None
    steps: int | None = None
    parents: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


ToolFn = Callable[[Any, ToolContext], list[ToolOutput]]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    args_model: type[BaseModel]
    run: ToolFn
    description: str


TOOLS: dict[str, ToolSpec] = {}


def register(name: str, args_model: type[BaseModel]) -> Callable[[ToolFn], ToolFn]:
    """Decorator adding a tool; its docstring's first line becomes the planner-facing description."""

    def add(fn: ToolFn) -> ToolFn:
        description = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else name
        TOOLS[name] = ToolSpec(name=name, args_model=args_model, run=fn, description=description)
        return fn

    return add


def load_builtin_tools() -> dict[str, ToolSpec]:
    """Import the tool modules so they register themselves (kept lazy: they import torch)."""
    import importlib

    for module in BUILTIN_TOOL_MODULES:
        importlib.import_module(f"chatdit.tools.{module}")
    return TOOLS


BUILTIN_TOOL_MODULES: list[str] = ["generate", "group", "reference", "edit", "inpaint", "repair", "layout", "faceswap", "lora"]


def validate_args(tool: str, args: dict[str, Any]) -> BaseModel:
    """The tool's args model filled from a plan step, or a ToolArgumentError saying what is wrong."""
    spec = TOOLS.get(tool)
    if spec is None:
        raise ToolArgumentError(f"unknown tool {tool!r}; known tools: {', '.join(sorted(TOOLS))}")
    try:
        return spec.args_model(**args)
    except ValidationError as exc:
        raise argument_error(f"tool {tool!r}", exc) from exc


def argument_error(what: str, exc: ValidationError) -> ToolArgumentError:
    """Tool arguments that failed their model (when planned or run), said in one line."""
    return ToolArgumentError(f"{what} got invalid arguments: {validation_problems(exc)}")


def args_of(call: ToolCall) -> BaseModel:
    """A planned call's arguments as its tool's model: how plans are read, never by string keys."""
    load_builtin_tools()
    return validate_args(call.tool, call.args)


def panels_of(call: ToolCall) -> list[Panel]:
    """The panels a call draws jointly (group, reference, incontext); none for other tools."""
    return list(getattr(args_of(call), "panels", []))


def with_panel_prompts(call: ToolCall, prompts: list[str]) -> ToolCall:
    """The call with its panels drawn from these prompts (a blank one keeps the panel's own)."""
    args = args_of(call)
    if not hasattr(args, "panels"):
        return call
    panels = [panel.model_copy(update={"prompt": new or panel.prompt}) for panel, new in zip(args.panels, prompts)]
    return ToolCall.of(call.tool, args.model_copy(update={"panels": panels + args.panels[len(panels):]}))


def with_understood_rewrites(call: ToolCall, proposed: ToolCall | None,
                             understand: Callable[[str], Scene | None]) -> tuple[ToolCall, list[BaseModel]]:
    """(the approved call, what a person rewrote: panels, or a one-picture call's arguments, each
    with its prompt, page and scene): each panel (or one-picture prompt) whose words a person
    rewrote carries the scene `understand` (the parser) read from them, so the model draws what
    they wrote, not the scene understood before."""
    args = args_of(call)
    before = args_of(proposed) if proposed is not None and proposed.tool == call.tool else None
    if hasattr(args, "panels"):
        old = [panel.prompt for panel in getattr(before, "panels", [])]
        panels = [panel if index < len(old) and panel.prompt == old[index] else
                  panel.model_copy(update={"scene": understand(panel.prompt)}) for index, panel in enumerate(args.panels)]
        rewritten = [panel for panel, was in zip(panels, args.panels) if panel is not was]
        return ToolCall.of(call.tool, args.model_copy(update={"panels": panels})), rewritten
    if hasattr(args, "scene") and args.prompt and args.prompt != getattr(before, "prompt", None):
        args = args.model_copy(update={"scene": understand(args.prompt)})
        return ToolCall.of(call.tool, args), [args]
    return call, []


def run_tool(tool: str, args: dict[str, Any] | BaseModel, ctx: ToolContext) -> list[ToolOutput]:
    """Run a tool on plain arguments (validated here) or on its own, already validated, model."""
    return TOOLS[tool].run(validate_args(tool, args) if isinstance(args, dict) else args, ctx)
