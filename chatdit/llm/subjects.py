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

from chatdit.llm.grammar import (
    bare_verb,
    compound_name,
    is_number,
    is_verbish,
    looks_like_adjective,
    number_value,
    segments_of,
    tagged_adjective,
)
from chatdit.llm.vocab import COLOR_CANONICAL, COLOR_SHADES, COLORS, NUMBER_NAMES, RELATION_PHRASES, is_plural, singular
from chatdit.llm.words import (
    DETERMINERS,
    INTENSIFIERS,
    KNOWN_ADJECTIVES,
    PLURALIA,
    VERBISH,
    Word,
    can_be_noun,
    compound_nouns,
    is_abstract,
    is_known_noun,
    is_mass,
    is_owned_part,
    is_part,
    is_place,
    is_surface,
    of_phrase_keeps,
    parts_of_speech,
    tag_of,
    tagged,
)
from chatdit.schema import Depth, Position, Subject

SEPARATORS = {
    "and", "with", "plus", "or", "next", "to", "near", "beside", "besides", "by", "alongside", "on", "in", "at",
    "of", "from", "into", "onto", "inside", "outside", "across", "around", "against", "between", "among",
    "while", "as", "for", "toward", "towards", "through", "along", "under", "upon", "within", "without",
    "holding", "wearing", "carrying", "riding", "eating", "chasing", "watching", "sitting", "standing",
    "lying", "looking", "playing", "flying", "swimming", "walking", "running", "jumping", "who", "which",
    "that", "where", "whose", "but", "then", "so", "because", "when", "after", "before", "than", "like",
}
LISTING = {"and", "or", "plus"}
"""Words that list subjects side by side; every other separator puts the next phrase somewhere."""
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
    counted: bool = False  # any count word, 'a' too: 'a blue seaweed' is one thing, 'honey' is not


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"(?<=[a-z])'s\b", " ,", text)  # 'the sun's busy day': the sun, then what is its
    text = re.sub(r"\b(a|one) pair of\b", "two", text)
    text = re.sub(r"\b(a|one) couple of\b", "two", text)
    text = re.sub(r"\ba few\b", "three", text)
    text = re.sub(r"\b(a|one) dozen\b", "twelve", text)
    text = re.sub(r"\b(a group of|a bunch of|a lot of|lots of|a number of|a set of|a herd of|a flock of|a pile of)\b", "several", text)
    text = re.sub(r"\b(\d+)(st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"\bimg\b", " ", text)  # StoryDiffusion's photo-identity trigger word, not a thing
    text = re.sub(r"\bblack and white\b", "black-and-white", text)
    text = re.sub(r"[^\w\s,;'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def mark_places(text: str) -> str:
    for pattern, place in ABSOLUTE_PLACES:
        text = re.sub(rf"\b{pattern}\b", f" {PLACE_TOKEN.format(place.replace(' ', '_'))} ", text)
    return re.sub(r"\s+", " ", text).strip()


def tokens_of(text: str) -> list[Word]:
    """Words tagged in context, with commas kept as tokens and compound nouns joined ('teddy_bear',
    'fire_hydrants')."""
    words = text.replace(",", " , ").replace(";", " , ").split()
    joined: list[str] = []
    i = 0
    while i < len(words):
        size = next((n for n in (3, 2) if is_compound(words[i: i + n])), 1)
        joined.append("_".join(words[i: i + size]))
        i += size
    return tagged(joined)


def is_compound(words: list[str]) -> bool:
    if len(words) < 2 or "," in words:
        return False
    return " ".join(words[:-1] + [singular(words[-1])]) in compound_nouns() or " ".join(words) in compound_nouns()


def match_relation(tokens: list[str], i: int) -> tuple[str, int] | None:
    """(relation, tokens used) when a relation phrase starts at tokens[i]."""
    for phrase, relation in RELATION_PHRASES:
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
            flush("clause" if token in STOP_CLAUSE else "of" if token == "of" else "and" if token in LISTING else "sep")
        else:
            current.append(token)
        i += 1
    pieces.append(("words", current))
    return pieces


def noun_span(words: list[str]) -> list[str]:
    """The words up to the first verb once something noun-like was seen ('six dogs played fetch')."""
    span: list[str] = []
    for word in words:
        if is_verbish(word) and not (span and span[-1] in ("a", "an", "the") and tag_of(word).startswith("NN")):  # 'a fly
            if any(is_known_noun(w) or not (is_number(w) or w in DETERMINERS or looks_like_adjective(w)) for w in span):
                break
            if word in VERBISH:
                span = []  # a verb before any noun: "there is", "it has"
            elif tag_of(word) not in ("RB", "RP"):  # 'an upside down bicycle': an adverb starts no name
                span.append(word)  # a participle before its noun: "a parked car", "the charging dock"
            continue
        span.append(word)
    return span


def color_and_attributes(modifiers: list[str]) -> tuple[str | None, list[str]]:
    """'light blue', 'fluffy': the first color (with its shade) and the other describing words."""
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
    return color, attributes


def head_of(rest: list[str]) -> tuple[int, bool]:
    """(index of the head noun, whether a listed noun was found)."""
    nouns = [i for i, w in enumerate(rest) if is_known_noun(w)]
    if rest[-1] not in KNOWN_ADJECTIVES and rest[-1] not in COLORS and not is_verbish(rest[-1]) and can_be_noun(rest[-1]):
        nouns = [len(rest) - 1]  # English noun phrases end in their head: "an orange case", "a glass bottle"
    return (nouns[-1] if nouns else len(rest) - 1), bool(nouns)


def nameless(words: list[str], rest: list[str], has_noun: bool) -> Phrase | None:
    """A phrase of colors or adjectives only ('a woman in pink', 'the plump,'), else None."""
    if all(w in COLORS or w in COLOR_SHADES for w in rest) and rest[-1] in COLORS and not is_known_noun(rest[-1]):
        return Phrase(words=words, name="", color=" ".join(rest))
    if not has_noun and all(w in KNOWN_ADJECTIVES or w in INTENSIFIERS or tagged_adjective(w)
                            or parts_of_speech(w) and parts_of_speech(w) <= {"ADJ", "ADV"} for w in rest):
        return Phrase(words=words, name="", attributes=[w for w in rest if w not in INTENSIFIERS])
    return None


def phrase_from(words: list[str]) -> Phrase | None:
    """One noun phrase from a run of words, or None when the run names nothing."""
    span = noun_span(words)
    content = [w for w in span if w not in DETERMINERS and not w.startswith("__")]
    if not content:
        return None
    if bare_verb(span):  # 'close', 'go', 'plump': an adjective may still belong to the next noun
        return Phrase(words=words, name="", attributes=span) if "ADJ" in parts_of_speech(span[0]) else None
    count, number_word = None, None
    rest: list[str] = []
    for word in content:
        if is_number(word) and count is None and not rest:
            count, number_word = number_value(word), word
        else:
            rest.append(word)
    if not rest:
        return None
    head_index, has_noun = head_of(rest)
    if (bare := nameless(words, rest, has_noun)) is not None:
        return bare
    head = rest[head_index].replace("_", " ")
    plural = is_plural(head.split()[-1])
    modifiers, name = compound_name(rest[:head_index], " ".join(head.split()[:-1] + [singular(head.split()[-1])]))
    numbered = number_word is not None and number_word not in ("a", "an")
    if plural and not numbered and head.split()[-1] not in PLURALIA:
        count = None  # 'a leather shoes': the plural is what the person sees, not the article
    stated = count is not None or not plural
    color, attributes = color_and_attributes(modifiers)
    return Phrase(words=words, name=name, count=max(count or (2 if plural else 1), 1), color=color, attributes=attributes,
                  count_stated=stated, counted=number_word is not None)


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
        self.listed = True  # the next phrase starts the sentence or follows 'and' or a comma
        self.in_predicate = False  # after 'is'/'were': what the subject is, not more subjects

    def add(self, phrase: Phrase) -> None:
        if not phrase.name and phrase.color:  # "a woman in pink": the color is the last subject's
            if self.phrases and self.phrases[-1].color is None:
                self.phrases[-1].color = phrase.color
            return
        if not phrase.name:  # adjectives separated by a comma belong to the next noun
            self.pending_adjectives.extend(phrase.attributes)
            return
        if is_place(phrase.name) or (is_surface(phrase.name) and not self.listed) or is_abstract(phrase.name) or \
                (is_mass(phrase.name) and not phrase.counted) or \
                (self.phrases and is_owned_part(phrase.name, phrase.words)):
            self.pending_relation = self.pending_of = None
            return
        if self.pending_of and self.phrases:
            keep = of_phrase_keeps(self.phrases[-1].name)
            self.pending_of = None
            if keep == "first":
                return
            if keep == "second":  # 'a slice of toast', 'the white feathers of the swan': the second
                part = self.phrases.pop()
                phrase.color = phrase.color or (part.color if is_part(part.name) else None)
        phrase.attributes = self.pending_adjectives + phrase.attributes
        self.pending_adjectives = []
        if self.pending_relation and self.phrases:
            self.phrases[-1].relation = (self.pending_relation, len(self.phrases))
        self.pending_relation = None
        self.phrases.append(phrase)

    def read(self, kind: str, words: list[str]) -> None:
        if kind != "words" and (kind != "and" or words):
            self.listed = kind in ("and", "comma")
        if kind == "words":
            for segment in segments_of(words) if not self.in_clause else []:
                phrase = phrase_from(segment.words)
                self.in_predicate = bool(phrase and phrase.name and (segment.after_copula or self.in_predicate))
                if phrase and not self.in_predicate:
                    self.add(phrase)
            return
        if kind != "of":
            self.in_predicate = False  # only 'of' goes on with 'were a display of artistry'
        if kind == "clause":
            self.in_clause = True
        elif kind == "comma":
            self.in_clause = False
        elif kind.startswith("place:"):
            if self.phrases and self.phrases[-1].place is None:
                self.phrases[-1].place = kind.split(":", 1)[1]
            self.in_clause = False
        elif kind == "of":
            self.pending_of = True
        elif kind not in ("sep", "and"):
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
