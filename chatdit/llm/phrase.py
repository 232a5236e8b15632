"""One noun phrase from a run of words: 'the two fluffy white kittens' -> kitten x2, white, fluffy.

chatdit.llm.subjects cuts a sentence into runs; this reads each run's count, color, describing
words and head noun, with the compound name kept whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chatdit.llm.grammar import bare_verb, compound_name, is_number, is_verbish, looks_like_adjective, number_value, tagged_adjective
from chatdit.llm.tagging import never_a_noun, tag_of
from chatdit.llm.vocab import COLOR_CANONICAL, COLOR_SHADES, COLORS, is_plural, singular
from chatdit.llm.words import (
    DETERMINERS,
    INTENSIFIERS,
    INVARIANT_PLURALS,
    KNOWN_ADJECTIVES,
    PARTICLES,
    PLURALIA,
    VERBISH,
    can_be_noun,
    is_known_noun,
    only_verb,
    parts_of_speech,
)


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


def noun_span(words: list[str]) -> list[str]:
    """The words up to the first verb once something noun-like was seen ('six dogs played fetch')."""
    span: list[str] = []
    for index, word in enumerate(words):
        if not span and tag_of(word) in ("VB", "VBP", "VBZ", "VBD") and words[index + 1: index + 2] and \
                (words[index + 1] in DETERMINERS or words[index + 1] in ("a", "an")):
            continue  # 'to catch some shrimp': a verb with its object, no name
        if is_verbish(word) and not (span and span[-1] in ("a", "an", "the") and tag_of(word).startswith("NN")):  # 'a fly
            if any(is_known_noun(w) or not (is_number(w) or w in DETERMINERS or looks_like_adjective(w)) for w in span):
                break
            if word in VERBISH:
                span = []  # a verb before any noun: "there is", "it has"
            elif tag_of(word) not in ("RB", "RP") and (span or tag_of(word) != "VBG"):  # 'an upside down bicycle'
                span.append(word)  # a participle before its noun: "a parked car" ('getting its belly rubbed' is no name)
            continue
        span.append(word)
    return span


def color_and_attributes(modifiers: list[str]) -> tuple[str | None, list[str]]:
    """'light blue', 'fluffy': the first basic color and the other describing words (a shade among them)."""
    color, attributes = None, []
    index = 0
    while index < len(modifiers):
        word = modifiers[index].replace("_", " ")
        nxt = modifiers[index + 1] if index + 1 < len(modifiers) else None
        if word in COLOR_SHADES and nxt in COLORS and color is None:
            attributes.append(word)  # 'bright red': the color is red, so the critic can check it
            color = COLOR_CANONICAL.get(nxt, nxt)
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
    elif not nouns and parts_of_speech(rest[-1]) and parts_of_speech(rest[-1]) <= {"ADJ", "ADV"}:
        nouns = [i for i, w in enumerate(rest[:-1]) if can_be_noun(w) and tag_of(w).startswith("NN")][-1:]  # 'her mom happy'
    return (nouns[-1] if nouns else len(rest) - 1), bool(nouns)


def nameless(words: list[str], rest: list[str], has_noun: bool) -> Phrase | None:
    """A phrase of colors or adjectives only ('a woman in pink', 'the plump,'), else None."""
    colored_noun = len(rest) > 1 and rest[-2] in COLORS and tag_of(rest[-1]) == "NN"  # 'a green lime'
    if all(w in COLORS or w in COLOR_SHADES for w in rest) and rest[-1] in COLORS and not is_known_noun(rest[-1]) and not colored_noun:
        return Phrase(words=words, name="", color=COLOR_CANONICAL.get(rest[-1], rest[-1]))
    if not has_noun and all(w in KNOWN_ADJECTIVES or w in INTENSIFIERS or tagged_adjective(w)
                            or parts_of_speech(w) and parts_of_speech(w) <= {"ADJ", "ADV"} for w in rest):
        return Phrase(words=words, name="", attributes=[w for w in rest if w not in INTENSIFIERS])
    return None


def phrase_from(words: list[str]) -> Phrase | None:
    """One noun phrase from a run of words, or None when the run names nothing."""
    span = noun_span(words)
    content = [w for w in span if w not in DETERMINERS and not w.startswith("__")]
    if not content or all(w in PARTICLES or only_verb(w) or never_a_noun(w) or tag_of(w) == "VBG" for w in content):
        return None  # 'cuddled up', 'propped up'
    if tag_of(content[0]) in ("VBG", "VBN") and all(tag_of(w) in ("JJ", "RB") or parts_of_speech(w) and parts_of_speech(w) <= {"ADJ", "ADV"}
                                                    for w in content[1:]):
        return None  # 'feeling joyful', 'sliced open'
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
    last = head.split()[-1]
    plural = is_plural(last) and last not in PLURALIA  # 'the black headphones' are one thing
    plural = plural or last in INVARIANT_PLURALS and number_word is None and "some" in span  # 'a school of fish'
    modifiers, name = compound_name(rest[:head_index], " ".join(head.split()[:-1] + [last if last in PLURALIA else singular(last)]))
    numbered = number_word is not None and number_word not in ("a", "an")
    if plural and not numbered:
        count = None  # 'a leather shoes': the plural is what the person sees, not the article
    stated = count is not None or not plural
    color, attributes = color_and_attributes(modifiers)
    return Phrase(words=words, name=name, count=max(count or (2 if plural else 1), 1), color=color, attributes=attributes,
                  count_stated=stated, counted=number_word is not None)
