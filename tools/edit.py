"""Instruction editing: "make the sky darker", "the fox should be smaller".

With a Kontext model (FLUX.1-Kontext-dev, or the tiny test model) the instruction goes straight
to FluxKontextPipeline. Models without one (nano) edit through the fill path: the part the
instruction names (the sky, the ground, an object the detector finds) is masked and redrawn
from the new prompt; an instruction that names no part re-renders the whole picture through
img2img at `strength`, which keeps its layout.
"""

from __future__ import annotations

import re

from pydantic import Field

from chatdit.errors import ToolArgumentError
from chatdit.tools.generate import SizeArgs
from chatdit.tools.inpaint import box_mask, object_boxes, redraw_masked
from chatdit.tools.registry import ToolContext, ToolOutput, register

SKY_WORDS = ("sky", "clouds", "air")
GROUND_WORDS = ("ground", "grass", "floor", "sea", "water", "snow", "field")
OBJECT_MARGIN = 0.2
"""A named object's box is grown by this share of its side: the detector's box is tight, and the
old color left on its rim reads as the old object (a red ring round the new blue fox)."""


class EditArgs(SizeArgs):
    image: str = Field(description="asset id of the picture to change")
    instruction: str = Field(min_length=1, description="the change, as the person said it")
    prompt: str | None = Field(default=None, description="what the changed picture shows (fill/img2img path)")
    page: int | None = Field(default=None, ge=1)
    strength: float = Field(default=0.65, gt=0, le=1, description="img2img strength when no part is named")


def named_region(instruction: str, image) -> tuple[str, list] | None:
    """(what, boxes) for the part of the picture an instruction names, if it names one."""
    from chatdit.dit.nano.world import HORIZON
    from chatdit.edits import recolor_of

    words = set(re.findall(r"[a-z]+", instruction.lower()))
    if words & set(SKY_WORDS):
        return "sky", [(0.0, 0.0, 1.0, HORIZON)]
    if words & set(GROUND_WORDS):
        return "ground", [(0.0, HORIZON, 1.0, 1.0)]
    recolor = recolor_of(instruction)
    for word in re.findall(r"[a-z]+", instruction.lower()):
        try:
            return word, object_boxes(image, word, unlike=recolor.color if recolor else None)
        except ToolArgumentError:
            continue
    return None


@register("edit", EditArgs)
def edit(args: EditArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Change an earlier picture as instructed ('make the sky darker'), keeping the rest."""
    image = ctx.load_image(args.image).convert("RGB")
    prompt = args.prompt or args.instruction
    kontext = ctx.hub.kontext()
    meta = {"instruction": args.instruction}
    if kontext is not None:
        from chatdit.dit.hub import snap_size

        width, height = snap_size(image.width, "width"), snap_size(image.height, "height")
        kwargs = ctx.hub.call_kwargs(kontext, width=width, height=height, seed=args.seed, steps=args.steps,
                                     progress=ctx.progress, cancel=ctx.cancel, image=image,
                                     max_area=width * height, _auto_resize=False)
        result, steps, meta["edit"] = ctx.hub.draw(kontext, {**kwargs, "prompt": args.instruction}), kwargs["num_inference_steps"], "kontext"
    elif (region := named_region(args.instruction, image)) is not None:
        what, boxes = region
        grow = 0.0 if what in ("sky", "ground") else OBJECT_MARGIN
        result, steps = redraw_masked(ctx, image, box_mask(image.size, boxes, grow), prompt, args.seed, args.steps)
        meta.update(edit="fill", region=what)
    else:
        from chatdit.dit.hub import snap_size

        width, height = snap_size(image.width, "width"), snap_size(image.height, "height")
        pipe = ctx.hub.img2img()
        pipe.set_progress_bar_config(disable=True)
        kwargs = ctx.hub.call_kwargs(pipe, width=width, height=height, seed=args.seed, steps=args.steps,
                                     progress=ctx.progress, cancel=ctx.cancel, image=image.resize((width, height)),
                                     strength=args.strength, prompt=prompt)
        result, steps, meta["edit"] = ctx.hub.draw(pipe, kwargs), kwargs["num_inference_steps"], "img2img"
    return [ToolOutput(image=result, page=args.page, prompt=prompt, seed=args.seed, steps=steps,
                       parents=[args.image], meta=meta)]
