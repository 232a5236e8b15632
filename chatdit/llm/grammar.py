"""How the words of one run bind: numbers, verbs that end a noun phrase, compound nouns.

The grammar in chatdit.llm.subjects cuts a sentence into runs of words; these decide, from the
lexicon (chatdit.llm.words) and the words around, where one noun phrase ends and what its name is.
"""

from __future__ import annotations

from typing import NamedTuple

from chatdit.llm.tagging import tag_of
from chatdit.llm.vocab import COLOR_SHADES, COLORS, NUMBER_WORDS, is_plural, singular
from chatdit.llm.words import (
    ADJECTIVE_SUFFIXES,
    COMMON_VERBS,
    DETERMINERS,
    KNOWN_ADJECTIVES,
    MATERIALS,
    PARTICLES,
    SEASONS,
    SHAPES,
    VERB_TAGS,
    VERBISH,
    can_be_noun,
    is_known_noun,
    only_verb,
    parts_of_speech,
)

LARGE_NUMBERS = {"hundred", "thousand", "million", "billion", "trillion", "dozen", "hundreds", "thousands", "millions"}
"""Counts too large to be names: 'a million foxes' is foxes, never 'million fox'."""


def is_number(word: str) -> bool:
    return word.isdigit() or word in NUMBER_WORDS


