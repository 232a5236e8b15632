"""Requirements checked on pictures of the nano model's storybook world, with the world detector.

Subjects, colors, positions and backgrounds the world knows are judged from `detect_scene`; the
rest is left "unknown" for other checks. Failing requirements are localised as regions, so the
reflection loop can redraw only what is wrong.
"""

from __future__ import annotations

import numpy as np

from chatdit.critics.base import Box, Region, Requirement
from chatdit.schema import Instruction, RequirementCheck, Subject
from chatdit.storybook.reading import world_background, world_color, world_kind

WORLD_FIT = 0.6
"""Share of pixels that must sit near the world's palette for the world detector to apply."""
PALETTE_DISTANCE = 40.0
SIZE = 64
SPOT = 22  # px side of the box an added object is drawn in
PAD = 3  # px a box is grown by before masking

_REGIONS: dict[str, Box] = {
    "left": (0.0, 0.1, 0.45, 0.9), "right": (0.55, 0.1, 1.0, 0.9), "top": (0.1, 0.0, 0.9, 0.45),
    "bottom": (0.1, 0.55, 0.9, 1.0), "center": (0.28, 0.28, 0.72, 0.72), "top left": (0.0, 0.0, 0.48, 0.48),
    "top right": (0.52, 0.0, 1.0, 0.48), "bottom left": (0.0, 0.52, 0.48, 1.0), "bottom right": (0.52, 0.52, 1.0, 1.0),
    "anywhere": (0.0, 0.0, 1.0, 1.0),
}


def palette_fit(image) -> float:
    """Share of pixels within PALETTE_DISTANCE of a world color or background color."""
    from PIL import Image

    from chatdit.storybook import BACKGROUNDS, COLORS

    small = np.asarray(image.convert("RGB").resize((SIZE, SIZE), Image.BILINEAR), dtype=np.float32).reshape(-1, 3)
    palette = np.array(list(COLORS.values()) + [c for pair in BACKGROUNDS.values() for c in pair], np.float32)
    nearest = np.linalg.norm(small[:, None, :] - palette[None], axis=-1).min(axis=1)
    return float((nearest < PALETTE_DISTANCE).mean())


def applies(image) -> bool:
    return palette_fit(image) >= WORLD_FIT


# ---------------------------------------------------------------- checking


def _matching(scene, subject: Subject):
    kind, color = world_kind(subject.name), world_color(subject.color)
    return scene.find(kind, color) if color else scene.find(kind)


def _centroid(objects) -> tuple[float, float]:
    return (sum(o.center[0] for o in objects) / len(objects), sum(o.center[1] for o in objects) / len(objects))


def stands_at(found: list, where: str) -> bool:
    """Whether the objects `found` stand at a place of the picture ('top left'), by their centroid."""
    return bool(found) and _side_ok(_centroid(found), where)


def _side_ok(center: tuple[float, float], where: str) -> bool:
    from chatdit.storybook.detector import side_ok

    return side_ok(center, where, SIZE)


UNSURE_SHAPE = 0.9
"""Silhouette fit below which a detected kind may be a misread: rendered shapes fit at 1.0, nano's
clear drawings at 0.9-0.95, the house nano drew that read as a circle at 0.84."""


def _lookalikes(scene, instruction: Instruction, subject: Subject) -> list:
    """Objects nobody asked for, in the subject's color, whose shape the detector is unsure of ('a
    purple circle' at 0.84 where two purple houses were asked and one was seen): maybe badly drawn
    ones of the subject. Too few is still a fail (no clean one is there to see), but a repair
    redraws these as the subject instead of adding more beside them."""
    asked = {world_kind(s.name) for s in instruction.subjects}
    color = world_color(subject.color)
    return [o for o in scene.objects if o.kind not in asked and o.score < UNSURE_SHAPE and (color is None or o.color == color)]


