"""Sentences written for these tests (not from any gold set), each a kind of reading the rules
parser once got wrong: the names and counts a careful reader writes down."""

import pytest

from chatdit import parse

READINGS = {
    "The bent spoon lay beside the chipped bowl.": [("spoon", 1), ("bowl", 1)],
    "Two kids are arguing about homework and snacks.": [("kid", 2)],
    "A woman wearing earphones sits on a bench.": [("woman", 1), ("earphones", 1), ("bench", 1)],
    "a red apple and a green lime": [("apple", 1), ("lime", 1)],
    "A dog is wagging its tail by the door.": [("dog", 1), ("door", 1)],
    "A bus is speeding down the freeway.": [("bus", 1)],
    "A diver swims past a school of fish.": [("diver", 1), ("fish", 2)],
    "A girl is giggling on the swing, feeling light-hearted.": [("girl", 1), ("swing", 1)],
    "The boys cheered as they score.": [("boy", 2)],
    "A cat is curled up on the sofa.": [("cat", 1), ("sofa", 1)],
    "The butterfly rested on a handwoven basket.": [("butterfly", 1), ("basket", 1)],
    "Two friends are playing a game of chess under a tree.": [("friend", 2), ("tree", 1)],
    "A fox sleeps under a blanket of snow.": [("fox", 1)],
    "A puppy naps under a blanket.": [("puppy", 1), ("blanket", 1)],
}


@pytest.mark.parametrize("prompt", list(READINGS))
def test_reading_as_a_person_means_it(prompt):
    assert [(s.name, s.count) for s in parse(prompt).subjects] == READINGS[prompt]
