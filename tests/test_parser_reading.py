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


@pytest.mark.parametrize("request_text, pages", [
    ("Story: Lily the little girl finds a lost puppy. Shot 1: Lily walks home in the rain. Shot 2: She hugs a brown puppy.",
     [["girl"], ["girl", "puppy"]]),
    ("Tom the cat and Jerry the mouse: page 1 Tom chases Jerry, page 2 Jerry hides under a table",
     [["cat", "mouse"], ["mouse", "table"]]),
    ("a picture book about Max, a curious dog: page 1 Max digs in the garden, page 2 Max finds a bone",
     [["dog"], ["dog", "bone"]]),
])
def test_characters_named_in_passing_are_drawn_as_what_they_are(request_text, pages):
    """'Lily the little girl', 'Max, a curious dog': a name, then what it is; a page naming the
    character draws that, not a thing called 'lily'."""
    instruction = parse(request_text)
    assert [[s.name for s in instruction.page_scene(p.number).subjects] for p in instruction.pages] == pages


@pytest.mark.parametrize("request_text, kind, pages", [
    ("Create a comic with 3 scenes about an astronaut cat. Scene 1: the cat puts on a helmet. Scene 2: the cat "
     "floats next to the moon. Scene 3: the cat waves at a blue planet.", "storyboard",
     [["astronaut cat"], ["astronaut cat", "moon"], ["astronaut cat", "planet"]]),
    ("Illustrate this story in four pictures: A boy plants a seed. The seed grows into a sunflower. A bee visits "
     "the sunflower. The boy and the bee smile.", "book",
     [["boy", "seed"], ["seed", "sunflower"], ["bee", "sunflower"], ["boy", "bee"]]),
])
def test_stories_told_in_scenes_and_pictures(request_text, kind, pages):
    instruction = parse(request_text)
    assert instruction.collection == kind
    assert [[s.name for s in instruction.page_scene(p.number).subjects] for p in instruction.pages] == pages