def number_value(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def tagged_adjective(word: str) -> bool:
    """'intricate', 'ornate': adjectives the lists do not know, by the tagger, never a noun."""
    return tag_of(word).startswith("JJ") and "NOUN" not in parts_of_speech(word) and not is_known_noun(word)


def looks_like_adjective(word: str) -> bool:
    if is_known_noun(word):
        return False
    if tagged_adjective(word):
        return True
    suffixed = word.endswith(ADJECTIVE_SUFFIXES) and not (tag_of(word).startswith("NN") and not parts_of_speech(word))
    return word in KNOWN_ADJECTIVES or word in COLORS or word in COLOR_SHADES or word in SHAPES or suffixed  # not 'glassblower'


def read_as_noun(word: str) -> bool:
    """'the umbrella stand', 'a fly': a verb-like word the tagger, in context, reads as a noun."""
    return tag_of(word) == "NN" and word in VERBISH and "NOUN" in parts_of_speech(word)


def is_verbish(word: str) -> bool:
    if read_as_noun(word) or tag_of(word) == "JJ" and word.endswith(("ing", "ed")):
        return False  # 'a hiking trail', 'two parked cars': the tagger, in context, reads a describing word
    if word in VERBISH or word in PARTICLES or tag_of(word) in ("RB", "RP"):
        return True
    if tag_of(word) in VERB_TAGS and ("VERB" in parts_of_speech(word) or not parts_of_speech(word) and word.endswith("ed")):
        return True  # 'the dog and leash walk': a verb in this sentence, a noun elsewhere
    if is_known_noun(word):
        return False
    gerund = word.endswith("ing") and len(word) > 5 and "NOUN" not in parts_of_speech(word) \
        and tag_of(word) not in ("NN", "JJ")  # not 'building', nor 'fishing' in 'a fishing net', 'a hiking trail'
    return only_verb(word) or gerund or (word.endswith("ly") and len(word) > 4)


def verb_after_noun(word: str, span: list[str]) -> bool:
    """'three strawberries attracted four fish', 'the fox works': a word that may be a verb, right
    after a noun head, is the sentence's verb."""
    if not span or word in COLORS or "_" in word or read_as_noun(word) or is_known_noun(word) and not is_plural(span[-1]):
        return False
    last = span[-1]
    if not (is_known_noun(last) or "NOUN" in parts_of_speech(last)) or is_number(last) or last in DETERMINERS or last in COLORS:
        return False
    if "VERB" not in parts_of_speech(word) and word not in VERBISH:
        return False
    if only_verb(word) or word.endswith(("ed", "ing")) or word in VERBISH or tag_of(word) in ("VBD", "VBN"):
        return True  # 'the bird setting off', 'the oval top held magazines'
    if is_plural(last):
        return singular(word) == word and not is_known_noun(word)  # 'two dogs play'
    return word.endswith("s") and singular(word) != word  # 'the fox works'


COPULAS = {"is", "are", "was", "were", "be", "been", "being", "become", "becomes", "became", "remains", "remained"}
"""'the windows were a stunning display': what follows says what the subject is, it is no new subject."""
RESULT_VERBS = {"forming", "creating", "producing"}
"""', forming a dazzling display': what the scene adds up to, no new subject."""


class Segment(NamedTuple):
    words: list[str]
    after_copula: bool


EXPLETIVES = {"it", "this", "that", "these", "those", "there", "here"}
"""'it is a red car', 'this is my cat': the subject is what follows the verb."""


def segments_of(words: list[str]) -> list[Segment]:
    """A run of words cut at its verbs: the subject before a verb and its object after it are two
    phrases ('five hamburgers sizzled' -> 'five hamburgers'; 'strawberries attracted four fish' ->
    'strawberries', 'four fish')."""
    segments: list[Segment] = []
    span: list[str] = []
    after_copula = False
    nounish = False  # some word of the span can head a noun phrase (kept as the span grows: linear)
    for word in words:
        seen_noun = nounish or bool(span and "NOUN" in parts_of_speech(span[-1]) and span[-1] not in COLORS | EXPLETIVES
                                    and tag_of(span[-1]) not in ("RB", "RP", "JJ"))
        if after_copula and not span and (word.endswith(("ing", "ed")) or tag_of(word) in ("VBG", "VBN")):
            after_copula = False  # 'is building a sandcastle', 'was hung': a helper verb, not 'is a'
            if word.endswith("ing"):
                continue  # 'is birdwatching': the verb itself
        if not span and not segments and (word in COPULAS or word in RESULT_VERBS):
            after_copula = True  # 'to be a pilot', 'forming a display'
            continue
        if (is_verbish(word) and seen_noun and word not in ("there", "here")) or (verb_after_noun(word, span) and seen_noun):
            segments.append(Segment(span, after_copula))
            span, nounish, after_copula = [], False, word in COPULAS or word in RESULT_VERBS
            continue
        span.append(word)
        nounish = nounish or is_known_noun(word) or not (is_number(word) or word in DETERMINERS or looks_like_adjective(word)
                                                         or is_verbish(word) or word in EXPLETIVES)
    segments.append(Segment(span, after_copula))
    return [segment for segment in segments if segment.words]


def bare_verb(words: list[str]) -> bool:
    """'go', 'work', 'close' alone: an imperative or an adverb, not a thing to draw."""
    if len(words) != 1 or is_known_noun(words[0]) or words[0] in COLORS:
        return False
    tags = parts_of_speech(words[0])
    gerund = words[0].endswith("ing") and "VERB" in tags
    return bool(tags & {"ADV", "ADJ"}) or ("NOUN" not in tags and "VERB" in tags) or gerund or words[0] in COMMON_VERBS


def compound_name(modifiers: list[str], head: str) -> tuple[list[str], str]:
    """'computer mouse', 'tv remote': nouns right before the head are part of its name (materials
    and colors are not: 'a glass bottle' is a bottle made of glass)."""
    name = head
    while modifiers:
        word, noun_here = modifiers[-1].replace("_", " "), tag_of(modifiers[-1]) == "NN"
        if word in COLORS or word in COLOR_SHADES or word in MATERIALS or word in SHAPES or is_number(word) \
                or word in KNOWN_ADJECTIVES or is_verbish(word) or (word.endswith("ing") and "VERB" in parts_of_speech(word)
                                                                    and not noun_here):
            break  # 'helping travelers': a participle describes, it is not part of the name ('a fishing net' is)
        pos = parts_of_speech(word)
        describing = " " not in word and ((pos and pos <= {"ADJ", "ADV", "VERB"}) or not pos and word.endswith(ADJECTIVE_SUFFIXES))
        describing = describing or "-" in word and "ADJ" in parts_of_speech(word.split("-")[-1])  # 'ice-cold'
        if word in SEASONS or describing and not is_known_noun(word):
            break  # 'the autumn trees', 'a handwoven tapestry', 'the spiky star'
        if not (is_known_noun(word) or ("NOUN" in pos and "ADJ" not in pos) or (noun_here and ("NOUN" in pos or not pos))):
            break  # 'a party hat', 'a lab coat': the tagger reads a noun here
        if is_plural(word) or not can_be_noun(word) or word in LARGE_NUMBERS:
            break
        name = f"{word} {name}"
        modifiers = modifiers[:-1]
    return modifiers, name
