"""What kind of word a word is, from a real English lexicon (lemminflect) plus the parser's lists.

lemminflect ships its lemma tables inside the wheel, so this works offline. It tells which parts of
speech a word can be ('sizzled': verb only; 'fish': noun or verb); the grammar in
chatdit.llm.subjects decides between them from the words around it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from chatdit.llm.vocab import COLORS, COMPOUND_NOUNS, NOUNS, singular

DETERMINERS = {"the", "this", "that", "these", "those", "his", "her", "its", "their", "my", "our", "your",
               "some", "any", "each", "every", "another", "other", "many", "much", "more", "most", "all",
               "both", "lots", "various"}
VERBISH = {"is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do", "does", "did",
           "stood", "stands", "stand", "sat", "sits", "sit", "lay", "lies", "lie", "hung", "hangs", "hang",
           "rest", "rests", "rested", "added", "contrasted", "looks", "look", "seems", "seem", "appears",
           "appear", "can", "could", "will", "would", "should", "may", "might", "must", "gets", "got",
           "makes", "made", "goes", "went", "learns", "learn", "finds", "found", "meets", "met", "wants",
           "there", "here", "it", "they", "he", "she", "we", "i", "you", "him", "them", "me", "us", "herself",
           "himself", "itself", "themselves", "myself", "yourself", "ourselves", "everyone", "everybody", "someone",
           "somebody", "anyone", "anybody", "nobody", "everything", "something", "anything", "nothing", "filled", "covered", "placed",
           "parked", "decorated", "played", "hides", "flies", "fly", "swims", "runs", "jumps", "sleeps",
           "eats", "drinks", "reads", "plays", "walks", "sings", "dances", "holds", "wears"}
INVARIANT_PLURALS = {"fish", "sheep", "deer", "shrimp", "moose", "salmon", "trout", "bison", "squid", "cod"}
"""Nouns whose plural is the singular: 'some fish' are more than one."""
SEASONS = {"autumn", "winter", "summer"}
"""'The autumn trees': when a thing is, not part of its name."""
INTENSIFIERS = {"very", "really", "quite", "so", "too", "extremely", "super", "rather", "slightly", "fairly"}
ADJECTIVE_SUFFIXES = ("y", "ful", "ous", "ic", "al", "en", "ish", "less", "ive", "ble", "ed", "est", "er", "ant", "ent")
KNOWN_ADJECTIVES = {
    "candlelit", "sunlit", "moonlit", "starlit", "lamplit",
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
    "stream", "creek", "brook",
    "world", "land", "night", "day", "moonlight", "sunlight", "sunshine", "air", "water", "ground", "snow", "ice",
    "shore", "pond", "path", "trail", "bedroom", "hall", "hallway", "yard", "backyard", "shop", "store", "bakery",
    "café", "cafe", "restaurant", "station", "airport", "harbor", "harbour", "port", "stage", "theater", "theatre",
    "hospital", "church", "palace", "kingdom", "country", "universe", "galaxy", "orbit", "clearing", "glade",
    "grove", "orchard", "seaside", "coast", "wave", "waves", "storm", "wind", "fog", "mist", "darkness", "dusk",
    "dawn", "sunset", "sunrise", "evening", "morning", "afternoon", "midnight", "winter", "summer", "spring",
    "autumn", "fall", "weather", "outside", "inside", "underground", "distance", "background", "foreground",
    "mid-air", "midair", "site", "company", "workplace", "pool", "highway", "freeway", "motorway", "canyon", "gorge",
    "court", "deck", "springs", "mountain range", "peak", "summit", "hilltop", "tundra", "glacier", "environment", "habitat",
    "expanse", "breeze", "crowd", "corner", "spot", "route", "grassland", "grasslands", "boardwalk",
    "starlight", "candlelight", "firelight", "junkyard", "pasture", "terrain", "skyline", "resort",
    "rainstorm", "thunderstorm", "snowstorm", "blizzard", "mountain pass", "mountaintop", "study", "maze", "basement", "aisle", "reception",
    "scene", "place", "town square", "hill", "hills", "mountain", "mountains", "hillside", "riverbank", "neighborhood", "neighbourhood", "camp", "campsite", "road",
    "landscape", "horizon", "gym", "garage", "hangar", "warehouse", "stadium", "arena", "mall", "supermarket",
    "gallery", "lounge", "workspace", "heaven", "heavens", "intersection", "center", "centre", "foyer", "cellar", "campground", "lobby", "corridor", "porch", "patio", "balcony", "conference", "barbecue", "party", "wedding", "concert", "festival", "ceremony", "parade",
}
"""Nouns that say where a scene is: a setting to draw, never a subject to count or check."""

BODY_PARTS = {
    "fur", "belly", "tail", "feather", "wing", "eye", "ear", "paw", "hair", "nose", "mane", "scale",
    "beak", "whisker", "spot", "stripe", "horn", "hoof", "claw", "fin", "face", "smile", "cheek", "leg", "arm",
    "hand", "foot", "head", "body", "skin", "shell", "antler", "tooth", "teeth", "snout", "muzzle", "chest",
    "back", "neck", "mouth", "tongue", "eyebrow", "freckle", "pattern", "marking", "patch", "tip",
    "finger", "fingertip", "toe", "knee", "shoulder", "wrist", "elbow", "lip", "throat", "forehead", "chin", "palm",
    "lap", "muscle", "heel", "tentacle", "palate",
}
"""Parts of a body: never a thing of their own."""
CLOTHES = {
    "coat", "scarf", "hat", "cap", "boot", "cape", "jacket", "dress", "glasses", "bow", "collar", "backpack", "shirt",
    "sweater", "hood", "helmet", "crown", "necklace", "vest", "apron", "shoe", "sock", "glove", "mitten",
    "bandana", "ribbon", "tie", "belt", "overalls", "trousers", "pants", "skirt", "suit", "uniform", "outfit",
    "clothes", "costume", "goggles", "sunglasses", "bag", "satchel", "pocket", "button",
}
"""Things worn or carried: parts of a hero's look, but things to draw in their own right."""
PART_NOUNS = BODY_PARTS | CLOTHES
"""Body parts, clothes and things worn: after 'a fox with ...' they describe the fox."""

