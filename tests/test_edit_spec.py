"""edit_spec_of reads how people phrase an edit into one EditSpec: a table of phrasings it was
written against, and a held-out lists (tests/edit_phrasings_heldout.py) whose accuracy is reported."""

import pytest

from chatdit.edits import edit_spec_of
from tests.edit_phrasings_heldout import HELD_OUT

TABLE: list[tuple[str, dict]] = [
    ("make the sky darker", {"kind": "tone", "part": "sky", "direction": "darker"}),
    ("darken the sky", {"kind": "tone", "part": "sky", "direction": "darker"}),
    ("the sky should be darker", {"kind": "tone", "part": "sky", "direction": "darker"}),
    ("brighter ground", {"kind": "tone", "part": "ground", "direction": "brighter"}),
    ("make the ground brighter", {"kind": "tone", "part": "ground", "direction": "brighter"}),
    ("lighten the grass", {"kind": "tone", "part": "ground", "direction": "brighter"}),
    ("a darker sky please", {"kind": "tone", "part": "sky", "direction": "darker"}),
    ("make the sky a bit brighter", {"kind": "tone", "part": "sky", "direction": "brighter"}),
    ("make it darker", {"kind": "tone", "part": "picture", "direction": "darker"}),
    ("make the picture brighter", {"kind": "tone", "part": "picture", "direction": "brighter"}),
    ("dim the sky", {"kind": "tone", "part": "sky", "direction": "darker"}),
    ("add a yellow sun", {"kind": "add", "part": "sky", "noun": "sun", "color": "yellow", "count": 1, "place": None}),
    ("put two birds in the sky", {"kind": "add", "part": "sky", "noun": "bird", "color": None, "count": 2}),
    ("add a house on the left", {"kind": "add", "part": "ground", "noun": "house", "place": "left"}),
    ("add a red flower in the bottom right corner", {"kind": "add", "noun": "flower", "color": "red", "place": "bottom right"}),
    ("draw a moon", {"kind": "add", "part": "sky", "noun": "moon", "count": 1}),
    ("add a yellow sun above the fox", {"kind": "add", "part": "sky", "noun": "sun", "relation": "above", "target": "fox"}),
    ("add a tree behind the house", {"kind": "add", "noun": "tree", "relation": "behind", "target": "house"}),
    ("add a red house to the left of the tree", {"kind": "add", "noun": "house", "color": "red", "place": None,
                                                 "relation": "left of", "target": "tree"}),
    ("put a tree on the ground", {"kind": "add", "part": "ground", "noun": "tree"}),
    ("add three stars", {"kind": "add", "part": "sky", "noun": "star", "count": 3}),
    ("remove the house", {"kind": "remove", "part": "object", "noun": "house"}),
    ("get rid of the boats", {"kind": "remove", "noun": "boat"}),
    ("delete the clouds", {"kind": "remove", "noun": "cloud"}),
    ("erase the moon", {"kind": "remove", "noun": "moon"}),
    ("take out the tree", {"kind": "remove", "noun": "tree"}),
    ("make the fox blue", {"kind": "recolor", "part": "object", "noun": "fox", "color": "blue"}),
    ("turn the boats purple", {"kind": "recolor", "noun": "boat", "color": "purple"}),
    ("paint the house red", {"kind": "recolor", "noun": "house", "color": "red"}),
    ("the fox should be green", {"kind": "recolor", "noun": "fox", "color": "green"}),
    ("change the color of the bird to orange", {"kind": "recolor", "noun": "bird", "color": "orange"}),
    ("recolor the sun pink", {"kind": "recolor", "noun": "sun", "color": "pink"}),
    ("make the sky orange", {"kind": "recolor", "part": "sky", "noun": None, "color": "orange"}),
    ("turn the grass white", {"kind": "recolor", "part": "ground", "noun": None, "color": "white"}),
    ("move the fox to the left", {"kind": "move", "part": "object", "noun": "fox", "direction": "left"}),
    ("move the fox on page 5 to the right", {"kind": "move", "noun": "fox", "direction": "right"}),
    ("shift the house to the right", {"kind": "move", "noun": "house", "direction": "right"}),
    ("move the sun up", {"kind": "move", "noun": "sun", "direction": "up"}),
    ("move the boat down a bit", {"kind": "move", "noun": "boat", "direction": "down"}),
    ("slide the tree over to the left", {"kind": "move", "noun": "tree", "direction": "left"}),
    ("put the fox on the right", {"kind": "move", "noun": "fox", "direction": "right"}),
    ("make the fox bigger", {"kind": "resize", "part": "object", "noun": "fox", "direction": "bigger"}),
    ("make the fox smaller", {"kind": "resize", "noun": "fox", "direction": "smaller"}),
    ("the tree should be smaller", {"kind": "resize", "noun": "tree", "direction": "smaller"}),
    ("enlarge the sun", {"kind": "resize", "noun": "sun", "direction": "bigger"}),
    ("shrink the house", {"kind": "resize", "noun": "house", "direction": "smaller"}),
    ("make the moon larger", {"kind": "resize", "noun": "moon", "direction": "bigger"}),
    ("a bigger fox", {"kind": "resize", "noun": "fox", "direction": "bigger"}),
    ("more cheerful please", {"kind": "free", "part": "picture", "noun": None}),
    ("the fox at the beach", {"kind": "free"}),
]


def mismatches(phrase: str, expected: dict) -> dict:
    spec = edit_spec_of(phrase)
    return {field: getattr(spec, field) for field, value in expected.items() if getattr(spec, field) != value}


@pytest.mark.parametrize("phrase, expected", TABLE, ids=[p for p, _ in TABLE])
def test_an_edit_is_read_the_way_a_person_means_it(phrase, expected):
    assert mismatches(phrase, expected) == {}
    assert edit_spec_of(phrase).text == phrase


def test_held_out_phrasings_are_read_at_the_accuracy_measured():
    missed = {phrase: mismatches(phrase, expected) for phrase, expected in HELD_OUT}
    missed = {phrase: wrong for phrase, wrong in missed.items() if wrong}
    accuracy = 1 - len(missed) / len(HELD_OUT)
    print(f"held-out accuracy {accuracy:.3f} ({len(HELD_OUT) - len(missed)}/{len(HELD_OUT)}); missed: {missed}")
    assert accuracy >= ACCURACY_MEASURED, missed


ACCURACY_MEASURED = 1.0  # 30/30, but this list was seen while writing the grammar


@pytest.mark.parametrize("name, read_right", [("BLIND", 25), ("BLIND_2", 12)])
def test_phrasings_written_after_the_grammar_are_read_at_the_count_measured(name, read_right):
    """BLIND read 17 of 25 when first scored; its misses were then fixed, so it is a tuning list
    now. BLIND_2 was written after that and scored once: 12 of 15."""
    import tests.edit_phrasings_heldout as lists

    phrasings = getattr(lists, name)
    missed = {phrase: wrong for phrase, expected in phrasings if (wrong := mismatches(phrase, expected))}
    print(f"{name}: {len(phrasings) - len(missed)}/{len(phrasings)}; missed: {missed}")
    assert len(phrasings) - len(missed) >= read_right, missed
