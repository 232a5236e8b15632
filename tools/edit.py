"""Instruction editing: "make the sky darker", "add a yellow sun", "move the fox to the left".

With a Kontext model (FLUX.1-Kontext-dev, or the tiny test model) the instruction goes straight
to FluxKontextPipeline. Models without one (nano) do what the `EditSpec` asks:
- on a storybook-world picture, tone, remove, move and resize are pixel edits
  (`chatdit.vision.world_edits`): the flat world lets them be exact, and a redraw would redraw
  what should stay;
- add draws the new object through the fill path in a free spot where it belongs (a sun in the
  sky, a house on the ground, or the place named), checked by the world detector after each try
  and tried again at other free spots with a new seed until it is seen there (`tries`);
- a recolor masks the object and redraws it;
- a change that names no part re-renders the whole picture through img2img at `strength`,
  which keeps its layout.
"""

from __future__ import annotations

from chatdit.tools.generate import SizeArgs
from chatdit.tools.inpaint import box_mask, object_boxes, redraw_masked
from chatdit.tools.registry import ToolContext, ToolOutput, register
from pydantic import Field

from chatdit.errors import ToolArgumentError
from chatdit.schema import EditSpec, Scene

OBJECT_MARGIN = 0.2
"""A named object's box is grown by this share of its side: the detector's box is tight, and the
old color left on its rim reads as the old object (a red ring round the new blue fox)."""
ADD_GAP = 6
"""Pixels kept between an added object's spot and what the picture shows (the world detector
reads two touching things of one color as one)."""
_TARGETS = {"darker": (0, 0, 0), "brighter": (255, 255, 255)}


class EditArgs(SizeArgs):
    image: str = Field(description="asset id of the picture to change")
    instruction: str = Field(min_length=1, description="the change, as the person said it")
    spec: EditSpec | None = Field(default=None, description="the change, understood; read from `instruction` if absent")
    prompt: str | None = Field(default=None, description="what the changed picture shows (fill/img2img path)")
    scene: Scene | None = Field(default=None, description="what the changed picture shows, understood (fill path); None: the prompt's words")
    page: int | None = Field(default=None, ge=1)
    strength: float = Field(default=0.65, gt=0, le=1, description="img2img strength when no part is named")
    tries: int = Field(default=3, ge=1, le=8, description="an add on a storybook-world picture: fill calls, each at "
                                                          "new free spots with a new seed, until the detector sees it done")


def _part_box(part: str) -> list:
    from chatdit.storybook import HORIZON

    return [(0.0, 0.0, 1.0, HORIZON)] if part == "sky" else [(0.0, HORIZON, 1.0, 1.0)]


def add_box(spec: EditSpec, scene) -> tuple:
    """Where an add belongs (normalised xyxy): against the thing it is placed by when the picture
    shows it ('a sun above the fox': above the fox, in the sky where that has room), else in the
    sky, on the ground or at the place named."""
    from chatdit.critics.world import add_area, relation_area, world_kind

    band = add_area(spec.part, spec.place)
    kind = world_kind(spec.target or "")
    if spec.relation is None or kind is None or not (others := scene.find(kind)):
        return band
    x0, y0, x1, y1 = against = relation_area(spec.relation, others)
    both = (max(x0, band[0]), max(y0, band[1]), min(x1, band[2]), min(y1, band[3]))
    return both if both[3] - both[1] >= 0.2 and both[2] - both[0] >= 0.2 else against


def _add_boxes(spec: EditSpec, image, tried: tuple = ()) -> list:
    """Free spots for the new objects where they belong: in the sky, on the ground, or the place
    named; away from the spots of earlier `tried` tries where the area has room."""
    from chatdit.critics.world import _grow, free_spot
    from chatdit.storybook.detector import detect_scene

    scene = detect_scene(image)
    area = add_box(spec, scene)
    around = [_grow(o.bbox, ADD_GAP) for o in scene.objects]  # a new star drawn touching the moon reads as one blob
    around += list(tried)
    spots: list = []
    for _ in range(min(spec.count, 4)):
        spots.append(free_spot(scene, area, around + spots))
    return spots


