"""Count repair: make the counts and colors the critic found wrong right, keeping the rest.

The critic localises what is wrong as regions (`chatdit.critics.world.localise`): an extra
instance to take away, a wrong-colored one to recolor, a missing one to add in a free spot. On
storybook-world pictures each is done on the pixels (`chatdit.vision.world_edits`): an extra is
painted over with the picture's own background, a wrong color is shifted to the asked one, and a
missing one is a copy of the model's own drawing of that kind, in free space near the spot (smaller
where the picture is crowded). A kind the picture lacks entirely is drawn alone by the model (a
small one-object picture on the same background, up to `draws` model calls) and that drawing is
pasted in, kept only where the world detector then sees one more of the kind. nano's fill path,
asked to draw the missing ones into those spots, made no count right in 16 development scenes. A
fix the pixels cannot make is left for the next round's other strategies; outside the world the
spots are redrawn through the fill path.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Literal

from chatdit.tools.generate import SizeArgs
from chatdit.tools.inpaint import box_mask, redraw_masked
from chatdit.tools.registry import ToolContext, ToolOutput, register
from pydantic import BaseModel, Field

from chatdit.critics.world import DEPTHS, relation_area, relation_holds, stands_at
from chatdit.storybook.vocabulary import RelationName

Box = tuple[float, float, float, float]


class Fix(BaseModel):
    """One region the critic localised: what to do there, to which subject."""

    action: Literal["add", "remove", "redraw", "replace"]
    name: str = Field(min_length=1, description="the subject's noun ('fox')")
    color: str | None = None
    box: Box
    relation: RelationName | None = Field(default=None, description="where an added one goes: 'above' the target, 'behind' it")
    target: str | None = Field(default=None, description="the noun the relation is to ('house')")
    target_color: str | None = None
    place: str | None = Field(default=None, description="the part of the picture it must stand in ('top left')")


class RepairArgs(SizeArgs):
    image: str = Field(description="asset id of the picture to repair")
    prompt: str = Field(min_length=1, description="what the whole picture should show (the fill path's prompt)")
    fixes: list[Fix] = Field(min_length=1)
    page: int | None = Field(default=None, ge=1)
    draws: int = Field(default=2, ge=0, le=8, description="model calls allowed for drawing a missing kind alone")
    background: str | None = Field(default=None, description="the page's setting: what an extra's spot is filled with")


Drawing = tuple[object, object, object]
"""(picture, the object of the kind in it, its detected scene): a kind drawn alone."""
Draw = Callable[[str, str | None], Drawing | None]


def _overlap(a: Box, b: Box) -> float:
    w, h = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def _most_covered(objects, box: Box, size: int):
    """The object the region's box covers most, or None when it covers none."""
    covered = [(_overlap(box, tuple(v / size for v in o.bbox)), o) for o in objects]
    return max((pair for pair in covered if pair[0] > 0), key=lambda pair: pair[0], default=(0, None))[1]


def _at(scene, kind: str, box: Box, color: str | None = None):
    """The detected object of `kind` (and color) that the region's box covers most, or None."""
    return _most_covered(scene.find(kind, color), box, scene.width)


def _unsure_at(scene, box: Box, color: str | None):
    """The object at the box whose shape the detector is unsure of (the misread lookalike), or None."""
    from chatdit.critics.world import UNSURE_SHAPE

    unsure = [o for o in scene.objects if o.score < UNSURE_SHAPE and (color is None or o.color == color)]
    return _most_covered(unsure, box, scene.width)


def repair_world(image, fixes: list[Fix], draw: Draw | None = None) -> tuple[object, list[str]]:
    """(picture, what was done) with each fix the pixels allow; removes and recolors first, so an
    added copy has their room and colors to go by. `draw` draws a kind the picture lacks alone."""
    from chatdit.storybook.detector import detect_scene
    from chatdit.storybook.reading import world_color, world_kind
    from chatdit.vision import world_edits

    done: list[str] = []
    removed: dict[str, Drawing] = {}  # a misplaced one taken away is put back where it belongs (a move)
    for fix in sorted(fixes, key=lambda f: (f.action == "add", f.relation is not None)):  # a relation's target first
        kind, color, scene = world_kind(fix.name), world_color(fix.color), detect_scene(image)
        if kind is None:
            continue
        if fix.action == "remove" and (obj := _at(scene, kind, fix.box, color)) is not None:
            removed.setdefault(kind, (image, obj, scene))
            image = world_edits.remove(image, [obj], scene)
            done.append(f"removed a {obj.color} {kind}")
        elif fix.action == "redraw" and color and (obj := _at(scene, kind, fix.box)) is not None and obj.color != color:
            image = world_edits.recolor(image, obj, scene, color)
            done.append(f"made a {obj.color} {kind} {color}")
        elif fix.action == "replace" and (blob := _unsure_at(scene, fix.box, color)) is not None:
            image = _replace(image, fix, blob, kind, color, scene, draw, done)
        elif fix.action in ("add", "replace"):
            image = _add(image, fix, kind, color, scene, draw, done, removed.get(kind))
    return image, done


