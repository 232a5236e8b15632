"""Reading a storybook scene from words: a prompt's objects, colors, counts, places and sky.

The hub plans nano's grounded boxes from it, and the critic maps a subject's name, color and
background words onto the world's with the same functions, so both read a prompt alike.
"""

from __future__ import annotations

from chatdit.lexicon import ARTICLES, NUMBER_WORDS, RELATION_PHRASES, SIZE_WORDS
from chatdit.storybook.scene import ObjectSpec, RelationSpec, SceneSpec
from chatdit.storybook.vocabulary import CHARACTER, COLOR_NAMES, COLORS, NOUNS, word_matches, words

# Day last: "a snowy day" is snow, and "day" is the world's default sky.
_BACKGROUND_WORDS = {
    "night": ("night", "dark", "nighttime"), "sunset": ("sunset", "dusk", "evening"),
    "sea": ("sea", "water", "ocean"), "snow": ("snow", "snowy", "winter"),
    "day": ("day", "sunny", "daytime", "grass", "bright"),
}
# longest first; a relation counts only where it leads straight into the next object's words
_RELATIONS = sorted(((tuple(phrase.split()), relation) for phrase, relation in RELATION_PHRASES), key=lambda p: -len(p[0]))
_ACROSS = {"left": "left", "right": "right"}
_DOWN = {"top": "top", "high": "top", "bottom": "bottom", "low": "bottom"}


def world_kind(name: str) -> str | None:
    """The world's kind a subject's name ends in ('the little fox', 'stars'), or None."""
    return NOUNS.get(name.lower().split()[-1]) if name.strip() else None


def world_color(color: str | None) -> str | None:
    """The color as the world names it, or None when the world has no such color."""
    return color.lower() if color and color.lower() in COLORS else None


def world_background(text: str | None) -> str | None:
    """The world's background a text's words name ('on a snowy day' -> snow), or None."""
    found = set(words(text or ""))
    for name, cues in _BACKGROUND_WORDS.items():
        if found & set(cues):
            return name
    return None


def _relation_at_end(gap: list[str]) -> tuple[int, str] | None:
    """(where it starts, relation) when the gap ends in a relation word (articles after it allowed)."""
    while gap and gap[-1] in ARTICLES:
        gap = gap[:-1]
    for phrase, relation in _RELATIONS:
        if tuple(gap[-len(phrase):]) == phrase:
            return len(gap) - len(phrase), relation
    return None


def _position(gap: list[str]) -> str | None:
    across = next((_ACROSS[w] for w in gap if w in _ACROSS), None)
    down = next((_DOWN[w] for w in gap if w in _DOWN), None)
    if across and down:
        return f"{down} {across}"
    if across or down:
        return across or down
    return "center" if {"middle", "center", "centre"} & set(gap) else None


def _count(word: str) -> int | None:
    """The count a word says ('three', '3', 'several'), or None."""
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def _found_objects(tokens: list[str]) -> list[tuple[int, int, ObjectSpec | None]]:
    """(first word, noun index, spec) of every world noun; spec None when it has no color."""
    found: list[tuple[int, int, ObjectSpec | None]] = []
    for index, word in enumerate(tokens):
        if word not in NOUNS:
            continue
        start, color, count, size = index, None, None, "medium"
        while start > 0 and (tokens[start - 1] in ARTICLES or tokens[start - 1] in SIZE_WORDS
                             or _count(tokens[start - 1]) is not None or tokens[start - 1] in COLOR_NAMES):
            start -= 1
            before = tokens[start]
            color = color or (before if before in COLOR_NAMES else None)
            count = count or _count(before)
            size = SIZE_WORDS.get(before, size)
        kind = NOUNS[word]
        plural = word != kind or (kind == "fish" and (count or 1) > 1)
        count = 1 if kind == CHARACTER else min(count or (2 if plural else 1), 4)
        spec = ObjectSpec(kind=kind, color=color, count=count, size=size) if color else None
        found.append((start, index, spec))
    return found


def uncolored_nouns(text: str) -> list[tuple[int, str]]:
    """(where it starts in the text, kind) of every world noun no color word qualifies: the hub
    colors these before nano draws (chatdit/dit/nano/prompts.py)."""
    matches = word_matches(text)
    found = _found_objects([match.group(0).lower() for match in matches])
    return [(matches[noun].start(), NOUNS[matches[noun].group(0).lower()]) for _, noun, spec in found if spec is None]


def object_groups(named: list[ObjectSpec | None]) -> tuple[list[ObjectSpec], dict[int, int]]:
    """The object groups a scene draws from the objects named in order (None: one the world cannot
    draw), and each named object's group: one group a kind and color, one fox (the character), at
    most four groups."""
    groups: list[ObjectSpec] = []
    group_of: dict[int, int] = {}
    for index, spec in enumerate(named):
        if spec is None:
            continue
        same = next((g for g, o in enumerate(groups) if (o.kind, o.color) == (spec.kind, spec.color)
                     or o.kind == spec.kind == CHARACTER), None)
        if same is None and len(groups) < 4:
            groups.append(spec)
            same = len(groups) - 1
        if same is not None:
            group_of[index] = same
    return groups, group_of


def read_scene(text: str) -> SceneSpec | None:
    """The storybook scene one panel's prompt describes ('two red stars left of a blue house at
    night'), or None when it names neither an object nor a background of the world. Objects
    without a color get none here: the hub completes colors before (chatdit/dit/nano/prompts.py);
    such an object is skipped."""
    tokens = words(text)
    found = _found_objects(tokens)
    objects, slot = object_groups([spec for _, _, spec in found])
    background = world_background(text)
    if not objects:
        return SceneSpec(background=background) if background else None
    scene = SceneSpec(background=background or "day", objects=objects)
    for k, (_, noun, _) in enumerate(found):
        if k not in slot:
            continue
        gap = tokens[noun + 1: found[k + 1][0] if k + 1 < len(found) else len(tokens)]
        relation = _relation_at_end(gap) if k + 1 < len(found) and k + 1 in slot else None
        if relation and slot[k] != slot[k + 1]:
            scene.relations.append(RelationSpec(subject=slot[k], relation=relation[1], target=slot[k + 1]))
            gap = gap[: relation[0]]
        position = _position(gap)
        if position and scene.objects[slot[k]].position is None:
            scene.objects[slot[k]].position = position
    return scene