def named_region(spec: EditSpec, image) -> tuple[str, list] | None:
    """(what, boxes) of the part of the picture a change redraws through the fill path, if any."""

    if spec.part in ("sky", "ground") and spec.kind in ("tone", "recolor"):
        return spec.part, _part_box(spec.part)
    if spec.noun and spec.kind != "add":
        name = " ".join(filter(None, [None if spec.kind == "recolor" else spec.color, spec.noun]))
        return spec.noun, object_boxes(image, name, unlike=spec.color if spec.kind == "recolor" else None)
    return None


def _objects(spec: EditSpec, scene, where: str) -> list:
    from chatdit.critics.world import world_color, world_kind

    kind = world_kind(spec.noun or "")
    if kind is None:
        raise ToolArgumentError(f"cannot find {spec.noun!r} {where} offline; name a thing the picture shows")
    found = scene.find(kind, world_color(spec.color)) if world_color(spec.color) else scene.find(kind)
    if not found:
        raise ToolArgumentError(f"there is no {spec.noun} {where} to {spec.kind}; name a thing the picture shows")
    return found


def pixel_edit(spec: EditSpec, image, where: str = "in this picture") -> tuple | None:
    """(picture, meta) for a change the world lets a tool make pixel-exactly, or None."""
    from PIL import ImageColor

    from chatdit.critics.world import applies
    from chatdit.storybook import COLORS
    from chatdit.storybook.detector import detect_scene
    from chatdit.vision import world_edits

    if not applies(image):
        return None
    if spec.kind == "tone" and spec.part != "object" and spec.direction in _TARGETS:
        result, strength = world_edits.tone(image, spec.part, _TARGETS[spec.direction])
        return result, {"region": spec.part, "strength": strength}
    if spec.kind == "recolor" and spec.part in ("sky", "ground") and spec.color:
        target = COLORS.get(spec.color) or ImageColor.getrgb(spec.color)
        result, strength = world_edits.tone(image, spec.part, target)
        return result, {"region": spec.part, "strength": strength}
    if spec.kind not in ("remove", "move", "resize") or not spec.noun:
        return None
    scene = detect_scene(image)
    objects = _objects(spec, scene, where)
    meta = {"region": spec.noun, "objects": len(objects)}
    if spec.kind == "remove":
        return world_edits.remove(image, objects, scene), meta
    if spec.kind == "resize" and spec.direction in world_edits.SCALE:
        return world_edits.resize(image, objects, scene, world_edits.SCALE[spec.direction]), meta
    if spec.kind == "move" and spec.direction in ("left", "right", "up", "down"):
        from chatdit.critics.world_edit import MOVE_MARGIN

        offset = world_edits.move_offset(objects, scene, spec.direction, image.size)
        if max(map(abs, offset)) < MOVE_MARGIN * (image.width if offset[0] else image.height):
            edge = {"up": "top", "down": "bottom"}.get(spec.direction, spec.direction)
            raise ToolArgumentError(f"the {spec.noun} {where} is already at the {edge} edge; there is no room to move it "
                                    f"{spec.direction} (only {max(map(abs, offset))} px)")
        return world_edits.move(image, objects, scene, offset), {**meta, "offset": list(offset)}
    return None