MATERIALS = {
    "glass", "paper", "stone", "wood", "metal", "leather", "plastic", "rubber", "fabric", "wool", "silk", "velvet",
    "cotton", "ceramic", "porcelain", "steel", "iron", "marble", "brick", "clay", "bamboo", "denim", "crystal",
    "concrete", "copper", "bronze", "wicker", "lace", "linen", "suede", "felt", "cardboard", "foam", "tin",
    "aluminum", "aluminium", "burlap", "chocolate", "ice", "straw", "fur", "gold", "silver",
}
"""What a thing is made of ('a glass bottle'): an attribute, never part of the thing's name."""
MASS_MATERIALS = {"steel", "iron", "concrete", "marble", "metal", "plastic", "rubber", "fabric", "wool", "silk", "velvet",
                  "cotton", "leather", "copper", "bronze", "aluminum", "aluminium", "denim", "linen", "suede", "felt",
                  "cardboard", "clay", "wicker", "lace", "burlap", "porcelain", "ceramic"}
"""Materials that are only ever stuff ('the polished steel'); 'a stone', 'a glass' are things."""

SHAPES = {
    "round", "square", "oval", "teardrop", "diamond", "pyramidal", "conical", "cubic", "spherical", "triangular",
    "rectangular", "crescent", "oblong", "cylindrical", "circular", "hexagonal", "heart-shaped", "star-shaped",
}
"""Shape words before a noun ('a teardrop mango'): how it looks, not part of its name."""

SURFACES = {"wall", "floor", "ceiling", "grass", "lawn", "sidewalk", "pavement", "cliff"}
"""What things stand on or against: the setting after 'on', 'against', 'next to' ('the clock on the
blue wall'), a subject when listed as one ('a green grass and a yellow flower')."""

MASS_NOUNS = {"honey", "syrup", "milk", "water", "juice", "sand", "dust", "smoke", "steam", "mud", "oil",
              "liquid", "light", "seaweed", "moss", "foam", "gravel", "caramel", "syrup", "jam", "butter", "soil", "dirt",
              "flour", "yeast", "sugar", "salt", "dough", "traffic", "soup", "tea", "coffee", "chocolate", "food", "rice", "pasta",
              "cereal", "sauce", "cream", "yogurt", "wine", "beer", "lemonade", "broth", "ketchup", "mustard",
              "paint", "makeup", "cosmetics", "cosmetic", "tile", "grease", "popcorn", "glitter", "confetti"}
"""Substances without a shape of their own: drawn as part of a scene, not counted, unless a count is
given ('three drops of honey' counts drops)."""