def _replace(image, fix: Fix, blob, kind: str, color: str | None, scene, draw: Draw | None, done: list[str]):
    """The picture with a shape the detector is unsure of ('a yellow circle' where a flower was
    asked) redrawn as the kind in its place: a copy of the page's own drawing of it, else the
    model's drawing alone. Never beside it: that left two flowers where one was asked."""
    from chatdit.storybook.detector import detect_scene
    from chatdit.vision import world_edits

    cleared = world_edits.remove(image, [blob], scene)
    cleared_scene = detect_scene(cleared)
    if source := scene.find(kind, color):
        copied = world_edits.copy_into(cleared, max(source, key=lambda o: o.score), cleared_scene, fix.box, None)
        if copied is not None and detect_scene(copied).count(kind, color) > len(source):  # the detector sees it
            done.append(f"redrew a {blob.color} shape read as a {blob.kind} as a {kind}")
            return copied
        return image
    added = _add(cleared, fix, kind, color, cleared_scene, draw, done)
    if added is cleared:
        return image
    done[-1] = f"redrew a {blob.color} shape read as a {blob.kind} as a {kind}"
    return added


def _add(image, fix: Fix, kind: str, color: str | None, scene, draw: Draw | None, done: list[str],
         taken: Drawing | None = None):
    """The picture with one more of the kind: a copy of its cleanest drawing on the page, or of
    the model's drawing of it alone when the page has none, placed where the fix's relation to its
    target says (over or under the target for a depth order); kept only where the world detector
    then counts one more of it (a copy read as something else, or joined to a neighbour, is not)
    and sees the relation hold."""
    from chatdit.storybook.detector import detect_scene
    from chatdit.vision import world_edits

    if source := (scene.find(kind, color) or scene.find(kind)):
        best, picture, drawn_scene, how, side = max(source, key=lambda o: o.score), None, scene, "", None
    elif taken is not None:  # the one taken away from the wrong place
        (picture, best, drawn_scene), how, side = taken, " moved", None
    elif draw is not None and (drawing := draw(kind, color)) is not None:
        (picture, best, drawn_scene), how, side = drawing, " drawn alone", _usual_side(scene, image.width)
    else:
        return image
    recolor = color if color and best.color != color else None
    target = _targets(scene, fix)
    if target and fix.relation in DEPTHS:
        tries = [t for one in target for t in world_edits.paste_overlapping(image, best, drawn_scene, one, fix.relation == "in front of",
                                                                            recolor, source=picture, side=side)]
    else:
        box = relation_area(fix.relation, target) if target else fix.box
        tries = [world_edits.copy_into(image, best, drawn_scene, box, recolor, source=picture, side=side)]
    for copied in (t for t in tries if t is not None):
        after = detect_scene(copied)
        found = after.find(kind, color) if color else after.find(kind)
        if (len(found) > _counted(scene, kind, color) and _kept(scene, after) and (not fix.place or stands_at(found, fix.place))
                and (not target or _placed(after, fix, kind, color, copied))):
            where = f" {fix.relation} the {fix.target}" if target else f" to the {fix.place}" if fix.place else ""
            if how == " moved":  # said once: a move, not a removal and an add
                done.remove(f"removed a {best.color} {kind}")
                done.append(f"moved a {best.color} {kind}{where}")
            else:
                done.append(f"added a {color or best.color} {kind}{how}{where}")
            return copied
    if how == " moved":  # no right place for it: it goes back where it was
        done.remove(f"removed a {best.color} {kind}")
        return world_edits.put_back(image, best, drawn_scene, picture)
    return image


def _counted(scene, kind: str, color: str | None) -> int:
    return scene.count(kind, color) if color else scene.count(kind)


def _targets(scene, fix: Fix) -> list:
    """The detected objects the fix's relation is to (none without a relation or a world kind)."""
    from chatdit.storybook.reading import world_color, world_kind

    if fix.relation is None or fix.target is None or (kind := world_kind(fix.target)) is None:
        return []
    color = world_color(fix.target_color)
    return scene.find(kind, color) if color else scene.find(kind)


def _kept(before, after) -> bool:
    """Whether every kind and color the picture had is still seen as often (a paste over a
    neighbour can make the detector lose it)."""
    counts = lambda scene: Counter((o.kind, o.color) for o in scene.objects)  # noqa: E731
    return not counts(before) - counts(after)


