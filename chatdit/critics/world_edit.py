"""What an edit of a storybook-world picture must show, from the world detector on the picture
before and after: the change it asks for (its `EditSpec`), required since it is what the person
asked for, and everything else kept. A change the detector cannot see is `unknown`, never pass.

- tone: the sky's (or ground's) background pixels' mean luminance moved the asked way by at least
  TONE_MARGIN of the way to black or white; a part's color: its mean color that much nearer;
- add: more of the kind than before, the new ones where they belong (sky things above the horizon);
- remove: fewer of the kind, none left when every one was named;
- move: the kind's center moved the asked way by MOVE_MARGIN of the side;
- resize: its box area grown or shrunk by RESIZE_MARGIN;
- recolor: every one of the kind now the new color.
"""

from __future__ import annotations

import numpy as np

from chatdit.critics.world import PAD, SIZE, _grow, world_color, world_kind
from chatdit.schema import EditSpec, RequirementCheck, Subject

TONE_MARGIN = 0.08
"""Share of the way to black (darker) or white (brighter) the part's mean must move: 8% is a
step a person sees side by side (a day sky's luma 202 -> 186)."""
MOVE_MARGIN = 0.1
"""Share of the picture's side the center must move: 6 px of 64."""
RESIZE_MARGIN = 1.3
"""Factor the box area must grow by (or shrink by, inverted)."""
KEPT_LUMA = 6.0
"""Luma the part an edit did not name may drift by and still count as kept."""
_TARGETS = {"darker": (0.0, 0.0, 0.0), "brighter": (255.0, 255.0, 255.0)}


def edit_checks(before_image, after_image, change: str | EditSpec) -> list[RequirementCheck]:
    """The asked change's check (required), then one 'kept' check per thing the change leaves alone."""
    from chatdit.edits import edit_spec_of
    from chatdit.storybook.detector import detect_scene

    spec = change if isinstance(change, EditSpec) else edit_spec_of(change)
    return scene_checks(spec, detect_scene(before_image), detect_scene(after_image), before_image, after_image)


def scene_checks(spec: EditSpec, before, after, before_image=None, after_image=None) -> list[RequirementCheck]:
    """The same from detected scenes; the pictures are needed only for a part's tone or color."""
    checks = [asked_check(spec, before, after, before_image, after_image)]
    return checks + kept_checks(spec, before, after, before_image, after_image)


def unchecked(change: str, why: str) -> RequirementCheck:
    """The asked change, when the critic cannot see whether it was made."""
    return _check(f"asked: {change}", "presence", None, why)


def _check(name: str, kind: str, ok: bool | None, detail: str) -> RequirementCheck:
    verdict = "unknown" if ok is None else ("pass" if ok else "fail")
    return RequirementCheck(name=name, kind=kind, verdict=verdict, detail=detail, required=True)


def asked_check(spec: EditSpec, before, after, before_image, after_image) -> RequirementCheck:
    """The verdict on the change itself."""
    if spec.kind in ("tone", "recolor") and spec.part in ("sky", "ground", "picture"):
        if before_image is None or after_image is None:
            return unchecked(spec.text, "the pictures are needed to measure a tone")
        return _part_check(spec, before_image, after_image)
    kind = world_kind(spec.noun or "")
    if spec.kind == "free" or kind is None:
        what = f"'{spec.noun}' is not a thing the world detector knows" if spec.noun else "no offline check for this change"
        return unchecked(spec.text, what)
    color = world_color(spec.color)
    if spec.kind == "recolor":
        if color is None:
            return _check(f"{kind}: {spec.color}", "color", None, f"'{spec.color}' is not a color of the world")
        now, recolored = len(after.find(kind)), len(after.find(kind, color))
        return _check(f"{kind}: {color}", "color", recolored == now >= 1,
                      f"{recolored} {color} of {now} (was {len(before.find(kind))})")
    return {"add": _add_check, "remove": _remove_check, "move": _move_check, "resize": _resize_check}[spec.kind](
        spec, kind, color, before, after)


