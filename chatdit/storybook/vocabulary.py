"""The storybook world's words: every kind, color, background, size and place it knows.

One list serves the renderer, the captions, the detector, the reader of prompts and the critic,
so a word the world learns is learned everywhere at once. Words every prompt reader shares
(numbers, relation phrases, size words, articles) come from chatdit.lexicon.
"""

from __future__ import annotations

import re
from typing import Literal

from chatdit.lexicon import RELATION_PHRASES

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (215, 35, 35),
    "orange": (250, 140, 20),
    "yellow": (250, 220, 30),
    "green": (30, 150, 40),
    "blue": (40, 80, 225),
    "purple": (135, 55, 185),
    "pink": (245, 120, 185),
    "brown": (125, 75, 35),
    "white": (255, 255, 255),
    "black": (15, 15, 15),
}
COLOR_NAMES = tuple(COLORS)

# (sky, ground) of every background; chosen far from every object color.
BACKGROUNDS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "day": ((160, 210, 250), (120, 200, 110)),
    "night": ((25, 30, 80), (50, 60, 75)),
    "sunset": ((250, 175, 125), (150, 90, 115)),
    "sea": ((175, 225, 250), (20, 140, 150)),
    "snow": ((150, 165, 190), (205, 220, 240)),
}
BACKGROUND_NAMES = tuple(BACKGROUNDS)

OBJECTS = ("circle", "square", "triangle", "star", "heart", "tree", "house", "sun", "moon", "cloud",
           "flower", "fish", "boat", "bird", "fox")
CHARACTER = "fox"
PLURALS = {kind: kind + "s" for kind in OBJECTS} | {"fish": "fish", "fox": "foxes"}
NOUNS = {PLURALS[kind]: kind for kind in OBJECTS} | {kind: kind for kind in OBJECTS}
"""Every world noun, singular or plural, to its kind."""
SIZES = {"small": 11, "medium": 15, "large": 20}

POSITIONS = ("left", "right", "top", "bottom", "center", "top left", "top right", "bottom left", "bottom right")
RELATIONS = tuple(dict.fromkeys(relation for _, relation in RELATION_PHRASES))
"""The relations one object can have to another: left of, right of, above, below, in front of, behind."""

Kind = Literal["circle", "square", "triangle", "star", "heart", "tree", "house", "sun", "moon", "cloud",
               "flower", "fish", "boat", "bird", "fox"]
Color = Literal["red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "white", "black"]
Background = Literal["day", "night", "sunset", "sea", "snow"]
Position = Literal["left", "right", "top", "bottom", "center", "top left", "top right", "bottom left", "bottom right"]
RelationName = Literal["left of", "right of", "above", "below", "in front of", "behind"]

_FUNCTION_WORDS = ["a", "an", "the", "one", "two", "three", "four", "1", "2", "3", "4", "and", "with", "of", "to", "on", "in", "at", "by", "under", "over", "above", "below", "beneath", "left", "right", "top", "bottom", "middle", "center", "corner", "of", "front", "behind", "up", "high", "down", "low", "sunny", "day", "daytime", "blue", "sky", "bright", "grass", "night", "dark", "nighttime", "sunset", "evening", "glow", "dusk", "sea", "water", "snowy", "snow", "winter", "ground", "small", "little", "big", "large", "medium", "empty", "scene", "nothing", "panels", "panel", "is", "are", "there", "some", "picture", "image", "draw", "show", "me", "please"]

WORLD_WORDS: frozenset[str] = frozenset(
    set(_FUNCTION_WORDS) | set(COLORS) | set(OBJECTS) | set(PLURALS.values()) | set(BACKGROUNDS))

_WORD_RE = re.compile(r"\[panel-\d+\]|[a-z0-9]+", re.IGNORECASE)


def word_matches(prompt: str) -> list[re.Match[str]]:
    """The words of a prompt where they stand, panel tags kept whole."""
    return list(_WORD_RE.finditer(prompt or ""))


def words(prompt: str) -> list[str]:
    """Lower-cased words of a prompt, panel tags kept whole."""
    return [match.group(0).lower() for match in word_matches(prompt)]
