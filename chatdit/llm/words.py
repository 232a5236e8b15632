"""What kind of word a word is, from a real English lexicon (lemminflect) plus the parser's lists.

lemminflect ships its lemma tables inside the wheel, so this works offline. It tells which parts of
speech a word can be ('sizzled': verb only; 'fish': noun or verb); the grammar in
chatdit.llm.subjects decides between them from the words around it.
"""

from __future__ import annotations

from functools import lru_cache

from chatdit.llm.vocab import COLORS, NOUNS, singular

DETERMINERS = {"the", "this", "that", "these", "those", "his", "her", "its", "their", "my", "our", "your",
               "some", "any", "each", "every", "another", "other", "many", "much", "more", "most", "all",
               "both", "lots", "various"}
VERBISH = {"is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did",
           "stood", "stands", "stand", "sat", "sits", "sit", "lay", "lies", "lie", "hung", "hangs", "hang",
           "rest", "rests", "rested", "added", "contrasted", "looks", "look", "seems", "seem", "appears",
           "appear", "can", "could", "will", "would", "should", "may", "might", "must", "gets", "got",
           "makes", "made", "goes", "went", "learns", "learn", "finds", "found", "meets", "met", "wants",
           "there", "here", "it", "they", "he", "she", "we", "i", "you", "filled", "covered", "placed",
           "parked", "decorated", "played", "hides", "flies", "fly", "swims", "runs", "jumps", "sleeps",
           "eats", "drinks", "reads", "plays", "walks", "sings", "dances", "holds", "wears"}
INTENSIFIERS = {"very", "really", "quite", "so", "too", "extremely", "super", "rather", "slightly", "fairly"}
ADJECTIVE_SUFFIXES = ("y", "ful", "ous", "ic", "al", "en", "ish", "less", "ive", "ble", "ed", "est", "er", "ant", "ent")
KNOWN_ADJECTIVES = {
    "big", "small", "tiny", "large", "huge", "little", "giant", "old", "young", "new", "happy", "sad", "cute",
    "tall", "short", "long", "thin", "wide", "fat", "round", "flat", "soft", "hard", "smooth", "rough", "sharp",
    "plastic", "leather", "fabric", "rubber", "metal", "metallic", "wooden", "ceramic", "cotton", "wool", "woolen",
    "silk", "velvet", "fluffy", "furry", "shiny", "fuzzy", "striped",
    "spotted", "plump", "juicy", "prickly", "warm", "cold", "hot", "cool", "wet", "dry", "clean", "dirty",
    "beautiful", "pretty", "ugly", "brave", "shy", "kind", "friendly", "angry", "sleepy", "hungry", "magic",
    "magical", "wild", "fierce", "gentle", "lonely", "curious", "clever", "funny", "fast", "slow", "heavy",
    "light", "dark", "bright", "pale", "deep", "triangular", "circular", "oval", "rectangular",
    "steel", "iron", "transparent", "broken", "empty", "full",
    "open", "closed", "vintage", "modern", "ancient", "red", "fresh", "ripe", "sweet", "sour", "tangy",
}

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
    "scene", "place", "town square", "hill", "hills", "mountain", "mountains", "hillside", "riverbank", "neighborhood", "neighbourhood", "camp", "campsite", "road",
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
    "aluminum", "aluminium", "burlap", "chocolate", "ice", "straw", "fur", "gold", "silver",
}
"""What a thing is made of ('a glass bottle'): an attribute, never part of the thing's name."""

SHAPES = {
    "round", "square", "oval", "teardrop", "diamond", "pyramidal", "conical", "cubic", "spherical", "triangular",
    "rectangular", "crescent", "oblong", "cylindrical", "circular", "hexagonal", "heart-shaped", "star-shaped",
}
"""Shape words before a noun ('a teardrop mango'): how it looks, not part of its name."""

ABSTRACT_SUFFIXES = ("ness", "ity", "ment", "tion", "sion", "ance", "ence", "ship", "dom", "ism", "hood")
ABSTRACT_NOUNS = {
    "beauty", "strength", "skill", "symbol", "testament", "touch", "addition", "comfort", "elegance", "warmth",
    "harmony", "contrast", "sense", "feeling", "atmosphere", "charm", "grace", "joy", "love", "peace", "hope",
    "fear", "life", "time", "way", "idea", "dream", "adventure", "journey", "story", "magic", "fun", "glow",
    "shade", "shadow", "light", "sound", "music", "silence", "air", "heat", "cold", "texture", "color", "colour",
    "shape", "size", "style", "mood", "spirit", "energy", "power", "nature", "art", "lot", "kind", "sort", "type",
    "variety", "array", "range", "mix", "blend", "hint", "trick", "game", "help", "work", "rest", "end", "edge",
    "goodbye", "hello", "thanks", "bedtime", "day", "title", "hero", "protagonist",
}
"""Nouns no picture can show as a thing: never subjects."""

PARTITIVES = {"piece", "slice", "bit", "chunk", "scoop", "drop", "handful", "loaf", "stack", "pile", "heap",
              "bunch", "pair", "set", "group", "row", "line", "edge", "side", "top", "bottom", "corner", "end",
              "middle", "center", "surface", "petal", "carving", "part", "half", "tip", "front", "back"}
"""'a slice of toast', 'the edge of a bowl': the thing drawn is what follows 'of'."""
CONTAINERS = {"glass", "cup", "mug", "bowl", "jar", "bottle", "plate", "basket", "box", "bag", "vase", "pot",
              "bucket", "tray", "can", "carton", "pitcher", "jug", "sack", "barrel", "crate", "tub", "dish"}
"""'a glass of milk': the container is drawn and counted, its contents are not a separate subject."""

COMMON_VERBS = {
    "go", "come", "run", "walk", "jump", "play", "look", "see", "sleep", "eat", "drink", "read", "sing", "dance",
    "swim", "fly", "climb", "wait", "stop", "help", "rest", "cry", "smile", "laugh", "talk", "call", "hide", "sit",
    "stand", "wake", "get", "make", "take", "open", "close", "find", "meet", "leave", "return", "fall", "hug",
}
"""Verbs that are nouns too: alone, without an article ('[Bob] go to the park'), they are the verb."""

PARTICLES = {"asleep", "awake", "alone", "afraid", "alive", "aloud", "upside", "up", "down", "out", "off", "away", "back", "around", "about", "over", "home", "together", "again",
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


def is_place(name: str) -> bool:
    return name in PLACE_NOUNS or name.split()[-1] in PLACE_NOUNS


def is_part(name: str) -> bool:
    return singular(name.split()[-1]) in PART_NOUNS


def is_abstract(name: str) -> bool:
    if " " in name and is_known_noun(name):
        return False
    word = name.split()[-1]
    return word in ABSTRACT_NOUNS or (word.endswith(ABSTRACT_SUFFIXES) and not is_known_noun(word))


def of_phrase_keeps(first: str) -> str:
    """Which side of 'X of Y' is the subject: 'second' (a slice of toast), 'first' (a glass of
    milk), or 'both' (a picture of a cat and ... is handled before this)."""
    word = first.split()[-1]
    if word in PARTITIVES:
        return "second"
    return "first" if word in CONTAINERS else "both"