def check_world(req: Requirement, instruction: Instruction, scene, image=None) -> RequirementCheck | None:
    """The verdict on one requirement, or None when the world detector cannot judge it (a depth
    order needs the `image`'s pixels)."""
    check = lambda ok, detail: RequirementCheck(name=req.name, kind=req.kind, verdict="pass" if ok else "fail", detail=detail)  # noqa: E731
    if req.kind == "presence" and req.subject is None:
        wanted = world_background(req.text)
        return check(scene.background == wanted, f"saw {scene.background}") if wanted else None
    if req.subject is None or req.kind in ("text", "identity"):
        return None
    subject = instruction.subjects[req.subject]
    kind = world_kind(subject.name)
    if kind is None:
        return None
    of_kind = scene.find(kind)
    if req.kind == "presence":
        return check(bool(of_kind), f"{len(of_kind)} found")
    if req.kind == "count":
        found = _matching(scene, subject)
        detail = f"{len(found)} found" if len(found) == len(of_kind) else f"{len(found)} {subject.color} found, {len(of_kind)} in all"
        if len(found) < subject.count and (lookalikes := _lookalikes(scene, instruction, subject)):
            detail += f"; the {lookalikes[0].color} {lookalikes[0].kind} may be a badly drawn one"
        return check(len(found) == subject.count, detail)
    if req.kind == "color":
        color = world_color(subject.color)
        if color is None:
            return None
        seen = sorted({o.color for o in of_kind})
        return check(color in seen, f"saw {', '.join(seen) or 'none'}")
    if req.kind == "position":
        found = _matching(scene, subject)
        if req.target is None:
            return check(stands_at(found, req.position or ""),
                         f"at {tuple(round(v) for v in _centroid(found))}" if found else "not found")
        other = _matching(scene, instruction.subjects[req.target])
        if world_kind(instruction.subjects[req.target].name) is None or (req.position in DEPTHS and image is None):
            return None
        if not (found and other):
            return check(False, "one of the two is missing")
        if req.position in DEPTHS:
            ok = relation_holds(req.position, found, other, image)
            return check(ok, "it hides part of the other" if ok else "it does not overlap the other the way asked")
        (ax, ay), (bx, by) = _centroid(found), _centroid(other)
        return check(relation_holds(req.position, found, other), f"at x={ax:.0f},y={ay:.0f} vs x={bx:.0f},y={by:.0f}")
    return None


DEPTHS = ("in front of", "behind")


def relation_holds(relation: str, found: list, other: list, image=None) -> bool:
    """Whether the objects `found` stand `relation` the objects `other`: a side relation when their
    centroid is past the others' near edge on that side (above and below: with the two groups'
    widths overlapping, 'a fox under the tree' is not one far off to the side), a depth order (needs `image`) by occlusion: one of them touches one of the others,
    and the one behind looks more hidden than the one in front."""
    if relation not in DEPTHS:  # past the others' near edge (a sun beside a fox is not above it)
        ax, ay = _centroid(found)
        over = min(o.bbox[0] for o in found) < max(o.bbox[2] for o in other) and \
            min(o.bbox[0] for o in other) < max(o.bbox[2] for o in found)  # and over them, not off to one side
        return {"left of": ax < min(o.bbox[0] for o in other), "right of": ax > max(o.bbox[2] for o in other),
                "above": over and ay < min(o.bbox[1] for o in other), "below": over and ay > max(o.bbox[3] for o in other)}[relation]
    from PIL import Image

    from chatdit.storybook.detector import detect_background, label_pixels

    pixels = np.asarray(image.convert("RGB").resize((SIZE, SIZE), Image.BILINEAR), dtype=np.float32)
    labels = label_pixels(pixels, detect_background(pixels))
    for a in found:
        for b in other:
            if _overlap(_grow(a.bbox, 1), _grow(b.bbox, 1)) > 0:
                a_hidden, b_hidden = _hidden(a, b, labels), _hidden(b, a, labels)
                if abs(a_hidden - b_hidden) < HIDDEN_TIE:  # a box cut down to what shows can miss the other:
                    a_hidden, b_hidden = 1.0 - a.score, 1.0 - b.score  # the less whole shape is behind
                if a_hidden != b_hidden:
                    return (b_hidden > a_hidden) == (relation == "in front of")
    return False


HIDDEN_TIE = 0.02
"""Shares of two silhouettes covered by each other this close say nothing about which is in front."""


