"""Each word's part of speech in its sentence: a real tagger (TextBlob's Brill tagger, data in the
wheel) corrected where a word's place says otherwise ('the fox watches the sun rise': rise is a verb).

chatdit.llm.words knows what a word can be; this module decides what it is here.
"""

from __future__ import annotations

from chatdit.llm.vocab import COLORS, singular
from chatdit.llm.words import COMMON_VERBS, MATERIALS, PARTICLES, VERB_TAGS, VERBISH, is_known_noun, parts_of_speech


class Word(str):
    """A word as written, with its part of speech in this sentence (a Penn tag from the tagger)."""

    tag: str = ""

    def __new__(cls, text: str, tag: str = "") -> Word:
        word = super().__new__(cls, text)
        word.tag = tag
        return word


def tagged(tokens: list[str]) -> list[Word]:
    """The tokens with their tags in context, from TextBlob's bundled Brill tagger (offline, data in
    the wheel): 'walk' after 'the dog and leash' is a verb, after 'a' a noun."""
    from textblob.en import parser

    tags = [tag for _, tag in parser.find_tags([t.replace("_", "-") for t in tokens])]
    return [Word(token, corrected_tag(tokens, tags, i)) for i, token in enumerate(tokens)]


def corrected_tag(tokens: list[str], tags: list[str], i: int) -> str:
    """The tagger's tag, except where a noun's place in the phrase says otherwise: right after an
    article, number or adjective ('one drum', 'two bears'), a joined compound, or a listed noun
    that ends the sentence ('above the marble sink')."""
    token, tag = tokens[i], tags[i]
    if tag == "RB" and i and tags[i - 1] in ("DT", "PRP$", "JJ") and token not in PARTICLES and "NOUN" in parts_of_speech(token):
        return "NN"  # 'the dragonfly', 'a butterfly': '-ly' after an article is a noun's ending
    if tag == "VBG" and 0 < i < len(tokens) - 1 and tags[i - 1] in ("DT", "PRP$", "CD") and tags[i + 1] in ("NN", "NNS"):
        return "JJ"  # 'a hiking trail', 'the running water': a participle between article and noun describes
    if participle_before_noun(tokens, tags, i):
        return "JJ"  # 'the curved line', 'the jagged, icy shards'
    if tag in ("NN", "NNS") and i and tokens[i - 1] in SUBJECT_PRONOUNS and "VERB" in parts_of_speech(token):
        return "VBP"  # 'as they score': a pronoun's next word is its verb
    if tag in ("NN", "NNS", "VBN") and past_verb_after_noun(tokens, tags, i):  # 'the fox left the den'
        return "VBD"
    if bare_infinitive(tokens, tags, i):
        return "VB"
    if never_a_noun(token):
        return tag if tag.startswith("VB") else "VBD"  # 'the triangular top looked great'
    if tag == "VBZ" and 0 < i < len(tokens) - 1 and tags[i - 1] == "NN" and tags[i + 1] in ("VBD", "VBZ", "VBP", "MD") \
            and "NOUN" in parts_of_speech(token):
        return "NNS"  # 'the train tracks stretched': two verbs in a row cannot be
    if tag in ("VB", "VBP") and 0 < i < len(tokens) - 1 and tags[i - 1] == "NN" and tags[i + 1] in ("VB", "VBP", "VBD", "VBZ") \
            and "NOUN" in parts_of_speech(token):
        return "NN"  # 'the metallic vase stand hold the flowers'
    if noun_modified_head(tokens, tags, i):
        return "NN"
    if tag == "JJ" and 0 < i < len(tokens) - 1 and (tags[i + 1] in ("VBD", "VBZ", "VBN") or never_a_noun(tokens[i + 1])) \
            and tags[i - 1] in ("JJ", "DT", "PRP$") and token not in COLORS:
        return "NN"  # 'the oval top held magazines': no adjective stands right before a verb
    if tag == "NN" and i == len(tokens) - 1 and i > 3 and tags[i - 1] == "NN" and "and" in tokens[max(0, i - 5): i - 1] \
            and token in COMMON_VERBS:
        return "VBP"  # 'the boy and the bee smile': two things, then their verb
    listed = "and" in tokens[max(0, i - 4): i - 1] and tokens[i - 2] not in ("a", "an") and tokens[i + 1: i + 2] != ["of"] \
        if i > 1 else False  # 'the cat and metallic collar nap on': two things, one verb ('a square slice of' is one)
    if tag in ("NN", "NNS") and 0 < i < len(tokens) - 1 and (tags[i - 1] == "NN" or "_" in tokens[i - 1]) and (
            (token in VERBISH or listed and tag == "NN") and tags[i + 1] in ("IN", "DT", "TO", "RP", "PRP$")
            or "VERB" in parts_of_speech(token) and tags[i + 1] in ("DT", "PRP$")):
        return "VBZ" if tag == "NNS" else "VBP"  # 'the holder rest on the mat', 'a fox watches the sun'
    if tag == "NN" and token.endswith("ing") and (i == 0 or tags[i - 1] not in ("DT", "JJ", "CD", "PRP$", "POS")):
        return "VBG"  # 'and feeling curious', 'greeting its owner': no article, so a verb ('a fishing net' is a noun)
    if tag not in VERB_TAGS and not ("_" in token and not token.startswith("__")):
        return tag
    before = ("NN" if "_" in tokens[i - 1] else tags[i - 1]) if i else ""  # a joined compound is a noun
    last = i + 1 == len(tokens) or tokens[i + 1] in (",", "and", "or")  # 'a diamond watch and a cufflink'
    participle = before in ("VBG", "VBN") and i > 1 and tags[i - 2] in ("DT", "CD", "PRP$")  # 'a challenging pose'
    if "_" in token or before in ("DT", "CD", "PRP$", "JJ", "POS") or participle or (is_known_noun(token) and last):
        return "NNS" if singular(token) != token else "NN"
    return tag


