"""Edits read from their words: a recolor names the object and the color, and the changed
picture's prompt says the new color instead of holding the old one and the instruction."""

import pytest

from chatdit.edits import Recolor, edited_prompt, recolor_of


@pytest.mark.parametrize("change, expected", [
    ("make the fox blue", Recolor(noun="fox", color="blue")),
    ("Turn the foxes purple", Recolor(noun="fox", color="purple")),
    ("please paint my house into red", Recolor(noun="house", color="red")),
    ("make the sky darker", None),
    ("make the fox smaller", None),
    ("add a red star", None),
    (None, None),
])
def test_a_recolor_is_read_from_the_instruction(change, expected):
    assert recolor_of(change) == expected


@pytest.mark.parametrize("base, change, expected", [
    ("the red fox and the blue bird at play, sunset", "make the fox blue", "the blue fox and the blue bird at play, sunset"),
    ("two foxes in the snow", "turn the foxes purple", "two purple foxes in the snow"),
    ("a foxglove and a fox", "make the fox pink", "a foxglove and a pink fox"),
    ("a cat on a mat", "make the fox blue", "a cat on a mat, a blue fox"),
    ("scene 3", "make the sky darker", "scene 3, make the sky darker"),
    ("", "make the sky darker", "make the sky darker"),
])
def test_the_changed_picture_is_described_with_the_new_color(base, change, expected):
    assert edited_prompt(base, change) == expected


def test_a_recolor_masks_only_the_objects_not_yet_that_color():
    from chatdit.storybook import ObjectSpec, SceneSpec, render_scene
    from chatdit.tools.edit import named_region

    image, _ = render_scene(SceneSpec(background="day", objects=[ObjectSpec(kind="fox", color="red", position="left"),
                                                                 ObjectSpec(kind="fox", color="blue", position="right")]), seed=4)
    what, boxes = named_region("make the fox blue", image)
    assert what == "fox" and len(boxes) == 1 and boxes[0][2] <= 0.55  # the red fox, on the left
    assert len(named_region("make the fox bigger", image)[1]) == 2
