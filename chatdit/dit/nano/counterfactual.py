"""Counterfactual scenes: the same scene with one thing its caption says changed.

One group's kind swapped (drawn at the same centers), one instance of a group dropped, or the
layout mirrored left to right (shapes drawn as always, only their places move). The picture of
the changed scene differs from the original in exactly the pixels that word decides, so
`bench/nano_sensitivity.py` can ask whether a model reads kind, count and side words at all: it
compares the model's loss on a picture under its true caption and under the counterfactual one.
(Training on such pairs with a loss on the predicted difference was tried and is not part of the
training script: model card, experiment v7.)
"""

from __future__ import annotations

import random

from chatdit.storybook import CHARACTER, OBJECTS, PANEL_SIZE, Instance, SceneSpec, boxes_apart, object_box, render_instances

CHANGES = ("kind", "count", "mirror")
_MIRRORED = {"left": "right", "right": "left", "top left": "top right", "top right": "top left",
             "bottom left": "bottom right", "bottom right": "bottom left",
             "left of": "right of", "right of": "left of"}


def _inside(inst: Instance, size: int) -> bool:
    x0, y0, x1, y1 = inst.bbox
    return 0 <= x0 and 0 <= y0 and x1 <= size and y1 <= size


def _overlapping(spec: SceneSpec, a: int, b: int) -> bool:
    """True when groups a and b are meant to overlap (in front of / behind)."""
    return any({r.subject, r.target} == {a, b} and r.relation in ("in front of", "behind") for r in spec.relations)


def _with_kind(inst: Instance, kind: str, size_name: str) -> Instance:
    w, h = object_box(kind, size_name)
    cx, cy = inst.center
    x0, y0 = cx - w // 2, cy - h // 2
    return inst.model_copy(update=dict(kind=kind, bbox=(x0, y0, x0 + w, y0 + h)))


def swap_kind(spec: SceneSpec, instances: list[Instance], rng: random.Random, size: int = PANEL_SIZE):
    """One group drawn as another kind at the same centers, or None when no swap fits."""
    groups = list(range(len(spec.objects)))
    rng.shuffle(groups)
    has_fox = any(o.kind == CHARACTER for o in spec.objects)
    for g in groups:
        obj = spec.objects[g]
        kinds = [k for k in OBJECTS if k != obj.kind
                 and all((o.kind, o.color) != (k, obj.color) for j, o in enumerate(spec.objects) if j != g)
                 and (k != CHARACTER or (obj.count == 1 and not has_fox))]
        rng.shuffle(kinds)
        for kind in kinds[:4]:
            changed = [_with_kind(i, kind, obj.size) if i.group == g else i for i in instances]
            group = [i for i in changed if i.group == g]
            apart = [i for i in changed if i.group != g and not _overlapping(spec, g, i.group)]
            if all(_inside(i, size) for i in group) and all(
                    boxes_apart(a.bbox, b.bbox, gap=1) for n, a in enumerate(group) for b in apart + group[n + 1:]):
                new = spec.model_copy(deep=True)
                new.objects[g].kind = kind
                return new, changed
    return None


def drop_one(spec: SceneSpec, instances: list[Instance], rng: random.Random, size: int = PANEL_SIZE):
    """One instance fewer of a group that has two or more, or None when every group has one."""
    groups = [g for g, o in enumerate(spec.objects) if o.count >= 2]
    if not groups:
        return None
    g = rng.choice(groups)
    victim = rng.choice([n for n, i in enumerate(instances) if i.group == g])
    new = spec.model_copy(deep=True)
    new.objects[g].count -= 1
    return new, [i for n, i in enumerate(instances) if n != victim]


def mirror(spec: SceneSpec, instances: list[Instance], rng: random.Random, size: int = PANEL_SIZE):
    """The layout mirrored left to right (each shape drawn as always, only its place moves), with
    left and right swapped in the spec; None when the spec says nothing about left or right."""
    if not any(o.position in _MIRRORED for o in spec.objects) and not any(r.relation in _MIRRORED for r in spec.relations):
        return None
    new = spec.model_copy(deep=True)
    for o in new.objects:
        o.position = _MIRRORED.get(o.position, o.position)
    for r in new.relations:
        r.relation = _MIRRORED.get(r.relation, r.relation)
    moved = []
    for i in instances:
        x0, y0, x1, y1 = i.bbox
        w = x1 - x0
        nx0 = size - x1
        moved.append(i.model_copy(update=dict(bbox=(nx0, y0, nx0 + w, y1), center=(nx0 + w // 2, i.center[1]))))
    return new, moved


def counterfactual(spec: SceneSpec, instances: list[Instance], rng: random.Random, size: int = PANEL_SIZE):
    """(changed spec, its instances, image, what changed) for a random applicable change, or None."""
    order = list(CHANGES)
    rng.shuffle(order)
    for change in order:
        made = {"kind": swap_kind, "count": drop_one, "mirror": mirror}[change](spec, instances, rng, size)
        if made:
            new_spec, new_instances = made
            return new_spec, new_instances, render_instances(new_spec.background, new_instances, size), change
    return None