def _mean(pixels: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    return pixels[mask].mean(axis=0) if mask.any() else None


def _part_check(spec: EditSpec, before_image, after_image) -> RequirementCheck:
    from PIL import ImageColor

    from chatdit.storybook import COLORS
    from chatdit.vision.world_edits import luminance, part_mask

    name = f"{spec.part}: {spec.direction or spec.color}"
    kind = "color"
    pixels = [np.asarray(im.convert("RGB"), np.float32) for im in (before_image, after_image)]
    means = [_mean(p, part_mask(p, spec.part)) for p in pixels]
    if means[0] is None or means[1] is None:
        return _check(name, kind, False, f"no {spec.part} background left to measure")
    if spec.kind == "tone":
        if spec.direction not in _TARGETS:
            return _check(name, kind, None, "no offline check for this change")
        was, now = (float(luminance(m)) for m in means)
        room = was if spec.direction == "darker" else 255.0 - was
        moved = (was - now) if spec.direction == "darker" else (now - was)
        share = moved / room if room > 0 else 0.0
        return _check(name, kind, share >= TONE_MARGIN, f"luma {was:.0f} -> {now:.0f} ({share:+.0%} of the way)")
    try:
        target = np.array(COLORS.get(spec.color or "") or ImageColor.getrgb(spec.color or ""), np.float32)
    except ValueError:
        return _check(name, kind, None, f"'{spec.color}' is not a color the critic can measure")
    was, now = (float(np.linalg.norm(m - target)) for m in means)
    share = (was - now) / was if was > 0 else 1.0
    return _check(name, kind, share >= TONE_MARGIN, f"{share:+.0%} nearer {spec.color}")


def _new_objects(before, after, kind: str, color: str | None) -> list:
    old = before.find(kind, color) if color else before.find(kind)
    now = after.find(kind, color) if color else after.find(kind)
    return [o for o in now if not any(abs(o.center[0] - b.center[0]) + abs(o.center[1] - b.center[1]) <= 3 for b in old)]


def _add_check(spec: EditSpec, kind: str, color: str | None, before, after) -> RequirementCheck:
    from chatdit.storybook import PLURALS

    name = f"added: {' '.join(filter(None, [str(spec.count), color, kind if spec.count == 1 else PLURALS[kind]]))}"
    had = before.count(kind, color) if color else before.count(kind)
    now = after.count(kind, color) if color else after.count(kind)
    new, where = _added(spec, kind, color, before, after)
    belongs = f"{spec.relation} the {spec.target}" if spec.relation else spec.place or spec.part
    detail = f"{had} before, {now} after; {len(where)} of {len(new)} new where it belongs ({belongs})"
    return _check(name, "presence", now - had >= spec.count and len(where) >= spec.count, detail)


def _added(spec: EditSpec, kind: str, color: str | None, before, after) -> tuple[list, list]:
    """(new objects of the kind, those of them where the add belongs: against the thing it was
    placed by when the picture shows it, else in its part or place of the picture)."""
    from chatdit.critics.world import DEPTHS, _grow, _overlap, add_area, relation_holds

    new = _new_objects(before, after, kind, color)
    targets = before.find(target) if spec.relation and (target := world_kind(spec.target or "")) else []
    if targets and spec.relation in DEPTHS:  # which is in front is the page's own check ('bird behind tree')
        return new, [o for o in new if any(_overlap(_grow(o.bbox, 1), _grow(t.bbox, 1)) > 0 for t in targets)]
    if targets:
        return new, [o for o in new if relation_holds(spec.relation, [o], targets)]
    x0, y0, x1, y1 = (v * SIZE for v in add_area(spec.part, spec.place))
    return new, [o for o in new if x0 <= o.center[0] <= x1 and y0 <= o.center[1] <= y1]


def added_count(spec: EditSpec, before, after) -> int:
    """How many of an add's objects the detector sees done: more of the kind, where they belong."""
    kind, color = world_kind(spec.noun or ""), world_color(spec.color)
    if kind is None:
        return 0
    had = before.count(kind, color) if color else before.count(kind)
    now = after.count(kind, color) if color else after.count(kind)
    return max(0, min(now - had, len(_added(spec, kind, color, before, after)[1])))


def _remove_check(spec: EditSpec, kind: str, color: str | None, before, after) -> RequirementCheck:
    had = before.count(kind, color) if color else before.count(kind)
    now = after.count(kind, color) if color else after.count(kind)
    name = f"removed: {' '.join(filter(None, [color, kind]))}"
    return _check(name, "count", had >= 1 and now == 0, f"{had} before, {now} after")


def _centroid(objects) -> tuple[float, float]:
    return sum(o.center[0] for o in objects) / len(objects), sum(o.center[1] for o in objects) / len(objects)


def _move_check(spec: EditSpec, kind: str, color: str | None, before, after) -> RequirementCheck:
    name = f"{' '.join(filter(None, [color, kind]))}: moved {spec.direction}"
    was, now = (s.find(kind, color) if color else s.find(kind) for s in (before, after))
    if not was or not now or spec.direction not in ("left", "right", "up", "down"):
        return _check(name, "position", False if not now else None, f"{len(was)} before, {len(now)} after")
    (bx, by), (ax, ay) = _centroid(was), _centroid(now)
    moved = {"left": bx - ax, "right": ax - bx, "up": by - ay, "down": ay - by}[spec.direction]
    return _check(name, "position", moved >= MOVE_MARGIN * SIZE and len(now) == len(was),
                  f"center moved {moved:+.0f} px {spec.direction} ({len(was)} before, {len(now)} after)")


def _area(objects) -> float:
    return sum((o.bbox[2] - o.bbox[0]) * (o.bbox[3] - o.bbox[1]) for o in objects) / len(objects)


def _resize_check(spec: EditSpec, kind: str, color: str | None, before, after) -> RequirementCheck:
    name = f"{' '.join(filter(None, [color, kind]))}: {spec.direction}"
    was, now = (s.find(kind, color) if color else s.find(kind) for s in (before, after))
    if not was or not now:
        return _check(name, "position", False, f"{len(was)} before, {len(now)} after")
    ratio = _area(now) / _area(was)
    ok = ratio >= RESIZE_MARGIN if spec.direction == "bigger" else ratio <= 1 / RESIZE_MARGIN
    return _check(name, "position", ok and len(now) == len(was), f"box area x{ratio:.2f} ({len(was)} before, {len(now)} after)")


def kept_checks(spec: EditSpec, before, after, before_image, after_image) -> list[RequirementCheck]:
    """Every kind the change does not name kept in its colors and numbers (the bird is still the
    yellow bird); what the detector read inside a changed object's box is part of the change.
    A tone or color change of one part also keeps the other part's luma."""
    from chatdit.critics.base import describe_subject

    named = {world_kind(spec.noun or "")} - {None}
    changed = [_grow(o.bbox, 2 * PAD) for o in before.objects if o.kind in named]
    groups: dict[tuple[str, str], int] = {}
    for obj in before.objects:
        inside = any(x0 <= obj.center[0] / SIZE <= x1 and y0 <= obj.center[1] / SIZE <= y1 for x0, y0, x1, y1 in changed)
        if obj.kind not in named and not inside:
            groups[(obj.kind, obj.color)] = groups.get((obj.kind, obj.color), 0) + 1
    checks = []
    for (kind, obj_color), had in groups.items():
        now = len(after.find(kind, obj_color))
        seen = sorted({o.color for o in after.find(kind)} - {obj_color})
        detail = f"{had} before, {now} after" + (f" (now {', '.join(seen)})" if now != had and seen else "")
        checks.append(RequirementCheck(name=f"kept: {describe_subject(Subject(name=kind, color=obj_color, count=had))}",
                                       kind="presence", verdict="pass" if now == had else "fail", detail=detail))
    if spec.kind in ("tone", "recolor") and spec.part in ("sky", "ground") and before_image and after_image:
        checks.append(_kept_part("ground" if spec.part == "sky" else "sky", before_image, after_image))
    return checks


def _kept_part(part: str, before_image, after_image) -> RequirementCheck:
    from chatdit.vision.world_edits import luminance, part_mask

    pixels = [np.asarray(im.convert("RGB"), np.float32) for im in (before_image, after_image)]
    means = [_mean(p, part_mask(p, part)) for p in pixels]
    if means[0] is None or means[1] is None:
        return RequirementCheck(name=f"kept: the {part}", kind="color", verdict="unknown", detail=f"no {part} to measure")
    was, now = (float(luminance(m)) for m in means)
    return RequirementCheck(name=f"kept: the {part}", kind="color", verdict="pass" if abs(now - was) <= KEPT_LUMA else "fail",
                            detail=f"luma {was:.0f} -> {now:.0f}")