def _placed(scene, fix: Fix, kind: str, color: str | None, image) -> bool:
    """Whether the relation the fix asks for holds in the repaired picture, its target still seen."""
    target = _targets(scene, fix)
    return bool(target) and relation_holds(fix.relation, scene.find(kind, color) if color else scene.find(kind), target, image)


def _usual_side(scene, width: int) -> float:
    """The longest side, in the picture's pixels, a pasted drawing of a new kind may have: the
    page's objects' median (a lone drawing is often bigger than the page's), within the world's
    small and large sizes."""
    from statistics import median

    from chatdit.storybook import SIZES

    sides = [max(o.bbox[2] - o.bbox[0], o.bbox[3] - o.bbox[1]) for o in scene.objects]
    side = min(max(median(sides), SIZES["small"]), SIZES["large"]) if sides else SIZES["medium"]
    return side * width / scene.width


def drawer(ctx: ToolContext, args: RepairArgs, image, calls: list[int]) -> Draw:
    """Draws a kind alone on the picture's background, at most `args.draws` model calls in all
    (each appended to `calls`), one drawing per kind and color reused for every copy."""
    from chatdit.tools.registry import run_tool

    from chatdit.dit.nano.prompts import scene_asking
    from chatdit.storybook import ObjectSpec, SceneSpec, caption
    from chatdit.storybook.detector import detect_scene

    background, made = detect_scene(image).background, {}

    def draw(kind: str, color: str | None) -> Drawing | None:
        while (kind, color) not in made and len(calls) < args.draws:
            seed = (args.seed + 7 * len(calls) + 1) % 2**32
            spec = SceneSpec(background=background, objects=[ObjectSpec(kind=kind, color=color or "red", size="medium")])
            [out] = run_tool("generate", {"prompt": caption(spec, random.Random(seed)), "scene": scene_asking(spec),
                                          "seed": seed, "steps": args.steps, "width": image.width, "height": image.height}, ctx)
            calls.append(out.steps)
            scene = detect_scene(out.image)
            if found := (scene.find(kind, color) if color else []) or scene.find(kind):  # else another call
                made[(kind, color)] = (out.image, max(found, key=lambda o: o.score), scene)
        return made.get((kind, color))

    return draw


def repair_fill(ctx: ToolContext, args: RepairArgs, image, calls: list[int]) -> tuple[object, list[str]]:
    """(picture, what was done) outside the storybook world, where no detector knows the objects:
    the fill path redraws the extras' spots with the page's background alone, then the missing or
    wrong ones' spots with what belongs there, one model call for each (each appended to `calls`);
    the critic judges the result."""
    from chatdit.critics.base import describe_subject
    from chatdit.schema import Subject

    done: list[str] = []
    removed = [fix for fix in args.fixes if fix.action == "remove"]
    if removed:
        prompt = f"{args.background or 'the background'}, empty, nothing in front of it"
        image, steps = redraw_masked(ctx, image, box_mask(image.size, [f.box for f in removed]), prompt, args.seed, args.steps)
        calls.append(steps)
        done += [f"filled the spot of an extra {f.name} with the background" for f in removed]
    drawn: dict[tuple, list[Fix]] = {}
    for fix in args.fixes:
        if fix.action != "remove":
            drawn.setdefault((fix.name, fix.color, fix.relation, fix.target), []).append(fix)
    for index, ((name, color, relation, target), group) in enumerate(drawn.items()):
        thing = describe_subject(Subject(name=name, color=color))
        where = f" {relation} the {target}" if relation and target else ""
        image, steps = redraw_masked(ctx, image, box_mask(image.size, [f.box for f in group]), f"{thing}{where}, in {args.prompt}",
                                     (args.seed + index + 1) % 2**32, args.steps)
        calls.append(steps)
        done.append(f"drew {thing} into {'its spot' if len(group) == 1 else f'{len(group)} spots'}")
    return image, done


@register("repair", RepairArgs)
def repair(args: RepairArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Fix the instances the critic found too many, too few or wrong-colored; keep everything else."""
    from chatdit.critics.world import applies

    image = ctx.load_image(args.image).convert("RGB")
    done: list[str] = []
    calls: list[int] = []  # steps of each model call made
    if applies(image):
        image, done = repair_world(image, args.fixes, drawer(ctx, args, image, calls))
        how = "pixels, kinds drawn alone" if calls else "pixels"
    else:
        image, done = repair_fill(ctx, args, image, calls)
        how = "fill"
    return [ToolOutput(image=image, page=args.page, prompt=args.prompt, seed=args.seed, steps=sum(calls), parents=[args.image],
                       meta={"edit": how, "done": done, "model_calls": len(calls),
                             "boxes": [list(fix.box) for fix in args.fixes]})]
