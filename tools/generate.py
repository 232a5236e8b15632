"""Text-to-image tools: one picture (`generate`) or several drawn jointly on one canvas (`group`).

A group is one DiT call over a row of panels with a joint caption (ChatDiT / In-Context LoRA):
attention across the panels is what keeps a character the same from page to page.
"""

from __future__ import annotations

from chatdit.tools.registry import ToolContext, ToolOutput, register
from pydantic import BaseModel, ConfigDict, Field

from chatdit.dit.canvas import Grid, fit_grid
from chatdit.dit.hub import snap_size
from chatdit.errors import ToolArgumentError
from chatdit.schema import Scene

MAX_SEED = 2**32 - 1


class SizeArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    width: int | None = Field(default=None, ge=16, le=4096, description="panel width; the model's default if None")
    height: int | None = Field(default=None, ge=16, le=4096)
    steps: int | None = Field(default=None, ge=1, le=200)

    def panel_size(self, ctx: ToolContext) -> tuple[int, int]:
        return (snap_size(self.width or ctx.hub.info.width, "width"),
                snap_size(self.height or ctx.hub.info.height, "height"))


SCENE_HELP = "what it shows, as understood (subjects, setting); None: a grounded model reads the prompt's words"


class GenerateArgs(SizeArgs):
    prompt: str = Field(min_length=1)
    page: int | None = Field(default=None, ge=1)
    scene: Scene | None = Field(default=None, description=SCENE_HELP)


class Panel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1)
    page: int | None = Field(default=None, ge=1)
    scene: Scene | None = Field(default=None, description=SCENE_HELP)


class GroupArgs(SizeArgs):
    panels: list[Panel] = Field(min_length=1)


def check_panel_count(ctx: ToolContext, panels: int) -> None:
    if panels > ctx.hub.info.max_panels:
        raise ToolArgumentError(f"{panels} panels on one canvas; {ctx.hub.info.name} draws at most "
                                f"{ctx.hub.info.max_panels} jointly (the planner splits longer books)")


def check_canvas(ctx: ToolContext, panels: int, width: int, height: int) -> None:
    """One canvas holds at most the model's max_panels and 4 megapixels (beyond that DiTs fall apart)."""
    check_panel_count(ctx, panels)
    if panels * width * height > 4 * 1024 * 1024:
        raise ToolArgumentError(f"a {panels}-panel canvas of {width}x{height} panels is over 4 megapixels; "
                                "ask for smaller pictures")


def joint_grid(ctx: ToolContext, count: int, width: int, height: int) -> Grid:
    """The canvas `count` panels of about width x height are drawn on: a row, or a 2x2 grid on
    models that draw grids, panels shrunk to the model's canvas budget (FLUX.1: 2 MP)."""
    check_panel_count(ctx, count)
    info = ctx.hub.info
    return fit_grid(count, width, height, info.max_canvas_pixels, info.canvas_grid)


@register("generate", GenerateArgs)
def generate(args: GenerateArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Draw one picture from a text prompt."""
    width, height = args.panel_size(ctx)
    check_canvas(ctx, 1, width, height)
    pipe = ctx.hub.text2image()
    kwargs = ctx.hub.call_kwargs(pipe, width=width, height=height, seed=args.seed, steps=args.steps,
                                 progress=ctx.progress, cancel=ctx.cancel, prompt=args.prompt, scenes=[args.scene or args.prompt])
    image = ctx.hub.draw(pipe, kwargs)
    return [ToolOutput(image=image, page=args.page, prompt=args.prompt, seed=args.seed,
                       steps=kwargs["num_inference_steps"])]
