"""What kind of word a word is, from a real English lexicon (lemminflect) plus the parser's lists.

lemminflect ships its lemma tables inside the wheel, so this works offline. It tells which parts of
speech a word can be ('sizzled': verb only; 'fish': noun or verb); the grammar in
chatdit.llm.subjects decides between them from the words around it.
"""

from __future__ import annotations

from functools import lru_cache

from chatdit.llm.vocab import COLORS, NOUNS, singular

PLACE_NOUNS = {
    "forest", "woods", "wood", "park", "city", "town", "village", "garden", "kitchen", "room", "street", "desert",
    "jungle", "field", "meadow", "mountains", "space", "library", "classroom", "farm", "countryside", "cave", "sky",
    "rain", "office", "museum", "playground", "zoo", "market", "school", "studio", "bathroom", "attic", "swamp",
    "valley", "savanna", "arctic", "island", "river", "lake", "sea", "ocean", "beach", "den", "home", "burrow",
    "world", "land", "night", "day", "moonlight", "sunlight", "sunshine", "air", "water", "ground", "snow", "ice",
    "shore", "pond", "path", "trail", "bedroom", "hall", "hallway", "yard", "backyard", "shop", "store", "bakery",
    "café", "cafe", "restaurant", "station", "airport", "harbor", "harbour", "port", "stage", "theater", "theatre",
    "hospital", "church", "palace", "kingdom", "country", "universe", "galaxy", "orbit", "clearing", "glade",
    "grove", "orchard", "seaside", "coast", "wave", "waves", "storm", "wind", "fog", "mist", "darkness", "dusk",
    "dawn", "sunset", "sunrise", "evening", "morning", "afternoon", "midnight", "winter", "summer", "spring",
    "autumn", "fall", "weather", "outside", "inside", "underground", "distance", "background", "foreground",
    "scene", "place", "town square", "neighborhood", "neighbourhood", "camp", "campsite", "road",
}
"""Nouns that say where a scene is: a setting to draw, never a subject to count or check."""

PART_NOUNS = {
    "coat", "fur", "belly", "tail", "feather", "wing", "eye", "ear", "paw", "hair", "nose", "mane", "scale",
    "beak", "whisker", "spot", "stripe", "horn", "hoof", "claw", "fin", "face", "smile", "cheek", "leg", "arm",
    "hand", "foot", "head", "body", "skin", "shell", "antler", "tooth", "teeth", "snout", "muzzle", "chest",
    "back", "neck", "mouth", "tongue", "eyebrow", "freckle", "pattern", "marking", "patch", "tip",
    "scarf", "hat", "cap", "boot", "cape", "jacket", "dress", "glasses", "bow", "collar", "backpack", "shirt",
    "sweater", "hood", "helmet", "crown", "necklace", "vest", "apron", "shoe", "sock", "glove", "mitten",
    "bandana", "ribbon", "tie", "belt", "overalls", "trousers", "pants", "skirt", "suit", "uniform", "outfit",
    "clothes", "costume", "goggles", "sunglasses", "bag", "satchel", "pocket", "button",
}
"""Body parts, clothes and things worn: after 'a fox with ...' they describe the fox."""

MATERIALS = {
    "glass", "paper", "stone", "wood", "metal", "leather", "plastic", "rubber", "fabric", "wool", "silk", "velvet",
    "cotton", "ceramic", "porcelain", "steel", "iron", "marble", "brick", "clay", "bamboo", "denim", "crystal",
    "concrete", "copper", "bronze", "wicker", "lace", "linen", "suede", "felt", "cardboard", "foam", "tin",
    "aluminum", "aluminium", "chocolate", "ice", "straw", "fur", "gold", "silver",
}
"""What a thing is made of ('a glass bottle'): an attribute, never part of the thing's name."""

PARTICLES = {"up", "down", "out", "off", "away", "back", "around", "about", "over", "home", "together", "again",
             "very", "fast", "slowly", "quickly", "happily", "too", "also", "just", "still", "now", "then"}
"""Adverbs and verb particles ('wake up', 'run away'): never a subject."""


@lru_cache(maxsize=8192)
def parts_of_speech(word: str) -> frozenset[str]:
    """The universal POS tags a word can have ('NOUN', 'VERB', 'ADJ', 'ADV', ...); empty if unknown."""
    from lemminflect import getAllLemmas

    return frozenset(getAllLemmas(word.lower()))


def is_known_noun(word: str) -> bool:
    base = word.replace("_", " ")
    return base in NOUNS or singular(base) in NOUNS or "_" in word


def can_be_noun(word: str) -> bool:
    tags = parts_of_speech(word)
    return is_known_noun(word) or "NOUN" in tags or "PROPN" in tags or not tags


def only_verb(word: str) -> bool:
    """A word that can only be a verb here ('sizzled', 'sang', 'laughing', 'attracted')."""
    if is_known_noun(word) or word in COLORS:
        return False
    tags = parts_of_speech(word)
    return "VERB" in tags and not tags & {"NOUN", "ADJ", "PROPN"}


def noun_or_verb(word: str) -> bool:
    """A word that may be either ('work', 'go', 'tricks'): the words around it decide."""
    tags = parts_of_speech(word)
    return "VERB" in tags and ("NOUN" in tags or is_known_noun(word))


def is_place(name: str) -> bool:
    return name in PLACE_NOUNS or name.split()[-1] in PLACE_NOUNS


def is_part(name: str) -> bool:
    return singular(name.split()[-1]) in PART_NOUNS