@register("edit", EditArgs)
def edit(args: EditArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Change an earlier picture as instructed ('make the sky darker'), keeping the rest."""
    from chatdit.edits import edit_spec_of

    image = ctx.load_image(args.image).convert("RGB")
    spec = args.spec or edit_spec_of(args.instruction)
    prompt = args.prompt or args.instruction
    kontext = ctx.hub.kontext()
    meta = {"instruction": args.instruction, "kind": spec.kind}
    steps = 0
    if kontext is not None:
        from chatdit.dit.hub import snap_size

        width, height = snap_size(image.width, "width"), snap_size(image.height, "height")
        kwargs = ctx.hub.call_kwargs(kontext, width=width, height=height, seed=args.seed, steps=args.steps,
                                     progress=ctx.progress, cancel=ctx.cancel, image=image,
                                     max_area=width * height, _auto_resize=False)
        result, steps, meta["edit"] = ctx.hub.draw(kontext, {**kwargs, "prompt": args.instruction}), kwargs["num_inference_steps"], "kontext"
    elif (done := pixel_edit(spec, image, f"on page {args.page}" if args.page else "in this picture")) is not None:
        result, extra = done
        meta.update(edit="pixels", **extra)
    elif spec.kind == "add" and spec.noun and (world := _world_edits(image)) is not None:
        result, steps, extra = _add_in_world(ctx, args, spec, image, prompt, world)
        meta.update(edit="fill", region=f"new {spec.noun}", **extra)
    elif (region := named_region(spec, image)) is not None:
        what, boxes = region
        grow = OBJECT_MARGIN if spec.kind == "recolor" and spec.part == "object" else 0.0
        mask = box_mask(image.size, boxes, grow)
        result, steps = redraw_masked(ctx, image, mask, prompt, args.seed, args.steps, args.scene)
        meta.update(edit="fill", region=what, boxes=[list(b) for b in boxes])
    else:
        result, steps = _img2img(ctx, image, prompt, args)
        meta["edit"] = "img2img"
    return [ToolOutput(image=result, page=args.page, prompt=prompt, seed=args.seed, steps=steps,
                       parents=[args.image], meta=meta)]


ADD_SEED_STRIDE = 7919
"""Seed step between an add's tries (a new seed draws a new object, not the same one elsewhere)."""


def _add_in_world(ctx: ToolContext, args: EditArgs, spec: EditSpec, image, prompt: str, world) -> tuple:
    """(picture, steps, meta) of an add: the new objects drawn through the fill path in free spots
    where they belong, only what the detector reads as the kind kept. Each try is judged by the
    edit critic's own detector: what it added is kept when it adds more of the kind where it
    belongs and keeps everything else; the rest is tried again at other free spots with a new
    seed (one bird of two drawn: the second is drawn elsewhere), up to `tries` fill calls."""
    from chatdit.critics.world_edit import added_count, edit_checks
    from chatdit.storybook.detector import detect_scene
    from chatdit.storybook.reading import world_kind

    before, current, tried, kept_boxes, steps, calls = detect_scene(image), image, [], [], 0, 0
    while calls < args.tries and (have := added_count(spec, before, detect_scene(current))) < spec.count:
        boxes = _add_boxes(spec.model_copy(update={"count": spec.count - have}), current, tuple(tried))
        tried += boxes
        mask = box_mask(image.size, boxes)
        drawn, used = redraw_masked(ctx, current, mask, prompt, (args.seed + ADD_SEED_STRIDE * calls) % 2**32, args.steps, args.scene)
        steps, calls = steps + used, calls + 1
        result = world.keep_drawn(drawn, current, mask, world_kind(spec.noun))
        if added_count(spec, before, detect_scene(result)) > have and \
                all(c.verdict != "fail" for c in edit_checks(image, result, spec)[1:]):
            current, kept_boxes = result, kept_boxes + boxes
    return current, steps, {"boxes": [list(b) for b in kept_boxes or tried], "tries": calls}


def _world_edits(image):
    """The pixel-edit module when the picture is in the storybook world, else None."""
    from chatdit.critics.world import applies
    from chatdit.vision import world_edits

    return world_edits if applies(image) else None


def _img2img(ctx: ToolContext, image, prompt: str, args: EditArgs):
    from chatdit.dit.hub import snap_size

    width, height = snap_size(image.width, "width"), snap_size(image.height, "height")
    pipe = ctx.hub.img2img()
    pipe.set_progress_bar_config(disable=True)
    kwargs = ctx.hub.call_kwargs(pipe, width=width, height=height, seed=args.seed, steps=args.steps,
                                 progress=ctx.progress, cancel=ctx.cancel, image=image.resize((width, height)),
                                 strength=args.strength, prompt=prompt)
    return ctx.hub.draw(pipe, kwargs), kwargs["num_inference_steps"]
