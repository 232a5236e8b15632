"""Where each object of a scene goes: positions and relations honoured, no two objects touching.

The same code places the objects of every training picture and plans the boxes nano draws
grounded, so the model is asked for layouts of the kind it learned from.
"""

from __future__ import annotations

import random

from chatdit.storybook.scene import PANEL_SIZE, Instance, SceneSpec
from chatdit.storybook.shapes import object_box

_REGIONS = {
    None: (0.0, 1.0, 0.0, 1.0),
    "left": (0.0, 0.45, 0.1, 0.9), "right": (0.55, 1.0, 0.1, 0.9),
    "top": (0.1, 0.9, 0.0, 0.45), "bottom": (0.1, 0.9, 0.55, 1.0),
    "center": (0.28, 0.72, 0.28, 0.72),
    "top left": (0.0, 0.48, 0.0, 0.48), "top right": (0.52, 1.0, 0.0, 0.48),
    "bottom left": (0.0, 0.48, 0.52, 1.0), "bottom right": (0.52, 1.0, 0.52, 1.0),
    "left half": (0.0, 0.5, 0.0, 1.0), "right half": (0.5, 1.0, 0.0, 1.0),
    "top half": (0.0, 1.0, 0.0, 0.5), "bottom half": (0.0, 1.0, 0.5, 1.0),
}
_RELATION_REGIONS = {
    "left of": ("left half", "right half"), "right of": ("right half", "left half"),
    "above": ("top half", "bottom half"), "below": ("bottom half", "top half"),
}


def boxes_apart(a, b, gap: int = 2) -> bool:
    """True when two pixel boxes (x0, y0, x1, y1) are at least `gap` pixels apart."""
    return a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1]


def layout(spec: SceneSpec, rng: random.Random, size: int = PANEL_SIZE) -> list[Instance] | None:
    """Place every instance; None when the spec does not fit without touching objects."""
    regions = {i: obj.position for i, obj in enumerate(spec.objects)}
    overlaps: dict[int, int] = {}
    for rel in spec.relations:
        if rel.relation in _RELATION_REGIONS:
            sub, tgt = _RELATION_REGIONS[rel.relation]
            regions[rel.subject] = regions[rel.subject] or sub
            regions[rel.target] = regions[rel.target] or tgt
        else:
            overlaps[rel.subject] = rel.target
    placed: list[Instance] = []
    order = [i for i in range(len(spec.objects)) if i not in overlaps] + list(overlaps)
    for gi in order:
        obj = spec.objects[gi]
        w, h = object_box(obj.kind, obj.size)
        for _ in range(obj.count):
            box = _place(obj, gi, w, h, regions[gi], overlaps, placed, rng, size)
            if box is None:
                return None
            x0, y0 = box
            placed.append(Instance(group=gi, kind=obj.kind, color=obj.color,
                                   center=(x0 + w // 2, y0 + h // 2), bbox=(x0, y0, x0 + w, y0 + h)))
    return placed


def _place(obj, gi, w, h, region, overlaps, placed, rng, size):
    if gi in overlaps:  # in front of / behind: overlap the target's first instance by a third
        target = next(p for p in placed if p.group == overlaps[gi])
        tx, ty = target.center
        dx = rng.choice([-1, 1]) * max(3, (w + target.bbox[2] - target.bbox[0]) // 3)
        x0, y0 = tx + dx - w // 2, ty + rng.randint(-2, 3) - h // 2
        x0, y0 = min(max(x0, 1), size - w - 1), min(max(y0, 1), size - h - 1)
        return x0, y0
    rx0, rx1, ry0, ry1 = _REGIONS[region]
    lo_x, hi_x = int(rx0 * size) + 1, int(rx1 * size) - w - 1
    lo_y, hi_y = int(ry0 * size) + 1, int(ry1 * size) - h - 1
    if hi_x < lo_x or hi_y < lo_y:
        return None
    for _ in range(300):
        x0, y0 = rng.randint(lo_x, hi_x), rng.randint(lo_y, hi_y)
        if all(boxes_apart((x0, y0, x0 + w, y0 + h), p.bbox) for p in placed):
            return x0, y0
    return None


def draw_order(spec: SceneSpec, instances: list[Instance]) -> list[Instance]:
    """Instances sorted so that 'in front of' subjects are drawn after their targets."""
    front = {r.subject for r in spec.relations if r.relation == "in front of"}
    front |= {r.target for r in spec.relations if r.relation == "behind"}
    return sorted(instances, key=lambda inst: inst.group in front)


def place_scene(spec: SceneSpec, rng: random.Random, size: int = PANEL_SIZE) -> list[Instance]:
    """The scene's objects placed (up to 50 layouts tried from `rng`) in drawing order: how a
    picture is rendered and how nano's boxes are planned; a ValueError when they do not fit."""
    for _ in range(50):
        instances = layout(spec, rng, size)
        if instances is not None:
            return draw_order(spec, instances)
    raise ValueError("the objects in this scene do not fit in one panel: ask for fewer or smaller objects")
