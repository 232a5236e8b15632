"""The nouns the offline rules parser knows; numbers, colors and plurals come from chatdit.lexicon.

Kept apart from the grammar so the lists can grow (more nouns) without touching how a sentence
is taken apart.
"""

from __future__ import annotations

from chatdit.lexicon import (
           COLOR_CANONICAL,
           COLOR_SHADES,
           COLORS,
           IRREGULAR_PLURALS,
           NUMBER_NAMES,
           NUMBER_WORDS,
           RELATION_PHRASES,
           is_plural,
           singular,
)

# the parser's modules import the shared words from here, beside the nouns
__all__ = ["COCO_NOUNS", "COLORS", "COLOR_CANONICAL", "COLOR_SHADES", "COMPOUND_NOUNS", "IRREGULAR_PLURALS", "MORE_NOUNS",
           "NOUNS", "NUMBER_NAMES", "NUMBER_WORDS", "RELATION_PHRASES",
           "is_plural", "singular"]

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
