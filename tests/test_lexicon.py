"""One vocabulary: the parser, the storybook world's reader and the critic read the same words."""

import random

import pytest

from chatdit.dit.nano.prompts import complete_colors
from chatdit.lexicon import COLORS, NUMBER_NAMES, RELATION_PHRASES, SIZE_WORDS, is_plural, plural, singular
from chatdit.storybook import COLORS as WORLD_COLORS
from chatdit.storybook import RELATIONS, WORLD_WORDS, caption, read_scene, sample_spec, words


def _read(prompt: str):
    scene = read_scene(prompt)
    return ([(o.kind, o.color, o.count, o.size) for o in scene.objects],
            [(scene.objects[r.subject].kind, r.relation, scene.objects[r.target].kind) for r in scene.relations])


@pytest.mark.parametrize("phrase, relation", RELATION_PHRASES)
def test_every_relation_phrase_the_parser_knows_the_storybook_reads_alike(phrase, relation):
    assert _read(f"a red star {phrase} the blue house")[1] == [("star", relation, "house")]


def test_the_world_names_its_colors_sizes_numbers_and_relations_from_the_shared_tables():
    assert set(WORLD_COLORS) <= COLORS
    assert set(RELATIONS) == {relation for _, relation in RELATION_PHRASES}
    assert {NUMBER_NAMES[n] for n in range(1, 5)} <= WORLD_WORDS
    assert {"small", "little", "big", "large"} <= set(SIZE_WORDS) & WORLD_WORDS


def test_every_word_a_world_caption_uses_is_one_the_world_reads():
    rng = random.Random(3)
    for _ in range(200):
        text = caption(sample_spec(rng), rng)
        assert set(words(text)) <= WORLD_WORDS, text


@pytest.mark.parametrize("prompt, objects", [
    ("six blue birds", [("bird", "blue", 4, "medium")]),  # the world draws at most four of a kind
    ("several tiny pink hearts", [("heart", "pink", 3, "small")]),
    ("3. A red boat passes by", [("boat", "red", 1, "medium")]),  # a list number is not a count
])
def test_counts_and_sizes_are_read_with_the_parser_s_words(prompt, objects):
    assert _read(prompt)[0] == objects


def test_nano_colors_exactly_the_objects_the_reader_would_skip():
    assert complete_colors("Two foxes and 3. a big tree, a red star") == "Two orange foxes and 3. a big green tree, a red star"
    assert _read(complete_colors("two foxes under a big tree"))[0] == [("fox", "orange", 1, "medium"),
                                                                     ("tree", "green", 1, "large")]


@pytest.mark.parametrize("one, many", [("fox", "foxes"), ("mouse", "mice"), ("berry", "berries"), ("sheep", "sheep"),
                                       ("fish", "fish"), ("boy", "boys"), ("bench", "benches"), ("star", "stars")])
def test_a_noun_s_plural_is_written_once_and_read_back(one, many):
    assert plural(one) == many and singular(many) == one and is_plural(many) == (many != one)


def test_the_critic_asks_for_counts_in_the_shared_plural():
    from chatdit.critics.base import describe_subject, mentioned
    from chatdit.schema import Subject

    mice = Subject(name="mouse", count=3, color="white")
    assert describe_subject(mice) == "three white mice"
    assert mentioned(mice, "three white mice under a tree")
