"""What an edit instruction asks, read once from its words into an `EditSpec`: 'make the sky
darker' (tone), 'add a yellow sun', 'get rid of the boats', 'make the fox blue', 'move the fox to
the left', 'the tree should be smaller'. The planner routes on it, the edit tools do it and the
critic checks it; none of them reads the words again."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatdit.lexicon import RELATION_PHRASES
from chatdit.llm.vocab import COLOR_CANONICAL, COLOR_SHADES, COLORS, COMPOUND_NOUNS, NUMBER_WORDS, singular
from chatdit.schema import EditSpec

EDIT_TOOLS = ("edit", "inpaint")
"""Tools that change an earlier picture: judged against it, and retried as changes of it again."""

SKY_WORDS = {"sky", "skies", "air", "heavens"}
GROUND_WORDS = {"ground", "grass", "field", "floor", "land", "earth", "meadow", "lawn", "sea", "water", "snow"}
PICTURE_WORDS = {"it", "picture", "image", "page", "scene", "everything", "photo", "drawing", "all"}
SKY_THINGS = {"sun", "moon", "star", "cloud", "bird", "rainbow", "kite", "balloon", "airplane", "plane", "hot air balloon"}
"""Things whose place is the sky: added above the horizon, and checked there."""
SHAPES = {"circle", "square", "triangle", "heart"}
"""The world's shapes, which belong nowhere in particular."""

_TONE = {"darker": "darker", "dimmer": "darker", "darken": "darker", "dim": "darker", "gloomier": "darker", "tone down": "darker",
         "too bright": "darker", "less bright": "darker", "brighter": "brighter", "lighter": "brighter",
         "brighten": "brighter", "lighten": "brighter", "too dark": "brighter", "less dark": "brighter"}
_SIZE = {"bigger": "bigger", "larger": "bigger", "enlarge": "bigger", "grow": "bigger", "scale up": "bigger",
         "blow up": "bigger", "huge": "bigger", "taller": "bigger", "smaller": "smaller", "tinier": "smaller",
         "tiny": "smaller", "shrink": "smaller", "scale down": "smaller", "reduce": "smaller", "shorter": "smaller"}
_SIZE_SAID = {"twice as big": "bigger",
              "twice as large": "bigger", "two times as big": "bigger", "two times as large": "bigger",
              "half as big": "smaller", "half as large": "smaller", "half the size": "smaller"}
"""Sizes said another way: 'twice as big' asks for bigger ('too big' is read by _RESIZE_TOO)."""
_DIRECTION = {"left": "left", "leftwards": "left", "right": "right", "rightwards": "right", "up": "up",
              "upwards": "up", "higher": "up", "top": "up", "down": "down", "downwards": "down", "lower": "down",
              "bottom": "down"}
_PLACES = ("top left", "top right", "bottom left", "bottom right", "left", "right", "top", "bottom", "center")
_DETERMINERS = {"the", "all", "both", "each", "every", "of", "my", "that", "this", "those", "these", "some", "any", "more"}
_BREAK = re.compile(r"\s+(?:on|in|at|to|from|near|by|next|above|below|under|over|with|into|onto|towards?|a bit|"
                    r"a little|a lot|much|further|slightly|so|should|must|is|are|up|down|left|right)\b.*$")
_LEAD = re.compile(r"^(?:please|kindly|now|can you|could you|would you|will you|i'?d like(?: you)? to|"
                   r"i would like(?: you)? to|i want(?: you)? to|let'?s)\s+")
_COLOR = r"(?P<color>(?:(?:light|dark|pale|bright|deep|hot|royal|neon)\s+)?[a-z]+)"

_REMOVE = re.compile(r"^(?:remove|delete|erase|get rid of|take (?:out|away|off)|eliminate|lose|drop|cut out|"
                     r"clear away|wipe out)\s+(?P<np>.+)$")
_REMOVE_NO = re.compile(r"^(?:there should be |i want |with |show )?(?:no|no more|without)\s+(?P<np>.+)$")
_REMOVE_OUT = re.compile(r"^(?:get|take|move|leave)\s+(?P<np>.+?)\s+out(?:\s+of (?:the |this )?(?:picture|page|image|scene))?$")
_REMOVE_GO = re.compile(r"^(?P<np>.+?)\s+(?:should|must|has to|needs to)\s+(?:go|be gone|be removed|disappear|vanish)$")
_MOVE = re.compile(r"^(?P<verb>move|shift|slide|push|drag|nudge|put|bring|place)\s+(?P<np>.+?)\s+(?:a (?:bit|little)\s+|"
                   r"slightly\s+|further\s+|more\s+|over\s+|way\s+)*(?:(?:to|towards?|on|at|in)\s+(?:the\s+)?)?"
                   r"(?P<dir>leftwards|rightwards|upwards|downwards|left|right|up|down|higher|lower|top|bottom)\b"
                   r"(?:\s+(?:side|edge|corner|a bit|a little))?(?:\s+of the (?:picture|page|image))?$")
