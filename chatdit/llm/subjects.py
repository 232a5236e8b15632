"""Subjects out of a scene description: 'two red cats left of a blue car' -> [cat x2 red, car blue].

A small deterministic grammar: the text is cut into noun phrases at conjunctions, commas,
prepositions and verbs; each phrase gives one subject (count, color, other adjectives, the head
noun in the singular); relation phrases between two phrases become the first one's position
or depth. It is what the offline `rules` parser uses, and what the LLM parsers are checked
against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chatdit.llm.grammar import bare_verb, compound_name, is_number, is_verbish, looks_like_adjective, number_value, segments_of
from chatdit.llm.vocab import COLOR_CANONICAL, COLOR_SHADES, COLORS, COMPOUND_NOUNS, NUMBER_NAMES, is_plural, singular
from chatdit.llm.words import (
    DETERMINERS,
    INTENSIFIERS,
    KNOWN_ADJECTIVES,
    VERBISH,
    can_be_noun,
    is_abstract,
    is_known_noun,
    is_place,
    of_phrase_keeps,
    parts_of_speech,
)
from chatdit.schema import Depth, Position, Subject

RELATIONS: list[tuple[str, str]] = [
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
SEPARATORS = {
    "and", "with", "plus", "or", "next", "to", "near", "beside", "besides", "by", "alongside", "on", "in", "at",
    "of", "from", "into", "onto", "inside", "outside", "across", "around", "against", "between", "among",
    "while", "as", "for", "toward", "towards", "through", "along", "under", "upon", "within", "without",
    "holding", "wearing", "carrying", "riding", "eating", "chasing", "watching", "sitting", "standing",
    "lying", "looking", "playing", "flying", "swimming", "walking", "running", "jumping", "who", "which",
    "that", "where", "whose", "but", "then", "so", "because", "when", "after", "before", "than", "like",
}
STOP_CLAUSE = {"who", "which", "that", "whose", "where", "when"}
"""A relative clause ('a fox who learns to fly') describes its noun; nothing in it is a subject."""
ABSOLUTE_PLACES: list[tuple[str, str]] = [
    (r"(?:in|at|on) the (?:top|upper)[- ]left(?: corner)?", "top left"),
    (r"(?:in|at|on) the (?:top|upper)[- ]right(?: corner)?", "top right"),
    (r"(?:in|at|on) the (?:bottom|lower)[- ]left(?: corner)?", "bottom left"),
    (r"(?:in|at|on) the (?:bottom|lower)[- ]right(?: corner)?", "bottom right"),
    (r"(?:on|at|to) the left(?: side)?(?! (?:side )?of)", "left"),
    (r"(?:on|at|to) the right(?: side)?(?! (?:side )?of)", "right"),
    (r"(?:at|on|in) the top(?! of)", "top"),
    (r"(?:at|on|in) the bottom(?! of)", "bottom"),
    (r"in the (?:center|centre|middle)(?! of)", "center"),
]
"""Places in the picture itself (not relative to another subject); they become layout boxes."""
PLACE_TOKEN = "__place_{}__"


@dataclass
class Phrase:
    """One noun phrase found in the text, before it becomes a Subject."""

    words: list[str]
    name: str = ""
    count: int = 1
    color: str | None = None
    attributes: list[str] = field(default_factory=list)
    place: str | None = None
    relation: tuple[str, int] | None = None
    count_stated: bool = True


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"(?<=[a-z])'s\b", " ,", text)  # 'the sun's busy day': the sun, then what is its
    text = re.sub(r"\b(a|one) pair of\b", "two", text)
    text = re.sub(r"\b(a|one) couple of\b", "two", text)
    text = re.sub(r"\ba few\b", "three", text)
    text = re.sub(r"\b(a|one) dozen\b", "twelve", text)
    text = re.sub(r"\b(a group of|a bunch of|a lot of|lots of|a number of|a set of|a herd of|a flock of|a pile of)\b", "several", text)
    text = re.sub(r"\b(\d+)(st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"\bblack and white\b", "black-and-white", text)
    text = re.sub(r"[^\w\s,;'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def mark_places(text: str) -> str:
    for pattern, place in ABSOLUTE_PLACES:
        text = re.sub(rf"\b{pattern}\b", f" {PLACE_TOKEN.format(place.replace(' ', '_'))} ", text)
    return re.sub(r"\s+", " ", text).strip()


def tokens_of(text: str) -> list[str]:
    """Words, with commas kept as tokens and known compound nouns joined ('teddy_bear')."""
    for compound in COMPOUND_NOUNS:
        for form in (compound + "es", compound + "s", compound):
            text = re.sub(rf"\b{re.escape(form)}\b", form.replace(" ", "_"), text)
    text = text.replace(",", " , ").replace(";", " , ")
    return text.split()


def match_relation(tokens: list[str], i: int) -> tuple[str, int] | None:
    """(relation, tokens used) when a relation phrase starts at tokens[i]."""
    for phrase, relation in RELATIONS:
        words = phrase.split()
        if tokens[i : i + len(words)] == words:
            return relation, len(words)
    return None


def chunks_of(tokens: list[str]) -> list[tuple[str, list[str]]]:
    """Split tokens into ('sep'|relation|'place:<p>', words) pieces in order."""
    pieces: list[tuple[str, list[str]]] = []
    current: list[str] = []
    i = 0

    def flush(kind: str) -> None:
        nonlocal current
        pieces.append(("words", current))
        pieces.append((kind, []))
        current = []

    while i < len(tokens):
        token = tokens[i]
        relation = match_relation(tokens, i)
        if relation:
            flush(relation[0])
            i += relation[1]
            continue
        if token.startswith("__place_"):
            flush("place:" + token[len("__place_") : -2].replace("_", " "))
        elif token == ",":
            flush("comma")
        elif token == "with" and i + 1 < len(tokens) and tokens[i + 1] in ("its", "their", "his", "her"):
            flush("clause")  # 'a sculpture with its round base': its parts, not more subjects
        elif token in SEPARATORS:
            flush("clause" if token in STOP_CLAUSE else "of" if token == "of" else "sep")
        else:
            current.append(token)
        i += 1
    pieces.append(("words", current))
    return pieces


def phrase_from(words: list[str]) -> Phrase | None:
    """One noun phrase from a run of words, or None when the run names nothing."""
    # Cut at the first verb once something noun-like was seen ("six dogs played fetch").
    span: list[str] = []
    for word in words:
        if is_verbish(word) and not (span and span[-1] in ("a", "an", "the")):  # 'a fly' is a noun
            if any(is_known_noun(w) or not (is_number(w) or w in DETERMINERS or looks_like_adjective(w)) for w in span):
                break
            if word in VERBISH:
                span = []  # a verb before any noun: "there is", "it has"
            else:
                span.append(word)  # a participle before its noun: "a parked car", "the charging dock"
            continue
        span.append(word)
    content = [w for w in span if w not in DETERMINERS and not w.startswith("__")]
    if not content:
        return None
    if bare_verb(span):  # 'close', 'go', 'plump': an adjective may still belong to the next noun
        return Phrase(words=words, name="", attributes=span) if "ADJ" in parts_of_speech(span[0]) else None
    count = None
    rest: list[str] = []
    for word in content:
        if is_number(word) and count is None and not rest:
            count = number_value(word)
        else:
            rest.append(word)
    if not rest:
        return None
    nouns = [i for i, w in enumerate(rest) if is_known_noun(w)]
    if rest[-1] not in KNOWN_ADJECTIVES and rest[-1] not in COLORS and not is_verbish(rest[-1]) and can_be_noun(rest[-1]):
        nouns = [len(rest) - 1]  # English noun phrases end in their head: "an orange case", "a glass bottle"
    head_index = nouns[-1] if nouns else len(rest) - 1
    if all(w in COLORS or w in COLOR_SHADES for w in rest) and rest[-1] in COLORS and not is_known_noun(rest[-1]):
        return Phrase(words=words, name="", color=" ".join(rest))  # "a woman in pink"
    if not nouns and all(w in KNOWN_ADJECTIVES or w in INTENSIFIERS or parts_of_speech(w) and parts_of_speech(w) <= {"ADJ", "ADV"}
                         for w in rest):
        return Phrase(words=words, name="", attributes=[w for w in rest if w not in INTENSIFIERS])  # "the plump,"
    head = rest[head_index].replace("_", " ")
    plural = is_plural(head.split()[-1])
    modifiers, name = compound_name(rest[:head_index], " ".join(head.split()[:-1] + [singular(head.split()[-1])]))
    stated = count is not None or not plural
    if count is None:
        count = 2 if plural else 1
    color, attributes = None, []
    index = 0
    while index < len(modifiers):
        word = modifiers[index].replace("_", " ")
        nxt = modifiers[index + 1] if index + 1 < len(modifiers) else None
        if word in COLOR_SHADES and nxt in COLORS and color is None:
            color = f"{word} {COLOR_CANONICAL.get(nxt, nxt)}"
            index += 2
            continue
        if word in COLORS and color is None:
            color = COLOR_CANONICAL.get(word, word)
        elif word not in ("-", "'s") and not is_number(word):
            attributes.append(word)
        index += 1
    return Phrase(words=words, name=name, count=max(count, 1), color=color, attributes=attributes, count_stated=stated)


def parse_subjects(text: str) -> list[Subject]:
    """The subjects of a scene description, with counts, colors, positions and depth order;
    settings ('in a quiet village') are not subjects."""
    return [subject_of(phrase) for phrase in read_phrases(chunks_of(tokens_of(mark_places(normalise(text)))))]


class PhraseReader:
    """Walks the chunks of a sentence and keeps the noun phrases, with what binds them: a relation
    to the next phrase, an absolute place, adjectives cut off by a comma, a relative clause."""

    def __init__(self) -> None:
        self.phrases: list[Phrase] = []
        self.pending_relation: str | None = None
        self.pending_adjectives: list[str] = []
        self.pending_of: bool | None = None
        self.in_clause = False

    def add(self, phrase: Phrase) -> None:
        if not phrase.name and phrase.color:  # "a woman in pink": the color is the last subject's
            if self.phrases and self.phrases[-1].color is None:
                self.phrases[-1].color = phrase.color
            return
        if not phrase.name:  # adjectives separated by a comma belong to the next noun
            self.pending_adjectives.extend(phrase.attributes)
            return
        if is_place(phrase.name) or is_abstract(phrase.name):
            self.pending_relation = self.pending_of = None
            return
        if self.pending_of and self.phrases:
            keep = of_phrase_keeps(self.phrases[-1].name)
            self.pending_of = None
            if keep == "first":
                return
            if keep == "second":  # 'a slice of toast', 'the edge of a bowl': the thing is the second
                self.phrases.pop()
        phrase.attributes = self.pending_adjectives + phrase.attributes
        self.pending_adjectives = []
        if self.pending_relation and self.phrases:
            self.phrases[-1].relation = (self.pending_relation, len(self.phrases))
        self.pending_relation = None
        self.phrases.append(phrase)

    def read(self, kind: str, words: list[str]) -> None:
        if kind == "words":
            if not self.in_clause:
                for phrase in filter(None, map(phrase_from, segments_of(words))):
                    self.add(phrase)
        elif kind == "clause":
            self.in_clause = True
        elif kind == "comma":
            self.in_clause = False
        elif kind.startswith("place:"):
            if self.phrases and self.phrases[-1].place is None:
                self.phrases[-1].place = kind.split(":", 1)[1]
            self.in_clause = False
        elif kind == "of":
            self.pending_of = True
        elif kind != "sep":
            self.pending_relation = kind
            self.in_clause = False


def read_phrases(chunks: list[tuple[str, list[str]]]) -> list[Phrase]:
    reader = PhraseReader()
    for kind, words in chunks:
        reader.read(kind, words)
    return reader.phrases


def subject_of(phrase: Phrase) -> Subject:
    position = depth = None
    if phrase.relation:
        relation, target = phrase.relation
        if relation in ("in front of", "behind"):
            depth = Depth(relation=relation, target=target)
        else:
            position = Position(relation=relation, target=target)
    return Subject(name=phrase.name, count=min(phrase.count, 100), color=phrase.color, attributes=phrase.attributes,
                   position=position, depth=depth, count_stated=phrase.count_stated)


def places_of(text: str) -> list[str | None]:
    """The absolute place ('bottom left') each subject of `text` was put in, in subject order."""
    return [phrase.place for phrase in read_phrases(chunks_of(tokens_of(mark_places(normalise(text)))))]


def noun_phrase(subject: Subject) -> str:
    """'little red fox': a subject's words in the singular, without article or number."""
    return " ".join(w for w in [*subject.attributes, subject.color or "", subject.name] if w)


def describe(subject: Subject) -> str:
    """'two red cats' / 'a blue car': a subject back in words."""
    from chatdit.llm.vocab import IRREGULAR_PLURALS

    noun = noun_phrase(subject)
    if subject.count == 1:
        article = "an" if noun[:1] in "aeiou" else "a"
        return f"{article} {noun}"
    plurals = {v: k for k, v in IRREGULAR_PLURALS.items()}
    last = subject.name.split()[-1]
    plural = plurals.get(last) or (last if last in ("sheep", "fish", "deer") else
                                   last[:-1] + "ies" if last.endswith("y") and last[-2:-1] not in "aeiou" else
                                   last + "es" if last.endswith(("s", "x", "ch", "sh")) else last + "s")
    return f"{NUMBER_NAMES.get(subject.count, str(subject.count))} {noun[: len(noun) - len(last)]}{plural}"
