"""The words every reader of a prompt shares: numbers, colors, relations, articles, sizes, plurals.

The parser (chatdit/llm/), the storybook world's reader (chatdit/storybook/) and the critics read
the same message; keeping their word tables here means "beneath" or "several" is learned by all
of them at once. It imports nothing of chatdit, so the lowest packages can use it.
"""

from __future__ import annotations

from functools import lru_cache

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12,
    "pair": 2, "couple": 2, "several": 3, "few": 3, "zero": 0, "no": 0,
}
"""'a pair of', 'a couple of', 'a few' and 'several' are read as the count a person would draw."""
NUMBER_NAMES = {n: w for w, n in NUMBER_WORDS.items() if w in (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty")}
"""How a count is written back in words: 3 -> 'three'."""

BASE_COLORS = [
    "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "white", "black", "gray",
    "grey", "violet", "indigo", "cyan", "magenta", "turquoise", "teal", "beige", "gold", "golden",
    "silver", "maroon", "navy", "crimson", "scarlet", "lavender", "lime", "olive", "tan", "ivory",
    "cream", "khaki", "amber", "bronze", "coral", "peach", "mint", "aqua", "burgundy", "blond",
    "blonde", "ginger", "black-and-white",
]
"""Colors a critic can check; 'colorful' and 'rainbow' describe, they name no one color."""
COLOR_SHADES = {"light", "dark", "pale", "bright", "deep", "navy", "sky", "hot", "royal", "neon"}
COLOR_CANONICAL = {"grey": "gray", "golden": "gold", "blonde": "blond"}
COLORS = set(BASE_COLORS)

RELATION_PHRASES: list[tuple[str, str]] = [
    ("on the left side of", "left of"), ("on the left of", "left of"), ("to the left of", "left of"),
    ("at the left of", "left of"), ("left of", "left of"),
    ("on the right side of", "right of"), ("on the right of", "right of"), ("to the right of", "right of"),
    ("at the right of", "right of"), ("right of", "right of"),
    ("on the top of", "above"), ("on top of", "above"), ("at the top of", "above"), ("above", "above"),
    ("over", "above"), ("atop", "above"),
    ("on the bottom of", "below"), ("at the bottom of", "below"), ("below", "below"), ("under", "below"),
    ("underneath", "below"), ("beneath", "below"),
    ("in front of", "in front of"), ("in the front of", "in front of"),
    ("hidden behind", "behind"), ("hidden by", "behind"), ("covered by", "behind"), ("in back of", "behind"),
    ("behind", "behind"),
]
"""Every phrase that places one thing against another, to its relation; longer phrases before
the shorter ones they end in, so 'to the left of' wins over 'left of'."""

ARTICLES = frozenset({"a", "an", "the", "one", "some"})
"""Words that open a noun phrase without saying anything about the thing."""
SIZE_WORDS = {"small": "small", "little": "small", "tiny": "small", "big": "large", "large": "large", "huge": "large",
              "medium": "medium"}
"""Every size word a prompt may use, to the size it means."""

IRREGULAR_PLURALS = {
    "people": "person", "persons": "person", "men": "man", "women": "woman", "children": "child",
    "mice": "mouse", "geese": "goose", "teeth": "tooth", "feet": "foot", "oxen": "ox", "knives": "knife",
    "wolves": "wolf", "leaves": "leaf", "loaves": "loaf", "shelves": "shelf", "scarves": "scarf",
    "halves": "half", "calves": "calf", "elves": "elf", "lives": "life", "wives": "wife",
    "cacti": "cactus", "fungi": "fungus", "octopi": "octopus", "octopuses": "octopus",
    "buses": "bus", "glasses": "glass", "dresses": "dress", "classes": "class", "boxes": "box",
    "foxes": "fox", "benches": "bench", "couches": "couch", "sandwiches": "sandwich", "watches": "watch",
    "peaches": "peach", "brushes": "brush", "dishes": "dish", "bushes": "bush", "tomatoes": "tomato",
    "potatoes": "potato", "heroes": "hero", "volcanoes": "volcano", "mangoes": "mango", "dice": "die",
    "skis": "skis", "scissors": "scissors", "pants": "pants", "jeans": "jeans", "shorts": "shorts",
    "clothes": "clothes", "sunglasses": "sunglasses", "binoculars": "binoculars", "stairs": "stairs",
    "cookies": "cookie", "movies": "movie", "pies": "pie", "ties": "tie", "horses": "horse",
    "houses": "house", "vases": "vase", "cases": "case", "roses": "rose", "noses": "nose",
    "candles": "candle", "apples": "apple", "giraffes": "giraffe", "chefs": "chef", "roofs": "roof",
    "cliffs": "cliff", "handkerchiefs": "handkerchief",
}
INVARIANT_NOUNS = {"sheep", "fish", "deer", "moose", "salmon", "trout", "bison", "aircraft", "series",
                   "species", "glass", "grass", "bus", "dress", "class", "cactus", "octopus", "lotus",
                   "hippopotamus", "walrus", "bass", "chess", "moss", "gas", "news", "tennis", "lens"}


@lru_cache(maxsize=16384)
def singular(word: str) -> str:
    """The singular of an English noun ('knives' -> 'knife', 'prizes' -> 'prize'): the tables above,
    then lemminflect's lemma where it knows one answer, then the usual rules."""
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if word in INVARIANT_NOUNS or len(word) <= 3:
        return word
    from lemminflect import getLemma

    lemmas = getLemma(word, upos="NOUN", lemmatize_oov=False)
    if len(lemmas) == 1 and lemmas[0] and word.endswith("s"):
        return lemmas[0]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def is_plural(word: str) -> bool:
    """Whether a noun names more than one thing ('foxes'); 'scissors' and 'jeans' name one."""
    return singular(word) != word and word not in ("skis", "scissors", "pants", "jeans")


_IRREGULAR_SINGULARS = {one: many for many, one in IRREGULAR_PLURALS.items()}


def plural(noun: str) -> str:
    """The plural of a one-word English noun ('fox' -> 'foxes', 'mouse' -> 'mice', 'berry' ->
    'berries'), for writing a count back in words and for finding a noun's plural in a prompt."""
    if noun in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[noun]
    if noun in ("sheep", "fish", "deer"):
        return noun
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "es" if noun.endswith(("s", "x", "ch", "sh")) else noun + "s"