_MOVE_SHOULD = re.compile(r"^(?P<np>.+?)\s+should be\s+(?:further |more )?(?:(?:on|to|at) the\s+)?"
                          r"(?P<dir>left|right|higher|lower|top|bottom)$")
_RESIZE_VERB = re.compile(r"^(?P<size>enlarge|grow|scale up|blow up|shrink|scale down|reduce)\s+(?P<np>.+)$")
_RESIZE_MAKE = re.compile(r"^(?:make|turn|have|draw)\s+(?P<np>.+?)\s+(?:a (?:bit|little|lot)\s+|much\s+|way\s+|"
                          r"slightly\s+|twice as\s+|even\s+)*(?P<size>bigger|larger|smaller|tinier|tiny|huge|taller|shorter)"
                          r"(?:\s+than (?:before|it is|now))?$")
_RESIZE_SHOULD = re.compile(r"^(?P<np>.+?)\s+(?:should|must|could|needs to|has to)\s+be\s+(?:a (?:bit|little|lot)\s+|"
                            r"much\s+|slightly\s+)*(?P<size>bigger|larger|smaller|tinier|taller|shorter)$")
_RESIZE_TOO = re.compile(r"^(?P<np>.+?)\s+(?:is|are|looks?)\s+(?:way\s+|much\s+)?too\s+(?P<size>big|large|small|tiny)\b.*$")
_RESIZE_AS = re.compile(r"^(?:make|draw)\s+(?P<np>.+?)\s+(?P<size>twice as (?:big|large)|two times as (?:big|large)|"
                        r"half as (?:big|large)|half the size)$")
_RESIZE_ADJ = re.compile(r"^(?:an?\s+)?(?:much\s+)?(?P<size>bigger|larger|smaller|tinier)\s+(?P<np>.+)$")
_RECOLOR = (
    re.compile(rf"^(?:make|turn|paint|colou?r|recolou?r|change|dye)\s+(?P<np>.+?)\s+(?:to\s+|into\s+|in\s+)?(?:be\s+)?{_COLOR}$"),
    re.compile(rf"^change the colou?r of\s+(?P<np>.+?)\s+to\s+{_COLOR}$"),
    re.compile(rf"^(?P<np>.+?)\s+(?:should|must|could|needs to)\s+(?:be|become|turn)\s+{_COLOR}$"),
    re.compile(rf"^(?:i want|i'?d like|i would like|let)\s+(?P<np>.+?)\s+(?:to\s+)?(?:be|become|turn)\s+{_COLOR}$"),
)
_ADD = re.compile(r"^(?:add|put|place|draw|include|insert|paint|sketch|stick|pop|give (?:it|the (?:sky|ground|picture))|"
                  r"show|there should be|let there be|i want|we need|also)\s+(?P<np>.+)$")


@dataclass
class _Phrase:
    """A noun phrase taken apart: 'two yellow stars' is count 2, yellow, star."""

    noun: str | None
    count: int = 1
    color: str | None = None
    definite: bool = False


def _clean(change: str) -> str:
    text = re.sub(r"\s+", " ", change.lower()).strip(" .!?")
    text = re.sub(r"\s*\b(?:on|in|of|for) (?:page|picture|panel|image|shot) \d+\b", "", text)
    while (lead := _LEAD.match(text)) is not None:
        text = text[lead.end():]
    return re.sub(r",?\s*(?:please|thanks|thank you|instead)$", "", text).strip(" ,")


def _color_of(words: str) -> str | None:
    words = words.strip()
    last = words.split()[-1] if words else ""
    if last not in COLORS:
        return None
    return COLOR_CANONICAL.get(last, last) if words == last or words.split()[0] in COLOR_SHADES else None


