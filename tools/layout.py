"""Layout-to-image: phrases in boxes, drawn by one DiT call under regional attention.

Boxes are normalised xyxy (0..1, origin top left), at most ten as in CreatiLayout; `order` ranks
them front to back (0 = frontmost) so overlaps are settled on purpose, not by chance. The mask
is training-free (chatdit/dit/regional.py) and goes through joint_attention_kwargs, so any Flux
model can take it; a model whose chatdit.json says `regional_attention: false` (nano, where
bench/layout.py measures that the mask hurts) gets each phrase with its place in words instead.
"""

from __future__ import annotations

from chatdit.tools.generate import SizeArgs, check_canvas
from chatdit.tools.registry import ToolContext, ToolOutput, register
from pydantic import Field, field_validator

from chatdit.dit.regional import Region, front_to_back, layout_attention
from chatdit.schema import LayoutBox

MAX_BOXES = 10


class LayoutArgs(SizeArgs):
    boxes: list[LayoutBox] = Field(min_length=1, max_length=MAX_BOXES,
                                   description="phrases in normalised xyxy boxes; order 0 is frontmost")
    prompt: str = Field(default="", description="what holds everywhere: background, light, style")
    page: int | None = Field(default=None, ge=1)

    @field_validator("boxes")
    @classmethod
    def phrases_present(cls, boxes: list[LayoutBox]) -> list[LayoutBox]:
        for index, box in enumerate(boxes):
            if not box.phrase.strip(" ,."):
                raise ValueError(f"box {index + 1} has no phrase: say what goes in it ('a red fox')")
        return boxes


@register("layout", LayoutArgs)
def layout(args: LayoutArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Draw one picture with each phrase inside its box, front-to-back order settling overlaps."""
    width, height = args.panel_size(ctx)
    check_canvas(ctx, 1, width, height)
    regions = [Region(phrase=box.phrase, box=box.box, rank=box.order) for box in args.boxes]
    pipe = ctx.hub.text2image()
    if ctx.hub.info.regional_attention:
        text, regional = layout_attention(pipe, regions, args.prompt, width, height, ctx.hub.info.max_sequence_length)
    else:
        text = in_words(regions, args.prompt)
        regional = {"prompt": text}
    kwargs = ctx.hub.call_kwargs(pipe, width=width, height=height, seed=args.seed, steps=args.steps,
                                 progress=ctx.progress, cancel=ctx.cancel, **regional)
    image = pipe(**kwargs).images[0]
    placed = [{"phrase": r.phrase, "box": list(r.box), "order": r.rank} for r in front_to_back(regions)]
    return [ToolOutput(image=image, page=args.page, prompt=text, seed=args.seed,
                       steps=kwargs["num_inference_steps"],
                       meta={"layout": placed, "regional_attention": ctx.hub.info.regional_attention})]


def place_words(box: tuple[float, float, float, float]) -> str:
    """Where a box is, said as a caption says it: 'in the top left', 'on the right', 'in the middle'."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    across = "left" if x < 0.4 else "right" if x > 0.6 else ""
    down = "top" if y < 0.4 else "bottom" if y > 0.6 else ""
    if across and down:
        return f"in the {down} {across}"
    if across:
        return f"on the {across}"
    return f"at the {down}" if down else "in the middle"


def in_words(regions: list[Region], prompt: str) -> str:
    """The layout as one caption, front to back: 'a red fox in the top left, a tree on the right, night'."""
    return ", ".join([f"{r.phrase} {place_words(r.box)}" for r in front_to_back(regions)] + ([prompt] if prompt else []))
