"""Natural captions of storybook scenes, worded differently per draw so a model learns the words.

These are the captions nano was trained on; the critic also writes one for what a picture
actually shows (critics/world.py's describe_scene).
"""

from __future__ import annotations

import random

from chatdit.lexicon import NUMBER_NAMES
from chatdit.storybook.scene import ObjectSpec, SceneSpec
from chatdit.storybook.vocabulary import CHARACTER, PLURALS

_BG_PHRASES = {
    "day": ["on a sunny day", "in the daytime", "under a blue sky", "day", "on a bright day", "on the grass"],
    "night": ["at night", "under the night sky", "night", "in the dark night", "at nighttime"],
    "sunset": ["at sunset", "sunset", "in the evening glow", "at dusk", "under a sunset sky"],
    "sea": ["by the sea", "at sea", "over the sea", "sea", "on the water"],
    "snow": ["in the snow", "on a snowy day", "snow", "in winter snow", "on snowy ground"],
}
_POS_PHRASES = {
    "left": ["on the left", "at the left", "left"], "right": ["on the right", "at the right", "right"],
    "top": ["at the top", "up high", "top"], "bottom": ["at the bottom", "down low", "bottom"],
    "center": ["in the middle", "in the center", "center"],
    "top left": ["in the top left corner", "at the top left", "top left"],
    "top right": ["in the top right corner", "at the top right", "top right"],
    "bottom left": ["in the bottom left corner", "at the bottom left", "bottom left"],
    "bottom right": ["in the bottom right corner", "at the bottom right", "bottom right"],
}
_REL_PHRASES = {
    "left of": ["left of", "to the left of", "on the left of"],
    "right of": ["right of", "to the right of", "on the right of"],
    "above": ["above", "over"], "below": ["below", "under", "beneath"],
    "in front of": ["in front of"], "behind": ["behind"],
}


def describe_object(obj: ObjectSpec, rng: random.Random, with_size: bool | None = None) -> str:
    """'a red circle', 'two big blue stars', 'the pink fox'."""
    size_word = ""
    if with_size if with_size is not None else rng.random() < 0.25:
        size_word = {"small": rng.choice(["small", "little"]), "medium": "", "large": rng.choice(["big", "large"])}[obj.size]
    noun = obj.kind if obj.count == 1 else PLURALS[obj.kind]
    if obj.count == 1:
        article = "the" if obj.kind == CHARACTER and rng.random() < 0.5 else rng.choice(["a", "one"]) if rng.random() < 0.2 else "a"
        words = [article, size_word, obj.color, noun]
    else:
        number = NUMBER_NAMES[obj.count] if rng.random() < 0.85 else str(obj.count)
        words = [number, size_word, obj.color, noun]
    return " ".join(w for w in words if w)


def caption(spec: SceneSpec, rng: random.Random | None = None) -> str:
    """One natural caption of a scene, phrased differently per rng draw."""
    rng = rng or random.Random(0)
    phrases = [describe_object(obj, rng) for obj in spec.objects]
    for i, obj in enumerate(spec.objects):
        if obj.position:
            phrases[i] += " " + rng.choice(_POS_PHRASES[obj.position])
    used: set[int] = set()
    clauses = []
    for rel in spec.relations:
        if rel.subject in used or rel.target in used:
            continue
        clauses.append(f"{phrases[rel.subject]} {rng.choice(_REL_PHRASES[rel.relation])} {phrases[rel.target]}")
        used |= {rel.subject, rel.target}
    clauses += [p for i, p in enumerate(phrases) if i not in used]
    rng.shuffle(clauses)
    if not clauses:
        body = ""
    elif len(clauses) == 1:
        body = clauses[0]
    else:
        body = ", ".join(clauses[:-1]) + rng.choice([" and ", ", "]) + clauses[-1]
    bg = rng.choice(_BG_PHRASES[spec.background])
    if not body:
        return rng.choice(["an empty scene ", "nothing ", ""]) + bg
    return rng.choice([f"{body} {bg}", f"{body}, {bg}", f"{bg}: {body}", f"{body} {bg}"]).strip()