def _phrase(text: str) -> _Phrase:
    """The noun phrase at the start of `text`, up to a preposition ('the house on the left')."""
    tokens = _BREAK.sub("", text.strip()).split()
    phrase = _Phrase(noun=None, definite=bool(tokens) and tokens[0] in ("the", "my", "that", "this", "those", "these"))
    while tokens and tokens[0] in _DETERMINERS:
        tokens.pop(0)
    if tokens and (tokens[0].isdigit() or tokens[0] in NUMBER_WORDS):
        phrase.count = int(tokens[0]) if tokens[0].isdigit() else NUMBER_WORDS[tokens[0]]
        tokens.pop(0)
    while len(tokens) > 1 and (tokens[0] in COLORS or tokens[0] in COLOR_SHADES):
        color = tokens.pop(0)
        phrase.color = COLOR_CANONICAL.get(color, color) if color in COLORS else phrase.color
    rest = " ".join(tokens)
    compound = next((c for c in COMPOUND_NOUNS if rest.endswith(c)), None)
    phrase.noun = compound or (singular(tokens[-1]) if tokens else None)
    return phrase


def _part_of(noun: str | None) -> str:
    """Which part of the picture a noun names: the sky, the ground, the whole picture or an object."""
    if noun in SKY_WORDS:
        return "sky"
    if noun in GROUND_WORDS:
        return "ground"
    return "picture" if noun is None or noun in PICTURE_WORDS else "object"


def _spec(kind: str, phrase: _Phrase, text: str, **fields) -> EditSpec:
    part = _part_of(phrase.noun)
    noun = phrase.noun if part == "object" else None
    return EditSpec(kind=kind, part=fields.pop("part", part), noun=noun, text=text, **fields)


def _removal(text: str, said: str) -> EditSpec | None:
    for pattern in (_REMOVE, _REMOVE_NO, _REMOVE_GO, _REMOVE_OUT):
        if (found := pattern.match(text)) is not None:
            phrase = _phrase(found["np"])
            if phrase.noun is not None:
                return _spec("remove", phrase, said, color=phrase.color)
    return None


def _move(text: str, said: str) -> EditSpec | None:
    found = _MOVE.match(text) or _MOVE_SHOULD.match(text)
    if found is None:
        return None
    phrase = _phrase(found["np"])
    placing = found.groupdict().get("verb") in ("put", "bring", "place")
    if phrase.noun is None or (placing and not phrase.definite):
        return None  # 'put a tree on the left' adds one
    return _spec("move", phrase, said, color=phrase.color, direction=_DIRECTION[found["dir"]])


def _resize(text: str, said: str) -> EditSpec | None:
    for pattern in (_RESIZE_VERB, _RESIZE_MAKE, _RESIZE_SHOULD, _RESIZE_TOO, _RESIZE_AS, _RESIZE_ADJ):
        if (found := pattern.match(text)) is not None:
            phrase = _phrase(found["np"])
            if phrase.noun is not None and _part_of(phrase.noun) == "object":
                if pattern is _RESIZE_TOO:  # 'too big' asks for smaller
                    return _spec("resize", phrase, said, direction="smaller" if found["size"] in ("big", "large") else "bigger")
                return _spec("resize", phrase, said, direction=_SIZE_SAID.get(found["size"]) or _SIZE[found["size"]])
    return None


def _recolor(text: str, said: str) -> EditSpec | None:
    for pattern in _RECOLOR:
        if (found := pattern.match(text)) is not None and (color := _color_of(found["color"])) is not None:
            phrase = _phrase(found["np"])
            if phrase.noun is not None or found["np"].strip() in ("it", "the picture"):
                return _spec("recolor", phrase, said, color=color)
    return None


def _tone(text: str, said: str) -> EditSpec | None:
    direction = next((d for word, d in sorted(_TONE.items(), key=lambda kv: -len(kv[0]))
                      if re.search(rf"\b{word}\b", text)), None)
    if direction is None:
        return None
    words = set(re.findall(r"[a-z]+", text))
    if words & SKY_WORDS:
        return EditSpec(kind="tone", part="sky", direction=direction, text=said)
    if words & GROUND_WORDS:
        return EditSpec(kind="tone", part="ground", direction=direction, text=said)
    rest = re.sub(rf"\b(?:{'|'.join(_TONE)})\b|\b(?:make|turn|a bit|a little|much|should be|it|the|please)\b", " ", text)
    phrase = _phrase(rest) if rest.strip() else _Phrase(noun=None)
    return _spec("tone", phrase, said, direction=direction)


def _place(text: str) -> tuple[str | None, str | None]:
    """(part, place) of where an added thing goes: 'in the sky' -> sky; 'in the top left' -> top left."""
    if re.search(r"\b(?:in|into|across) the (?:sky|air)\b|\bup high\b", text):
        return "sky", None
    if re.search(r"\b(?:on|onto|in) the (?:ground|grass|field|floor|land|meadow|lawn)\b", text):
        return "ground", None
    for place in _PLACES:
        if re.search(rf"\b(?:in|at|on|to) the {place}\b", text):
            return None, place
    return (None, "center") if re.search(r"\bin the (?:middle|centre)\b", text) else (None, None)


