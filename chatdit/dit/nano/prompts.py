"""Prompts as the nano model was trained to read them: every object with a color.

Every caption of the storybook world names a color for every object, so nano draws almost
nothing for "two foxes in the snow" (an object drawn in 0.10 of pictures against 0.95 with
colors; `bench/nano_eval.py`'s held-out specs with the color words removed). A person often leaves
colors out, so the hub gives an uncolored world object the color it has in a picture book (and
the same one on every page: the fox stays orange). The critic still checks only what was asked.
"""

from __future__ import annotations

import re

from chatdit.schema import Scene, Subject
from chatdit.storybook import (
    CHARACTER,
    COLOR_NAMES,
    NOUNS,
    SIZE_WORDS,
    ObjectSpec,
    RelationSpec,
    SceneSpec,
    world_background,
    world_color,
    world_kind,
)
from chatdit.storybook.reading import object_groups

DEFAULT_COLORS = {
    "fox": "orange", "tree": "green", "sun": "yellow", "moon": "yellow", "cloud": "white", "star": "yellow",
    "heart": "red", "flower": "pink", "fish": "orange", "bird": "blue", "boat": "red", "house": "brown",
    "circle": "red", "square": "blue", "triangle": "green",
}
_ADJECTIVE = "|".join((*COLOR_NAMES, *SIZE_WORDS))
_PATTERN = re.compile(rf"\b((?:(?:{_ADJECTIVE})\s+)*)({'|'.join(sorted(NOUNS, key=len, reverse=True))})\b", re.IGNORECASE)


def complete_colors(prompt: str) -> str:
    """'two foxes under a big tree' -> 'two orange foxes under a big green tree'; colored objects
    and words outside the world are left as they are."""

    def colored(match: re.Match) -> str:
        adjectives, noun = match.group(1), match.group(2)
        if any(word.lower() in COLOR_NAMES for word in adjectives.split()):
            return match.group(0)
        return f"{adjectives}{DEFAULT_COLORS[NOUNS[noun.lower()]]} {noun}"

    return _PATTERN.sub(colored, prompt)


def world_scene(scene: Scene) -> SceneSpec | None:
    """The storybook scene a panel's understood subjects and setting ask for, each object in the
    color asked or its picture-book color, grouped as the reader of words groups them; None when
    it names nothing of the world."""
    objects, group_of = object_groups([_world_object(subject) for subject in scene.subjects])
    background = world_background(scene.background)
    if not objects:
        return SceneSpec(background=background) if background else None
    relations = [RelationSpec(subject=group_of[index], relation=where.relation, target=group_of[where.target])
                 for index, subject in enumerate(scene.subjects) for where in (subject.position, subject.depth)
                 if where and index in group_of and where.target in group_of and group_of[index] != group_of[where.target]]
    return SceneSpec(background=background or "day", objects=objects, relations=relations)


def _world_object(subject: Subject) -> ObjectSpec | None:
    kind = world_kind(subject.name)
    if kind is None:
        return None
    size = next((SIZE_WORDS[word] for word in subject.attributes if word in SIZE_WORDS), "medium")
    return ObjectSpec(kind=kind, color=world_color(subject.color) or DEFAULT_COLORS[kind], size=size,
                      count=1 if kind == CHARACTER else min(subject.count, 4))
