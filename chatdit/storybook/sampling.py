"""Random storybook scenes and rows of panels: the training data and the benches' held-out sets.

Every draw comes from a seeded `random.Random`, so a bench's scenes are the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from chatdit.storybook.layout import layout
from chatdit.storybook.scene import PANEL_SIZE, ObjectSpec, RelationSpec, SceneSpec
from chatdit.storybook.vocabulary import BACKGROUND_NAMES, CHARACTER, COLOR_NAMES, OBJECTS, POSITIONS, RELATIONS


def sample_object(rng: random.Random, kinds=OBJECTS, colors=COLOR_NAMES, max_count: int = 4,
                  kind_weights: Mapping[str, float] | None = None) -> ObjectSpec:
    """One object group; `kind_weights` (kind -> relative weight, 1 where absent) makes some kinds
    commoner than the uniform draw, e.g. to give training more of a kind the model draws badly."""
    if kind_weights:
        kind = rng.choices(kinds, weights=[kind_weights.get(k, 1.0) for k in kinds])[0]
    else:  # the uniform draw keeps the random stream of the runs made before kind weights
        kind = rng.choice(kinds)
    count = 1 if kind == CHARACTER else rng.randint(1, max_count)
    size_choices = ["small", "medium"] if count >= 3 else ["small", "medium", "medium", "large"]
    if kind == CHARACTER:
        size_choices = ["medium", "large", "large"]
    return ObjectSpec(kind=kind, color=rng.choice(colors), count=count, size=rng.choice(size_choices))


def sample_spec(rng: random.Random, max_groups: int = 3, max_instances: int = 6,
                kind_weights: Mapping[str, float] | None = None) -> SceneSpec:
    """A random scene that fits in one panel, with no two groups of the same kind and color."""
    while True:
        n_groups = min(rng.choice([1, 1, 2, 2, 2, 3]), max_groups)
        objects: list[ObjectSpec] = []
        for _ in range(n_groups):
            obj = sample_object(rng, kind_weights=kind_weights)
            if any((o.kind, o.color) == (obj.kind, obj.color) for o in objects):
                continue
            if obj.kind == CHARACTER and any(o.kind == CHARACTER for o in objects):
                continue
            objects.append(obj)
        if sum(o.count for o in objects) > max_instances:
            continue
        if spec := _placed(objects, rng):
            return spec


def _placed(objects: list[ObjectSpec], rng: random.Random) -> SceneSpec | None:
    """The objects on a random background, some given a place or a relation; None when they do not
    fit one panel."""
    spec = SceneSpec(background=rng.choice(BACKGROUND_NAMES), objects=objects)
    _add_placement(spec, rng)
    return spec if _fits(spec, rng) else None


def _fits(spec: SceneSpec, rng: random.Random) -> bool:
    """True when three independent layouts all succeed (so rendering it will too)."""
    return all(layout(spec, random.Random(rng.random()), PANEL_SIZE) is not None for _ in range(3))


def _add_placement(spec: SceneSpec, rng: random.Random) -> None:
    """Give some groups a position, or relate two groups, so captions teach where things go."""
    objs = spec.objects
    if len(objs) >= 2 and rng.random() < 0.5:
        a, b = rng.sample(range(len(objs)), 2)
        overlap_ok = objs[a].count == objs[b].count == 1 and objs[a].color != objs[b].color
        choices = list(RELATIONS) if overlap_ok and rng.random() < 0.3 else list(RELATIONS[:4])
        spec.relations.append(RelationSpec(subject=a, relation=rng.choice(choices), target=b))
        return
    for obj in objs:
        if rng.random() < 0.55:
            obj.position = rng.choice(POSITIONS if obj.count <= 2 else POSITIONS[:5])


def sample_row(rng: random.Random, n_panels: int, kind_weights: Mapping[str, float] | None = None) -> list[SceneSpec]:
    """Panels of one story: the fox keeps its color and size, some objects recur across panels."""
    fox = sample_object(rng, kinds=(CHARACTER,)) if rng.random() < 0.7 else None
    cast = [sample_object(rng, kinds=OBJECTS[:-1], max_count=2, kind_weights=kind_weights) for _ in range(2)]
    specs = []
    for _ in range(n_panels):
        while True:
            objects = [fox.model_copy()] if fox else []
            for obj in cast:
                if rng.random() < 0.5 and all((o.kind, o.color) != (obj.kind, obj.color) for o in objects):
                    objects.append(obj.model_copy())
            if not objects or rng.random() < 0.3:
                extra = sample_object(rng, kinds=OBJECTS[:-1], max_count=3, kind_weights=kind_weights)
                if all((o.kind, o.color) != (extra.kind, extra.color) for o in objects):
                    objects.append(extra)
            objects = objects[:3]
            if sum(o.count for o in objects) > 6:
                continue
            if spec := _placed(objects, rng):
                specs.append(spec)
                break
    return specs
