"""Subjects out of a scene description: 'two red cats left of a blue car' -> [cat x2 red, car blue].

A small deterministic grammar: the text is cut into noun phrases at conjunctions, commas,
prepositions and verbs; each phrase gives one subject (count, color, other adjectives, the head
noun in the singular); relation phrases between two phrases become the first one's position
or depth. It is what the offline `rules` parser uses, and what the LLM parsers are checked
against.
"""

from __future__ import annotations

import re

from chatdit.llm.grammar import is_number, segments_of
from chatdit.llm.phrase import Phrase, phrase_from
from chatdit.llm.tagging import Word, tag_of, tagged
from chatdit.llm.vocab import COLOR_CANONICAL, COLORS, NUMBER_NAMES, RELATION_PHRASES, singular
from chatdit.llm.words import (
    BODY_PARTS,
    PARTITIVES,
    PLANT_PARTS,
    PLURALIA,
    VERB_TAGS,
    animate_nouns,
    buildings,
    compound_nouns,
    is_abstract,
    is_known_noun,
    is_mass,
    is_owned_part,
    is_part,
    is_place,
    is_plant,
    is_surface,
    of_phrase_keeps,
    parts_of_speech,
)
from chatdit.schema import Depth, Position, Subject

SEPARATORS = {
    "and", "with", "plus", "or", "next", "to", "near", "beside", "besides", "by", "alongside", "on", "in", "at",
    "of", "from", "into", "onto", "inside", "outside", "across", "around", "against", "between", "among",
    "while", "as", "for", "toward", "towards", "through", "along", "under", "upon", "within", "without", "about",
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
CONTRACTED = {"re": "are", "ll": "will", "ve": "have", "m": "am", "d": "would"}


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"\b(it|that|there|here|what|who|he|she)'s\b", r"\1 is", text)  # contractions, before possessives
    text = re.sub(r"n't\b", " not", re.sub(r"'(re|ll|ve|m|d)\b", lambda m: " " + CONTRACTED[m.group(1)], text))
    text = re.sub(r"(?<=[a-z])'s\b", " , its", text)  # 'the peacock's feathers': the peacock, then its parts
    text = re.sub(rf"\b(a|one) pair of (?=(?:{'|'.join(PLURALIA)})\b)", "a ", text)  # 'a pair of scissors' is one thing
    text = re.sub(rf"\b(\w+) pairs of (?=(?:{'|'.join(PLURALIA)})\b)", r"\1 ", text)  # 'two pairs of jeans'
    text = re.sub(r"\b(a|one) pair of\b", "two", text)
    text = re.sub(r"\b(a|one) couple of\b", "two", text)
    text = re.sub(r"\b(a|one) dozen\b", "twelve", text)
    # 'a group of friends', 'several birds': more than one, no number stated
    text = re.sub(r"\b(a group of|a bunch of|a lot of|lots of|a number of|a set of|a herd of|a flock of|a pile of|"
                  r"a collection of|a bed of|a sea of|a bouquet of|an? (?:\w+ )?(?:display|batch|array|assortment|variety|selection) of|an? (?:school|swarm|crowd|pack|team|field|herd|flock) of|(?:schools|swarms|herds|flocks) of|"
                  r"a few|several|many)\b", "some", text)
    text = re.sub(r"\b(a (?:game|round|match) of) [\w-]+", r"a game", text)  # 'a game of catch' is no thing
    text = re.sub(r"\b(snap|snaps|snapped|snapping|take|takes|took|taking) (?:a |some |\w+ )?"
                  r"(?:pictures?|photos?|photographs?|selfies?|snapshots?)\b", r"\1", text)  # what is taken is no thing
    text = re.sub(r"\bholding hands\b", "together", text)
    text = re.sub(r"\bfull of\b", "with", text)  # 'a beehive full of honey'
    text = re.sub(r"\bfrom scratch\b", "", text)
    text = re.sub(r"\b(beat|beats|beating|break|breaks|breaking|set|sets|setting) (?:their|his|her|its|my|a|the) (?:\w+ )?record\b",
                  "", text)  # 'trying to break their record'
    text = re.sub(r"\ban? (?:blanket|carpet|layer|mantle) of (?!\w+ (?:wool|cloth|fabric))", "", text)  # 'a blanket of snow'
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

    def flush(kind: str, word: str | None = None) -> None:
        nonlocal current
        pieces.append(("words", current))
        pieces.append((kind, [word] if word else []))
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
        elif token == "with" and i + 1 < len(tokens) and tokens[i + 1] in ("its", "their"):
            flush("parts")  # 'a sculpture with its round base': its parts ('a woman with her dog' is two)
        elif token in SEPARATORS:
            kind = "clause" if token in STOP_CLAUSE else "of" if token == "of" else "and" if token in LISTING else "sep"
            flush(kind, token if kind == "sep" else None)
        else:
            current.append(token)
        i += 1
    pieces.append(("words", current))
    return pieces


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
        self.in_parts = False  # after 'with its': the subject's parts, up to the sentence's verb
        self.listed = True  # the next phrase starts the sentence or follows 'and' or a comma
        self.in_predicate = False  # after 'is'/'were': what the subject is, not more subjects
        self.verb_seen = False  # the sentence has its verb: a later ', a symbol of ...' describes it
        self.appositive = False  # a comma after the verb and after a phrase that did not start with 'a'
        self.last_words: list[str] = []
        self.last_named = False
        self.inside = False  # after "in" or "inside": a building there is the setting
        self.topic = False  # after "about": what is talked of, not drawn ('learning about local customs')

    def add(self, phrase: Phrase) -> None:
        if not phrase.name and phrase.color:  # "a woman in pink": the color is the last subject's
            if self.phrases and self.phrases[-1].color is None:
                self.phrases[-1].color = phrase.color
            return
        if not phrase.name:  # adjectives separated by a comma belong to the next noun
            self.pending_adjectives.extend(phrase.attributes)
            return
        inside_building = self.inside and phrase.name.split()[-1] in buildings()  # 'were in the cozy cabin'
        if is_place(phrase.name) or inside_building or is_surface(phrase.name) or is_abstract(phrase.name) or \
                (is_mass(phrase.name) and not phrase.counted) or \
                (self.phrases and is_owned_part(phrase.name, phrase.words)) or self.body_part_of_someone(phrase):
            self.pending_relation = self.pending_of = None
            self.pending_adjectives = []
            return
        pending_of, self.pending_of = self.pending_of, None  # 'the texture of the tree bark': taken by the first phrase
        if pending_of and self.phrases:
            keep = of_phrase_keeps(self.phrases[-1].name)
            if keep == "first":
                return
            if keep == "second":  # 'a slice of toast', 'the white feathers of the swan': the second
                part = self.phrases.pop()
                owned = is_part(part.name) or part.name.split()[-1] in PLANT_PARTS | PARTITIVES  # 'a black piece of paper'
                phrase.color = phrase.color or (part.color if owned else None)  # 'the pink petals of the rose'
        phrase.attributes = self.pending_adjectives + phrase.attributes
        self.pending_adjectives = []
        if self.pending_relation and self.phrases:
            self.phrases[-1].relation = (self.pending_relation, len(self.phrases))
        self.pending_relation = None
        self.phrases.append(phrase)

    def body_part_of_someone(self, phrase: Phrase) -> bool:
        """'the kitten contrasted with the sharp, pointy claws': once the sentence has its verb, a body
        part is the named animal's or person's ('a fox with a white belly' describes the fox)."""
        return self.verb_seen and singular(phrase.name.split()[-1]) in BODY_PARTS and not phrase.counted and \
            any(p.name.split()[-1] in animate_nouns() for p in self.phrases)

    def read(self, kind: str, words: list[str]) -> None:
        if kind != "words" and kind != "and":
            self.listed = kind == "comma"
        if kind != "words":
            self.inside = kind == "sep" and words[0] in ("in", "inside", "within")
            self.topic = kind == "sep" and words[0] == "about" or kind == "and" and self.topic
        if kind == "words":
            self.read_words(words)
            return
        if kind != "of":
            self.drop_loose_part()
        if kind not in ("of", "and") and not (kind == "sep" and words[0] in ("to", "for")):
            self.in_predicate = False  # 'a display of artistry and skill', 'a testament to the craftsman'
        self.appositive = kind == "comma" and self.verb_seen and not (self.last_words[:1] and (
            self.last_words[0] in ("a", "an") or is_number(self.last_words[0])))  # 'three lamps, a bicycle': a list
        if kind == "clause":
            self.in_clause = True
        elif kind == "parts":
            self.in_parts = True
        elif kind == "comma":
            self.in_clause = False
            self.adjective_before_comma()
            self.in_parts = self.in_parts and not self.last_named  # 'with its sleek, streamlined body' goes on
        elif kind.startswith("place:"):
            if self.phrases and self.phrases[-1].place is None:
                self.phrases[-1].place = kind.split(":", 1)[1]
            self.in_clause = False
        elif kind == "of":
            self.pending_of = True
        elif kind not in ("sep", "and"):
            self.pending_relation = kind
            self.in_clause = False


    def read_words(self, words: list[str]) -> None:
        if self.inside and len(words) == 1 and words[0] in COLORS and self.phrases and self.phrases[-1].color is None:
            self.phrases[-1].color = COLOR_CANONICAL.get(words[0], words[0])  # 'a woman in orange': dressed in it
            return
        segments = segments_of(words) if not self.in_clause else []
        has_verb = bool(words) and (any(tag_of(w) in VERB_TAGS for w in words) or len(segments) > 1 or tag_of(words[0]) == "VBG")
        if has_verb:
            self.in_predicate = False  # a new verb: the predicate before it has ended
        if self.appositive and words[:1] in (["a"], ["an"]) and not has_verb:
            self.in_predicate = True  # ', a powerful predator of the ocean': says what the subject is
        self.appositive = False
        self.last_named = False
        for index, segment in enumerate(segments):
            if index == 0 and self.topic and not is_number(segment.words[0]):
                continue
            phrase = phrase_from(segment.words)
            # adjectives alone keep a predicate open: 'a powerful and graceful predator of the ocean'
            self.in_predicate = bool(phrase and (segment.after_copula or self.in_predicate))
            living = bool(phrase and phrase.name and phrase.name.split()[-1] in animate_nouns())  # 'its owner'
            self.in_parts = self.in_parts and not living
            if index == 0 and self.in_parts:  # 'with its square legs and oval top held magazines'
                self.in_parts, self.last_named = len(segments) == 1, bool(phrase and phrase.name)
                continue
            self.listed = self.listed and index == 0  # 'crawling up a wall': a verb's surface is the setting
            if phrase and not self.in_predicate:
                self.add(phrase)
        self.verb_seen = self.verb_seen or has_verb
        self.last_words = words


    def adjective_before_comma(self) -> None:
        """'The crisp, crunchy leaves': a lone word the tagger reads as an adjective, cut off by a
        comma, describes the next noun ('crisp' is a noun elsewhere)."""
        last = self.phrases[-1] if self.phrases else None
        content = [w for w in self.last_words if w not in ("a", "an", "the")]
        noun_only = is_known_noun(content[0]) and "ADJ" not in parts_of_speech(content[0]) if len(content) == 1 else False
        if last is not None and last.words == self.last_words and len(content) == 1 and tag_of(content[0]) in ("JJ", "VBG", "VBN") \
                and not noun_only:  # 'a key, and three swans': a noun the tagger misread
            self.phrases.pop()
            self.pending_adjectives.append(content[0])

    def drop_loose_part(self) -> None:
        """'The tea soothed the sore throat': a part with no owner named and no 'of' after it."""
        if len(self.phrases) == 1 and is_owned_part(self.phrases[0].name, self.phrases[0].words):
            self.phrases.pop()