def _hidden(obj, by, labels: np.ndarray) -> float:
    """Share of `obj`'s silhouette (its kind's shape fitted to its box) showing `by`'s color."""
    from PIL import Image, ImageDraw

    from chatdit.storybook import COLORS, draw_shape

    x0, y0, x1, y1 = by.bbox
    theirs = np.zeros_like(labels, dtype=bool)
    theirs[y0:y1, x0:x1] = labels[y0:y1, x0:x1] == list(COLORS).index(by.color)
    x0, y0, x1, y1 = obj.bbox
    drawn = Image.new("L", (SIZE, SIZE), 0)
    draw_shape(ImageDraw.Draw(drawn), obj.kind, (x0 + x1) // 2, (y0 + y1) // 2, x1 - x0, y1 - y0)
    shape = np.asarray(drawn) > 0
    return float((shape & theirs).sum() / max(1, shape.sum()))


def add_area(part: str, place: str | None) -> Box:
    """Where an object an edit adds belongs: the sky above the horizon for sky things, the ground
    band (from just above the horizon) for ground things, within the place named when there is
    room for it there ('a house on the left': the left of the ground). The edit tool draws it
    there and the edit check looks for it there."""
    from chatdit.storybook import HORIZON

    band = {"sky": (0.0, 0.0, 1.0, HORIZON), "ground": (0.0, HORIZON - 0.04, 1.0, 1.0)}.get(part, _REGIONS["anywhere"])
    if place not in _REGIONS:
        return band
    x0, y0, x1, y1 = _REGIONS[place]
    both = (max(x0, band[0]), max(y0, band[1]), min(x1, band[2]), min(y1, band[3]))
    return both if both[3] - both[1] >= 0.25 and both[2] - both[0] >= 0.25 else (x0, y0, x1, y1)


# ---------------------------------------------------------------- localising


def _grow(bbox, pad: int = PAD) -> Box:
    x0, y0, x1, y1 = bbox
    return (max(0, x0 - pad) / SIZE, max(0, y0 - pad) / SIZE, min(SIZE, x1 + pad) / SIZE, min(SIZE, y1 + pad) / SIZE)


def free_spot(scene, area: Box, taken: list[Box]) -> Box:
    """The SPOT-sized box inside `area` that overlaps the detected objects (and `taken`) least."""
    boxes = [_grow(o.bbox) for o in scene.objects] + taken
    ax0, ay0, ax1, ay1 = (round(v * SIZE) for v in area)
    side = min(SPOT, ax1 - ax0, ay1 - ay0)
    best, best_cost = None, None
    cx, cy = (ax0 + ax1) / 2, (ay0 + ay1) / 2
    for y in range(ay0, ay1 - side + 1, 2):
        for x in range(ax0, ax1 - side + 1, 2):
            cand = (x / SIZE, y / SIZE, (x + side) / SIZE, (y + side) / SIZE)
            overlap = sum(_overlap(cand, b) for b in boxes)
            cost = overlap * SIZE * SIZE * 4 + abs(x + side / 2 - cx) + abs(y + side / 2 - cy)
            if best_cost is None or cost < best_cost:
                best, best_cost = cand, cost
    return best or area


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def relation_area(relation: str, others: list) -> Box:
    """Where something `relation` the objects `others` belongs (normalised xyxy): past their near
    edge on that side (where `relation_holds` looks), or for a depth order the first one's box,
    which it must overlap."""
    if relation in DEPTHS:
        return _grow(others[0].bbox)
    left, top = min(o.bbox[0] for o in others) / SIZE, min(o.bbox[1] for o in others) / SIZE
    right, bottom = max(o.bbox[2] for o in others) / SIZE, max(o.bbox[3] for o in others) / SIZE
    x0, x1 = _span(left, right)  # level with them, not far to one side ('above' reads as over it)
    y0, y1 = _span(top, bottom)
    return {"left of": (0.0, y0, max(0.3, left - 0.02), y1), "right of": (min(0.7, right + 0.02), y0, 1.0, y1),
            "above": (x0, 0.0, x1, max(0.3, top - 0.02)), "below": (x0, min(0.7, bottom + 0.02), x1, 1.0)}[relation]


def _span(low: float, high: float, grow: float = 0.1, least: float = 0.35) -> tuple[float, float]:
    """[low, high] grown by `grow` each side and to at least `least` long, inside 0..1."""
    mid, half = (low + high) / 2, max((high - low) / 2 + grow, least / 2)
    lo, hi = mid - half, mid + half
    shift = max(0.0, -lo) - max(0.0, hi - 1.0)
    return max(0.0, lo + shift), min(1.0, hi + shift)


def localise(failing: list[Requirement], instruction: Instruction, scene) -> list[Region]:
    """Regions to redraw so the failing world requirements could pass, one plan per subject:
    wrong-colored look-alikes are redrawn, extras removed, missing ones added in a free spot of the
    right area, misplaced ones moved. A failing background is not local and gets no region."""
    taken: list[Box] = []
    regions: list[Region] = []
    for index in dict.fromkeys(r.subject for r in failing if r.subject is not None):
        reqs = [r for r in failing if r.subject == index]
        regions += _localise_subject(index, reqs, instruction, scene, taken)
    return regions


def _localise_subject(index: int, reqs: list[Requirement], instruction: Instruction, scene, taken: list[Box]) -> list[Region]:
    subject = instruction.subjects[index]
    kind, color = world_kind(subject.name), world_color(subject.color)
    name = reqs[0].name
    found = _matching(scene, subject)
    area = _REGIONS["anywhere"]
    misplaced = []
    for req in reqs:
        if req.kind == "position" and req.target is None and req.position in _REGIONS:
            area = _REGIONS[req.position]
            misplaced = [o for o in found if not _side_ok(o.center, req.position)]
        elif req.kind == "position" and req.target is not None:
            other = _matching(scene, instruction.subjects[req.target])
            if other:
                area = relation_area(req.position, other)
                misplaced = list(found)
    regions = [Region(requirement=name, subject=index, box=_grow(o.bbox), action="remove") for o in misplaced]
    kept = [o for o in found if o not in misplaced]
    extra = sorted(kept, key=lambda o: (o.score, -o.center[0]))[: max(0, len(kept) - subject.count)]  # worst-drawn first
    regions += [Region(requirement=name, subject=index, box=_grow(o.bbox), action="remove") for o in extra]
    missing = subject.count - (len(kept) - len(extra))
    if color and missing > 0 and not misplaced:
        for wrong in [o for o in scene.find(kind) if o.color != color][:missing]:
            regions.append(Region(requirement=name, subject=index, box=_grow(wrong.bbox), action="redraw"))
            missing -= 1
    for blob in _lookalikes(scene, instruction, subject)[: max(0, missing)] if not misplaced else []:
        regions.append(Region(requirement=name, subject=index, box=_grow(blob.bbox), action="replace"))
        taken.append(_grow(blob.bbox))
        missing -= 1
    for _ in range(max(0, missing)):
        box = free_spot(scene, area, taken)
        taken.append(box)
        regions.append(Region(requirement=name, subject=index, box=box, action="add"))
    return regions


def instruction_from_spec(spec, prompt: str) -> Instruction:
    """The Instruction a careful reader writes for a world scene (benches and tests; no parser)."""
    from chatdit.schema import Depth, Position

    subjects = [Subject(name=o.kind, count=o.count, color=o.color, attributes=[o.position] if o.position else [])
                for o in spec.objects]
    for rel in spec.relations:
        field = "depth" if rel.relation in ("in front of", "behind") else "position"
        link = (Depth if field == "depth" else Position)(relation=rel.relation, target=rel.target)
        subjects[rel.subject] = subjects[rel.subject].model_copy(update={field: link})
    return Instruction(prompt=prompt, subjects=subjects, background=spec.background)


def describe_scene(image) -> str | None:
    """A world caption of what a picture actually shows (None outside the world): the corrective
    caption an earlier attempt gets when the next one is drawn next to it."""
    import random

    from chatdit.storybook import ObjectSpec, SceneSpec, caption
    from chatdit.storybook.detector import detect_scene

    if not applies(image):
        return None
    scene = detect_scene(image)
    groups: dict[tuple[str, str], int] = {}
    for obj in scene.objects:
        groups[(obj.kind, obj.color)] = groups.get((obj.kind, obj.color), 0) + 1
    objects = [ObjectSpec(kind=kind, color=color, count=min(4, n)) for (kind, color), n in list(groups.items())[:4]]
    return caption(SceneSpec(background=scene.background, objects=objects), random.Random(0))