def _addition(text: str, said: str) -> EditSpec | None:
    found = _ADD.match(text)
    if found is None:
        return None
    np, against = _against(re.sub(r"^(?:in|also)\s+", "", found["np"]))
    phrase = _phrase(np)
    if phrase.noun is None or _part_of(phrase.noun) != "object":
        return None
    part, place = _place(np)
    part = part or ("sky" if found.group(0).startswith("give the sky") else None)
    if part is None:
        part = "sky" if phrase.noun in SKY_THINGS else ("object" if phrase.noun in SHAPES else "ground")
    return EditSpec(kind="add", part=part, noun=phrase.noun, color=phrase.color, place=place,
                    count=max(1, min(10, phrase.count)), text=said, **against)


def _against(text: str) -> tuple[str, dict]:
    """(the words before it, {relation, target}) where an added thing is placed against another
    ('a sun above the fox'), or (text, {})."""
    for phrase, relation in RELATION_PHRASES:
        if found := re.search(rf"\b{phrase}\s+(?:the |a |an |its |his |her )?(?P<target>[a-z]+)\b", text):
            return text[:found.start()].strip(), {"relation": relation, "target": singular(found["target"])}
    return text, {}


def edit_spec_of(change: str | None) -> EditSpec:
    """The change an edit's words ask for; kind 'free' when they ask for none of the kinds the
    tools know (the page redrawn from a new description)."""
    said = " ".join((change or "").split())
    text = _clean(said)
    for reader in (_removal, _move, _resize, _recolor, _tone, _addition):
        if (spec := reader(text, said)) is not None:
            return spec
    return EditSpec(kind="free", part="picture", text=said)


def edits_in_place(spec: EditSpec | None) -> bool:
    """Whether a change is made to the picture itself (the edit tools) rather than by redrawing
    the page from its words with the change added."""
    return spec is not None and spec.kind != "free"


def edited_prompt(base: str, spec: EditSpec) -> str:
    """What the changed picture shows, which the fill and img2img paths draw from: 'a red fox at
    sunset' + 'make the fox blue' is 'a blue fox at sunset' (a prompt holding both 'red fox' and
    'make the fox blue' draws the fox red again); 'add two birds' appends 'two birds'. Other
    changes are appended as said."""
    if spec.kind == "add" and spec.noun:
        count = {1: "a", 2: "two", 3: "three", 4: "four"}.get(spec.count, str(spec.count))
        noun = spec.noun if spec.count == 1 else _plural(spec.noun)
        return f"{base}, {' '.join(filter(None, [count, spec.color, noun]))}".strip(", ")
    colors = "|".join(sorted(COLORS, key=len, reverse=True))
    if spec.kind == "remove" and spec.noun and (kept := _without(base, spec.noun, colors)) != base:
        return kept
    if spec.kind != "recolor" or not spec.noun or not spec.color:
        return f"{base}, {spec.text}".strip(", ")
    named = re.compile(rf"\b(?:(?:{colors})\s+)?({re.escape(spec.noun)}(?:e?s)?)\b", re.IGNORECASE)
    if not named.search(base):
        return f"{base}, a {spec.color} {spec.noun}".strip(", ")
    return named.sub(lambda m: f"{spec.color} {m.group(1)}", base)


def _without(base: str, noun: str, colors: str) -> str:
    """The prompt with the removed thing's phrase taken out ('a red fox and a brown house, day'
    less the house is 'a red fox, day'), so later redraws do not draw it back."""
    counts = "|".join(w for w in NUMBER_WORDS if w != "no")
    phrase = rf"(?:\b(?:the|{counts}|\d+)\s+)?(?:(?:{colors})\s+)?\b{re.escape(noun)}(?:e?s)?\b"
    kept = re.sub(rf"(?:\s*,\s*|\s+and\s+)?{phrase}", "", base, flags=re.IGNORECASE)
    kept = re.sub(r"^\s*(?:,|and\b)\s*", "", kept)
    return re.sub(r"\s*,\s*,", ",", kept).strip(" ,")


def _plural(noun: str) -> str:
    from chatdit.storybook import PLURALS

    return PLURALS.get(noun) or (noun + "es" if noun.endswith(("s", "x", "ch", "sh")) else noun + "s")