def past_verb_after_noun(tokens: list[str], tags: list[str], i: int) -> bool:
    """'the fire truck drove past the building', 'the sun rose above the hill': a past form of a
    verb (its lemma differs: drove -> drive) between a noun and what a verb takes next."""
    from lemminflect import getLemma

    if not 0 < i < len(tokens) - 1 or not (tags[i - 1].startswith("NN") or "_" in tokens[i - 1]):
        return False
    if tags[i + 1] not in ("DT", "IN", "RB", "RP", "PRP$", "TO") and tokens[i + 1] not in PARTICLES | {"past", "across", "through"}:
        return False
    lemmas = getLemma(tokens[i], upos="VERB")
    return bool(lemmas) and lemmas[0] != tokens[i] and not tokens[i].endswith("s")


SUBJECT_PRONOUNS = {"they", "he", "she", "we", "i", "you"}


def participle_before_noun(tokens: list[str], tags: list[str], i: int) -> bool:
    """'the curved line', 'two parked cars': a past participle right after an article or number describes
    the noun that follows ('the fox left the den' has a noun before its verb)."""
    if not 0 < i < len(tokens) - 1 or tags[i] not in ("VBD", "VBN", "JJ") or tags[i - 1] not in ("DT", "PRP$", "CD"):
        return False
    return tags[i + 1] in ("NN", "NNS", "JJ") or tokens[i + 1] == ","


PERCEIVING = {"watch", "watches", "watched", "watching", "see", "sees", "saw", "seeing", "hear", "hears", "heard",
              "feel", "feels", "felt", "feeling",
             "let", "lets", "help", "helps", "helped"}


def bare_infinitive(tokens: list[str], tags: list[str], i: int) -> bool:
    """'a fox watches the sun rise', 'helps the bird fly': a verb's own verb, after its noun."""
    last = i + 1 == len(tokens) or tokens[i + 1] in (",", "and", "or") or tags[i + 1] in ("IN", "RB", "RP")
    if not last or i < 2 or tags[i - 1] != "NN" or "VERB" not in parts_of_speech(tokens[i]) or tokens[i].endswith("s"):
        return False
    def perceives(j: int) -> bool:  # 'a metallic watch and a leather bag': that watch is a thing
        verb = tags[j].startswith("VB") or tags[j] == "NNS" and j > 0 and tags[j - 1] == "NN"  # 'the fox watches'
        return tokens[j] in PERCEIVING and verb and (j == 0 or tags[j - 1] not in ("DT", "JJ", "PRP$"))

    return any(perceives(j) for j in range(max(0, i - 5), i - 1))


def never_a_noun(token: str) -> bool:
    """'looked', 'seemed': a verb form with no noun reading, whatever the tagger guessed."""
    last = token.split("-")[-1]  # 're-energized', 'awe-struck'
    pos = parts_of_speech(last)
    if not pos and "-" not in token and "_" not in token and len(token) > 5 and token.endswith("ed") and not is_known_noun(token):
        return True  # 'squished': a word no lexicon lists, in a past form
    if "-" in token and last != token and (pos and "NOUN" not in pos or not pos and last.endswith("ed")):  # 'light-hearted'
        return not is_known_noun(token)
    return "_" not in token and last.endswith("ed") and "VERB" in parts_of_speech(last) \
        and "NOUN" not in parts_of_speech(last) and not is_known_noun(token)


def noun_modified_head(tokens: list[str], tags: list[str], i: int) -> bool:
    """'a building set', 'a fishing net', 'of the umbrella stand': a word that can be a noun, ending a
    phrase right after a noun that an article or adjective opens, is the phrase's head. A base-form
    verb counts only after a preposition or a material ('a leather bag'): 'the cat and the dog sit'
    keeps its verb."""
    last = i + 1 == len(tokens) or tokens[i + 1] in (",", "and", "or")
    if not last or i < 2 or tags[i - 1] != "NN" or "NOUN" not in parts_of_speech(tokens[i]):
        return False
    start = i - 2
    while start > 0 and tags[start] in ("JJ", "CD", "NN"):
        start -= 1
    if tags[start] not in ("DT", "CD", "PRP$", "JJ"):
        return False
    after_preposition = start > 0 and tags[start - 1] in ("IN", "TO")
    return tags[i] in ("VBN", "JJ") or tags[i] in ("VB", "VBP") and (after_preposition or tokens[i - 1] in MATERIALS)


def tag_of(word: str) -> str:
    return getattr(word, "tag", "")
