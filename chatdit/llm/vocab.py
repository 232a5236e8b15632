"""Word lists the offline rules parser reads prompts with: numbers, colors, nouns, plurals.

Kept apart from the grammar so the lists can grow (more nouns, more colors) without touching
how a sentence is taken apart.
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

COCO_NOUNS = [
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
    "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase",
    "scissors", "teddy bear", "hair drier", "hair dryer", "toothbrush",
]
MORE_NOUNS = [
    # storybook world and common picture-book subjects
    "circle", "square", "triangle", "star", "heart", "tree", "house", "sun", "moon", "cloud", "flower",
    "fish", "fox", "rabbit", "bunny", "owl", "frog", "duck", "mouse", "lion", "tiger", "wolf", "deer",
    "squirrel", "turtle", "snail", "bee", "butterfly", "dragon", "unicorn", "robot", "princess", "prince",
    "king", "queen", "knight", "wizard", "witch", "boy", "girl", "man", "woman", "child", "baby", "kid",
    "monkey", "panda", "penguin", "pig", "chicken", "goat", "donkey", "camel", "kangaroo", "koala",
    "hedgehog", "whale", "dolphin", "shark", "octopus", "crab", "snake", "lizard", "dinosaur", "parrot",
    "puppy", "kitten", "hamster", "ghost", "alien", "astronaut", "pirate", "fairy", "mermaid", "giant",
    "balloon", "kite", "ball", "hat", "shirt", "dress", "shoe", "boot", "sock", "glove", "scarf", "jacket",
    "coat", "sweater", "bag", "box", "basket", "lamp", "desk", "table", "sofa", "pillow", "blanket",
    "mirror", "window", "door", "wall", "floor", "roof", "fence", "bridge", "tower", "castle", "road",
    "river", "lake", "mountain", "hill", "rock", "stone", "leaf", "plant", "cactus", "bush", "grass",
    "rose", "tulip", "sunflower", "mushroom", "egg", "bread", "cookie", "cheese", "pear", "peach",
    "grape", "strawberry", "cherry", "lemon", "watermelon", "tomato", "potato", "pumpkin", "candle",
    "bell", "key", "lock", "coin", "crown", "ring", "necklace", "watch", "phone", "television", "computer",
    "camera", "guitar", "piano", "drum", "violin", "pen", "pencil", "paper", "letter", "map", "flag",
    "sign", "ship", "rocket", "plane", "helicopter", "bike", "scooter", "tractor", "wagon", "sled",
    "snowman", "fireplace", "tent", "bucket", "shovel", "cup", "mug", "plate", "glass", "jar", "pot",
    "pan", "kettle", "teapot", "spoon", "towel", "soap", "brush", "comb", "toy", "doll", "puzzle",
    "bookshelf", "shelf", "cabinet", "drawer", "bathtub", "curtain", "carpet", "rug", "painting",
    "statue", "fountain", "street", "car", "van", "taxi", "ambulance", "horse", "cow", "sheep", "bed",
    "balloon", "bottle", "wallet", "belt", "tie", "umbrella", "suitcase", "backpack", "chair", "stool",
    "coaster", "straw", "holder", "vine", "sandwich", "pickle", "candlestick", "bowl", "vase", "cushion",
    "clock", "refrigerator", "microwave", "toaster", "fork", "knife", "banana", "apple", "orange",
]
COMPOUND_NOUNS = sorted({n for n in COCO_NOUNS + MORE_NOUNS if " " in n} | {
    "ice cream", "police car", "fire truck", "school bus", "polar bear", "teddy bear", "christmas tree",
    "palm tree", "apple tree", "coffee cup", "tea cup", "coffee mug", "water bottle", "wine bottle",
    "sports car", "race car", "hot air balloon", "light bulb", "paper plane", "table lamp", "desk lamp",
    "street lamp", "swimming pool", "cell phone", "mobile phone", "sea turtle", "baby elephant",
    "washing machine", "picture frame", "sun hat", "top hat", "birthday cake", "coffee table",
    "dining table", "night sky", "tennis ball", "soccer ball", "basketball hoop", "flower pot",
}, key=len, reverse=True)
"""Longest first, so 'hot air balloon' wins over 'balloon'."""
NOUNS = set(COCO_NOUNS) | set(MORE_NOUNS)

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
    return singular(word) != word and word not in ("skis", "scissors", "pants", "jeans")