ABSTRACT_SUFFIXES = ("ness", "ity", "ment", "tion", "sion", "ance", "ence", "ship", "dom", "ism", "hood")
ABSTRACT_NOUNS = {
    "beauty", "strength", "skill", "symbol", "testament", "touch", "addition", "comfort", "elegance", "warmth",
    "harmony", "contrast", "sense", "feeling", "atmosphere", "charm", "grace", "joy", "love", "peace", "hope",
    "fear", "life", "time", "way", "idea", "dream", "adventure", "journey", "story", "magic", "fun", "glow",
    "shade", "shadow", "sound", "music", "silence", "air", "heat", "cold", "texture", "color", "colour",
    "shape", "size", "style", "mood", "spirit", "energy", "power", "nature", "art", "lot", "kind", "sort", "type",
    "variety", "array", "range", "mix", "blend", "hint", "trick", "game", "help", "work", "rest", "end", "edge",
    "goodbye", "hello", "thanks", "bedtime", "day", "title", "hero", "protagonist", "walk", "stroll", "call",
    "trip", "nap", "swim", "ride", "visit", "chat", "search", "pop", "burst", "dash", "start", "beginning", "song", "tune", "melody", "ambiance", "ambience", "interest", "sophistication",
    "depth", "arrival", "stress", "tension", "architecture", "score", "beat", "rhythm", "soul", "shoot",
    "movement", "lesson", "class", "shot", "balance", "challenge", "view", "breath", "finding", "purchase", "tug-of-war",
    "wish", "custom", "tradition", "current", "podcast", "collection", "pride", "decor", "chess", "poker", "golf",
    "hopscotch", "checkers", "bingo", "mind", "hunt", "chase", "hole", "event", "lighting", "best",
    "danger", "stroke", "brilliance", "culture", "history", "knowledge", "research", "insight", "dance", "drive", "race", "match", "youth", "record-breaking", "exam", "test", "homework", "math",
}
"""Nouns no picture can show as a thing: never subjects."""

PARTITIVES = {"piece", "slice", "bit", "chunk", "scoop", "drop", "handful", "loaf", "stack", "pile", "heap",
              "bunch", "pair", "set", "group", "roll", "layer", "row", "line", "edge", "side", "top", "bottom", "corner", "end",
              "middle", "center", "surface", "petal", "carving", "part", "half", "tip", "front", "back"}
"""'a slice of toast', 'the edge of a bowl': the thing drawn is what follows 'of'."""
ASPECTS = {"pattern", "line", "structure", "shape", "texture", "surface", "outline", "silhouette", "design", "detail",
           "curve", "color", "colour", "reflection", "shadow", "glow", "taste", "scent", "smell", "aroma", "flavor",
           "flavour", "fragrance", "sound", "chirping"}
"""'the intricate patterns of the windows': how a thing looks; the thing is what follows 'of'."""
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


VERB_TAGS = {"VB", "VBD", "VBP", "VBZ", "MD"}
"""Penn tags of a finite verb: 'the leash walks', 'five hamburgers sizzled'."""


