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
    "it's a red car and a dog that's sleeping": [("car", 1), ("dog", 1)],
    "a fire hydrant next to two parked cars while a dog sniffs it": [("fire hydrant", 1), ("car", 2), ("dog", 1)],
    "These are three apples on a plate.": [("apple", 3), ("plate", 1)],
    "A writer is typing at their keyboard, lost in the world they're creating.": [("writer", 1), ("keyboard", 1)],
}


@pytest.mark.parametrize("prompt", list(READINGS))
def test_reading_as_a_person_means_it(prompt):
    subjects = parse(prompt).subjects
    assert [(s.name, s.count) for s in subjects] == READINGS[prompt]
    assert all(s.count_stated for s in subjects if s.count == 2 and prompt.lower().count("two"))  # 'two parked cars' is two


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


def test_make_it_inside_a_description_is_no_edit():
    """Only a message that starts by asking ('make it darker', 'now turn it blue') or names an
    earlier picture edits one; 'using their skills to make it run again' describes a scene."""
    instruction = parse("A worker is fixing a broken machine, using their skills and knowledge to make it run again.")
    assert instruction.task == "generate"
    assert [s.name for s in instruction.subjects] == ["worker", "machine"]
    assert parse("now make it darker").task == "edit"


def test_a_thing_a_page_brings_in_stays_the_same_and_the_moon_is_drawn():
    """Seen in the CLI: page 3's 'the flower' was drawn red and pink after page 2's yellow flower,
    and 'sleep under the moon at night' drew no moon."""
    instruction = parse("Illustrate this story in four pictures: A red fox plants a seed. The seed grows into a yellow "
                        "flower. A bird visits the flower at sunset. The fox and the bird sleep under the moon at night.")
    page3, page4 = instruction.page_scene(3), instruction.page_scene(4)
    assert ("flower", "yellow") in [(s.name, s.color) for s in page3.subjects]
    assert [s.name for s in page4.subjects] == ["fox", "bird", "moon"] and page4.background == "night"


def test_a_page_names_its_place_even_where_the_world_has_no_such_background():
    """Found trying a settings-only book: 'in a snowy forest', 'asleep in its den' had no
    background and nothing to check, so the reply claimed every check passed over pages
    without a forest or a den."""
    instruction = parse("a 4-page picture book about a red fox: page 1 in a snowy forest, page 2 by a river at sunset, "
                        "page 3 on a sunny beach, page 4 asleep in its den")
    assert [(p.background, p.setting) for p in instruction.pages] == [
        ("snow", "forest"), ("sunset", "river"), ("sea", None), (None, "den")]


def test_the_thing_already_named_is_one_subject():
    """Seen by the loop engineer: 'a fox left of a house, a sun above the house' made two houses,
    so the critic checked the house twice."""
    instruction = parse("a fox left of a house, a sun above the house")
    assert [s.name for s in instruction.subjects] == ["fox", "house", "sun"]
    assert (instruction.subjects[2].position.relation, instruction.subjects[2].position.target) == ("above", 1)
