"""Region edits: redraw only the masked part of a picture, keep every other pixel as it was.

The mask comes from boxes (a person's, or the critic's localisation of what is wrong) or from a
named object the offline detector can find. The DiT draws the masked region with the prompt while
attending to the rest (FluxFillPipeline where the model has a Fill transformer, FluxInpaintPipeline
at strength 1 on nano), and the untouched pixels are pasted back exactly.
"""

from __future__ import annotations

from chatdit.tools.generate import SizeArgs
from chatdit.tools.registry import ToolContext, ToolOutput, register
from pydantic import Field, field_validator, model_validator

from chatdit.errors import ToolArgumentError
from chatdit.schema import Box, EditSpec, Scene, unit_box


class InpaintArgs(SizeArgs):
    image: str = Field(description="asset id of the picture to change")
    prompt: str = Field(min_length=1, description="what the whole picture should show once changed")
    boxes: list[Box] = Field(default_factory=list, description="normalised xyxy regions to redraw")
    object: str | None = Field(default=None, description="redraw this object instead of boxes ('the fox', 'red circle')")
    page: int | None = Field(default=None, ge=1)
    grow: float = Field(default=0.0, ge=0, le=0.25, description="grow each box by this share of the side")
    spec: EditSpec | None = Field(default=None, description="the change asked for; its object is redrawn when no boxes or object are given")
    scene: Scene | None = Field(default=None, description="what the whole picture should show, understood; None: the prompt's words")

    @field_validator("boxes")
    @classmethod
    def _boxes_inside(cls, boxes: list[Box]) -> list[Box]:
        return [unit_box(box) for box in boxes]

    @model_validator(mode="after")
    def _something_to_redraw(self) -> InpaintArgs:
        if not self.boxes and not self.object and self.spec is not None and self.spec.noun:
            self.object = " ".join(filter(None, [self.spec.color if self.spec.kind != "recolor" else None, self.spec.noun]))
        if not self.boxes and not self.object:
            raise ValueError("say what to redraw: boxes (normalised xyxy) or an object name")
        return self


def object_boxes(image, name: str, unlike: str | None = None) -> list[Box]:
    """Boxes of a named object in a storybook-world picture, found by the world detector; with
    `unlike`, only those not already of that color (a recolor leaves the blue foxes alone)."""
    from chatdit.critics.world import applies
    from chatdit.storybook import world_color, world_kind
    from chatdit.storybook.detector import detect_scene

    words = name.lower().replace("the ", "").split()
    kind = world_kind(words[-1]) if words else None
    color = next((world_color(w) for w in words[:-1] if world_color(w)), None)
    if kind is None or not applies(image):
        raise ToolArgumentError(f"cannot find {name!r} in this picture offline; give the region as a box instead")
    scene = detect_scene(image)
    found = scene.find(kind, color) if color else scene.find(kind)
    found = [o for o in found if o.color != world_color(unlike or "")] or found
    if not found:
        raise ToolArgumentError(f"there is no {name} in this picture to redraw; give the region as a box instead")
    return [tuple(v / scene.width if i % 2 == 0 else v / scene.height for i, v in enumerate(o.bbox)) for o in found]


def box_mask(size: tuple[int, int], boxes: list[Box], grow: float = 0.0):
    from PIL import Image, ImageDraw

    width, height = size
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    for x0, y0, x1, y1 in boxes:
        gx, gy = (x1 - x0) * grow, (y1 - y0) * grow
        draw.rectangle([max(0, (x0 - gx) * width), max(0, (y0 - gy) * height),
                        min(width, (x1 + gx) * width) - 1, min(height, (y1 + gy) * height) - 1], fill=255)
    return mask


def redraw_masked(ctx: ToolContext, image, mask, prompt: str, seed: int, steps: int | None, scene: Scene | None = None):
    """The fill pipeline over the masked region at the image's (grid-snapped) size, pasted back;
    a grounded model draws what `scene` asks for there (the prompt's words where it is None)."""
    from PIL import Image

    from chatdit.dit.hub import snap_size

    width, height = snap_size(image.width, "width"), snap_size(image.height, "height")
    source = image.convert("RGB").resize((width, height)) if (width, height) != image.size else image.convert("RGB")
    mask = mask.resize((width, height)) if mask.size != (width, height) else mask
    pipe = ctx.hub.fill()
    pipe.set_progress_bar_config(disable=True)  # chatdit reports progress itself
    kwargs = ctx.hub.call_kwargs(pipe, width=width, height=height, seed=seed, steps=steps, progress=ctx.progress,
                                 cancel=ctx.cancel, prompt=prompt, image=source, mask_image=mask, strength=1.0,
                                 scenes=[scene or prompt])
    drawn = ctx.hub.draw(pipe, kwargs)
    return Image.composite(drawn.convert("RGB"), source, feathered(mask)), kwargs["num_inference_steps"]


def feathered(mask):
    """The mask with edges that fade in over a few pixels inside it, so the redrawn region blends
    in instead of showing as a patch; outside the mask nothing changes."""
    from PIL import ImageChops, ImageFilter

    radius = max(1, round(min(mask.size) / 64))
    hard = mask.convert("L")
    soft = hard.filter(ImageFilter.MinFilter(2 * radius + 1)).filter(ImageFilter.GaussianBlur(radius))
    return ImageChops.darker(soft, hard)


@register("inpaint", InpaintArgs)
def inpaint(args: InpaintArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Redraw only a region of an earlier picture (boxes or a named object); the rest stays as it was."""
    image = ctx.load_image(args.image)
    recolor = args.spec.color if args.spec and args.spec.kind == "recolor" else None
    boxes = list(args.boxes) or object_boxes(image, args.object or "", unlike=recolor)
    mask = box_mask(image.size, boxes, args.grow)
    result, steps = redraw_masked(ctx, image, mask, args.prompt, args.seed, args.steps, args.scene)
    return [ToolOutput(image=result, page=args.page, prompt=args.prompt, seed=args.seed, steps=steps,
                       parents=[args.image], meta={"boxes": [list(b) for b in boxes], "edit": "inpaint"})]
