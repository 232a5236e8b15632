"""Edits read from their words: a recolor names the object and the color, and the changed
picture's prompt says the new color instead of holding the old one and the instruction."""

import pytest

from chatdit.edits import edit_spec_of, edited_prompt


@pytest.mark.parametrize("change, expected", [
    ("make the fox blue", ("fox", "blue")),
    ("Turn the foxes purple", ("fox", "purple")),
    ("please paint my house into red", ("house", "red")),
    ("make the sky darker", None),
    ("make the fox smaller", None),
    ("add a red star", None),
    (None, None),
])
def test_a_recolor_is_read_from_the_instruction(change, expected):
    spec = edit_spec_of(change)
    assert ((spec.noun, spec.color) if spec.kind == "recolor" else None) == expected


@pytest.mark.parametrize("base, change, expected", [
    ("the red fox and the blue bird at play, sunset", "make the fox blue", "the blue fox and the blue bird at play, sunset"),
    ("two foxes in the snow", "turn the foxes purple", "two purple foxes in the snow"),
    ("a foxglove and a fox", "make the fox pink", "a foxglove and a pink fox"),
    ("a cat on a mat", "make the fox blue", "a cat on a mat, a blue fox"),
    ("scene 3", "make the sky darker", "scene 3, make the sky darker"),
    ("a red fox at sunset", "put two birds in the sky", "a red fox at sunset, two birds"),
    ("a red fox at sunset", "add a yellow sun", "a red fox at sunset, a yellow sun"),
    ("", "make the sky darker", "make the sky darker"),
])
def test_the_changed_picture_is_described_with_the_new_color(base, change, expected):
    assert edited_prompt(base, edit_spec_of(change)) == expected


def test_a_recolor_masks_only_the_objects_not_yet_that_color():
    from chatdit.tools.edit import named_region

    from chatdit.storybook import ObjectSpec, SceneSpec, render_scene

    image, _ = render_scene(SceneSpec(background="day", objects=[ObjectSpec(kind="fox", color="red", position="left"),
                                                                 ObjectSpec(kind="fox", color="blue", position="right")]), seed=4)
    what, boxes = named_region(edit_spec_of("make the fox blue"), image)
    assert what == "fox" and len(boxes) == 1 and boxes[0][2] <= 0.55  # the red fox, on the left
    assert len(named_region(edit_spec_of("make the fox darker"), image)[1]) == 2