def read_phrases(chunks: list[tuple[str, list[str]]]) -> list[Phrase]:
    reader = PhraseReader()
    for kind, words in chunks:
        reader.read(kind, words)
    reader.drop_loose_part()
    return same_things_once(drop_plant_parts(reader.phrases))


def same_things_once(phrases: list[Phrase]) -> list[Phrase]:
    """'a fox left of a house, a sun above the house': 'the house' is the house already named, so
    it is one subject, and the sun's relation points at it."""
    index: dict[int, int] = {}
    kept: list[Phrase] = []
    for j, phrase in enumerate(phrases):
        earlier = next((i for i, p in enumerate(phrases[:j]) if p.name == phrase.name and p.count == 1 and i in index), None)
        same = earlier is not None and phrase.count == 1 and "the" in phrase.words and phrase.color in (None, phrases[earlier].color)
        if same:
            index[j] = index[earlier]
            first = kept[index[earlier]]
            first.relation = first.relation or phrase.relation
        else:
            index[j] = len(kept)
            kept.append(phrase)
    for i, phrase in enumerate(kept):
        if phrase.relation:
            target = index.get(phrase.relation[1], phrase.relation[1])
            phrase.relation = (phrase.relation[0], target) if target != i else None
    return kept


def drop_plant_parts(phrases: list[Phrase]) -> list[Phrase]:
    """'The bark of the tree contrasted with the smooth green leaves': with a plant in the sentence,
    'the leaves' are its leaves ('a tree and red leaves' are two things)."""
    if not any(is_plant(p.name) for p in phrases):
        return phrases
    owned = [p for p in phrases if p.name.split()[-1] in PLANT_PARTS and any(w in ("the", "its", "their") for w in p.words)]
    return [p for p in phrases if p not in owned]


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