def listed_words(name: str) -> frozenset[str]:
    lines = (Path(__file__).with_name("data") / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def compound_nouns() -> frozenset[str]:
    """Two- and three-word nouns kept whole: the parser's own list and WordNet's concrete ones."""
    return frozenset(COMPOUND_NOUNS) | listed_words("compounds.txt")


@lru_cache(maxsize=1)
def buildings() -> frozenset[str]:
    """Buildings and rooms ('cabin', 'garage'): inside one, it is where the scene is."""
    return listed_words("buildings.txt")


@lru_cache(maxsize=1)
def animate_nouns() -> frozenset[str]:
    """People and animals ('owner', 'kitten'): 'a dog with its owner' names two."""
    return listed_words("animate.txt")


@lru_cache(maxsize=1)
def concrete_nouns() -> frozenset[str]:
    """'monument', 'ornament': names of things that end like abstract nouns."""
    return listed_words("concrete_suffixed.txt")


@lru_cache(maxsize=1)
def abstract_nouns() -> frozenset[str]:
    """Nouns WordNet knows no concrete sense of ('artistry', 'renewal'), and the parser's own list."""
    return frozenset(ABSTRACT_NOUNS) | listed_words("abstract.txt")


UNLISTED_NOUNS = {"bar", "bars", "log", "logs", "burger", "burgers", "countertop", "countertops", "nightstand", "nightstands",
                  "lampshade", "lampshades", "bookend", "bookends", "keychain", "keychains", "gemstone", "gemstones",
                  "doormat", "doormats", "locket", "lockets", "tiara", "tiaras", "ottoman", "ottomans", "smoothie",
                  "smoothies", "sandcastle", "sandcastles", "bowtie", "bowties", "cufflink", "cufflinks"}
"""Nouns lemminflect's tables lack (it knows 'bar' only as a verb)."""


@lru_cache(maxsize=8192)
def parts_of_speech(word: str) -> frozenset[str]:
    """The universal POS tags a word can have ('NOUN', 'VERB', 'ADJ', 'ADV', ...); empty if unknown."""
    from lemminflect import getAllLemmas

    tags = frozenset(getAllLemmas(word.lower()))
    return tags | {"NOUN"} if word.lower() in UNLISTED_NOUNS else tags


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


def is_surface(name: str) -> bool:
    return singular(name.split()[-1]) in SURFACES


def is_mass(name: str) -> bool:
    """'honey', 'the cold grey concrete': a substance ('a glass' is a thing, so containers are not)."""
    return name in MASS_NOUNS or name in MASS_MATERIALS


OBJECT_PARTS = {"stem", "petal", "thorn", "tire", "tyre", "wheel", "handle", "lid", "base", "frame", "bulb",
                "blade", "cord", "strap", "sole", "lace", "spout", "rim", "flame", "neckline", "bark", "trunk",
                "root", "vein", "hull", "engine"}
"""Parts of a thing named before them ('the thorny stem' of a rose, 'the rubber tires' of a bicycle)."""
PLURALIA = {"scissors", "pants", "jeans", "shorts", "glasses", "sunglasses", "trousers", "binoculars", "tongs",
            "pliers", "tweezers", "overalls", "pajamas", "pyjamas", "clothes", "dice", "headphones", "earphones",
            "earmuffs", "goggles", "tights", "leggings", "shears"}
"""Plural in form, one thing in fact: 'a pair of scissors' is one object."""


PLANT_PARTS = {"leaf", "needle", "blossom", "petal", "bark"}
"""'The green leaves of the cactus', 'the pink petals of the rose': the plant is drawn, in their color
(a tree's leaves on their own are things; a rose's thorns do not color it)."""
PLANTS = {"tree", "bush", "shrub", "plant", "flower", "cactus", "rose", "vine", "fern", "palm", "oak", "pine", "maple",
          "birch", "willow", "sunflower", "tulip", "daisy", "lily", "orchid", "bonsai", "hedge", "ivy"}
"""Plants whose leaves, petals or bark, said with 'the', are their parts in the same sentence."""


def is_plant(name: str) -> bool:
    return singular(name.split()[-1]) in PLANTS


def is_owned_part(name: str, words: list[str]) -> bool:
    """'the stem', 'its wheels', 'the sore throat': a part of some subject, not a new one ('a stem'
    on its own is a thing to draw)."""
    if " " in name:
        return False  # 'the picture frame' is a thing of its own
    head = singular(name)
    definite = any(w in ("the", "its", "their", "his", "her") for w in words)  # 'wagging its tail'
    return definite and (head in OBJECT_PARTS or head in BODY_PARTS)


def is_part(name: str) -> bool:
    return singular(name.split()[-1]) in PART_NOUNS


def is_abstract(name: str) -> bool:
    if " " in name and is_known_noun(name):
        return False
    word = name.split()[-1]
    if word in ASPECTS:
        return True  # 'the smooth glass surface': how something looks
    if is_known_noun(word) or " " in name and name in compound_nouns():
        return False
    return word in abstract_nouns() or (word.endswith(ABSTRACT_SUFFIXES) and "NOUN" in parts_of_speech(word)
                                        and word not in concrete_nouns())


def of_phrase_keeps(first: str) -> str:
    """Which side of 'X of Y' is the subject: 'second' (a slice of toast), 'first' (a glass of
    milk), or 'both' (a picture of a cat and ... is handled before this)."""
    word = first.split()[-1]
    if word in PARTITIVES or word in ASPECTS or is_part(first) and word not in CLOTHES or word in OBJECT_PARTS or word in PLANT_PARTS \
            or is_mass(first):  # 'the polished steel of the train tracks'
        return "second"
    return "first" if word in CONTAINERS else "both"
