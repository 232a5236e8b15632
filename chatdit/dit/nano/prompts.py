"""Prompts as the nano model was trained to read them: every object with a color.

Every caption of the storybook world names a color for every object, so nano draws almost
nothing for "two foxes in the snow" (an object drawn in 0.10 of pictures against 0.95 with
colors; `bench/nano_eval.py`'s held-out specs with the color words removed). A person often leaves
colors out, so the hub gives an uncolored world object the color it has in a picture book (and
the same one on every page: the fox stays orange). The critic still checks only what was asked.
A planned panel carries the scene the parser understood; `world_scene` turns it into the world's
scene, so the hub draws from those fields instead of reading the prompt's words again.
"""

from __future__ import annotations

from chatdit.lexicon import SIZE_WORDS
from chatdit.schema import Depth, Position, Scene, Subject
from chatdit.storybook.reading import object_groups, uncolored_nouns, world_background, world_color, world_kind
from chatdit.storybook.scene import ObjectSpec, RelationSpec, SceneSpec
from chatdit.storybook.vocabulary import CHARACTER

DEFAULT_COLORS = {
    "fox": "orange", "tree": "green", "sun": "yellow", "moon": "yellow", "cloud": "white", "star": "yellow",
    "heart": "red", "flower": "pink", "fish": "orange", "bird": "blue", "boat": "red", "house": "brown",
    "circle": "red", "square": "blue", "triangle": "green",
}

PLACES = {"left of": "left", "right of": "right", "above": "top", "below": "bottom"}
"""Where in the picture an object goes beside something the world cannot draw."""


def complete_colors(prompt: str) -> str:
    """'two foxes under a big tree' -> 'two orange foxes under a big green tree'; colored objects
    and words outside the world are left as they are. The storybook reader finds the objects, so
    nano colors exactly those it would otherwise skip."""
    parts, last = [], 0
    for start, kind in uncolored_nouns(prompt):
        parts += [prompt[last:start], DEFAULT_COLORS[kind], " "]
        last = start
    return "".join(parts) + prompt[last:]


def world_scene(scene: Scene) -> SceneSpec | None:
    """The storybook scene a panel's understood subjects and setting ask for, each object in the
    color asked or its picture-book color, grouped as the word reader groups them (one group a
    kind and color, one fox, at most four), placed toward a side where its relation's target is
    not drawn; None when it names nothing of the world."""
    objects, group_of = object_groups([_world_object(subject) for subject in scene.subjects])
    background = world_background(scene.background)
    if not objects:
        return SceneSpec(background=background) if background else None
    for index, subject in enumerate(scene.subjects):  # 'a bird right of a microwave': the bird on the right
        if subject.position and subject.position.target not in group_of and index in group_of:
            placed = objects[group_of[index]]
            placed.position = placed.position or PLACES[subject.position.relation]
    relations = [RelationSpec(subject=group_of[index], relation=where.relation, target=group_of[where.target])
                 for index, subject in enumerate(scene.subjects) for where in (subject.position, subject.depth)
                 if where and index in group_of and where.target in group_of and group_of[index] != group_of[where.target]]
    return SceneSpec(background=background or "day", objects=objects, relations=relations)


WORLD_RELATIONS = {"left of": "position", "right of": "position", "above": "position", "below": "position",
                   "in front of": "depth", "behind": "depth"}


def scene_asking(spec: SceneSpec) -> Scene:
    """The understood scene that asks for this world scene (`world_scene` gives it back, but for
    an object's own place in the picture, which a Scene has no field for): how a drawing planned
    in the world's own terms (a kind drawn alone for a repair) reaches a tool as fields."""
    subjects = [Subject(name=obj.kind, count=obj.count, color=obj.color, attributes=[obj.size] if obj.size != "medium" else [])
                for obj in spec.objects]
    for rel in spec.relations:
        field = WORLD_RELATIONS[rel.relation]
        where = (Position if field == "position" else Depth)(relation=rel.relation, target=rel.target)
        subjects[rel.subject] = subjects[rel.subject].model_copy(update={field: where})
    return Scene(subjects=subjects, background=spec.background)


def _world_object(subject: Subject) -> ObjectSpec | None:
    kind = world_kind(subject.name)
    if kind is None:
        return None
    size = next((SIZE_WORDS[word] for word in subject.attributes if word in SIZE_WORDS), "medium")
    return ObjectSpec(kind=kind, color=world_color(subject.color) or DEFAULT_COLORS[kind], size=size,
                      count=1 if kind == CHARACTER else min(subject.count, 4))
