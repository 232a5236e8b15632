"""Nano reads prompts as it was trained: every world object with a color."""

import pytest

from chatdit.dit.nano.prompts import DEFAULT_COLORS, complete_colors
from chatdit.storybook import OBJECTS


@pytest.mark.parametrize("prompt, completed", [
    ("two foxes in the snow", "two orange foxes in the snow"),
    ("the red fox under a big tree", "the red fox under a big green tree"),
    ("a little blue bird and a bird", "a little blue bird and a blue bird"),
    ("[PANEL-1] a fox, day [PANEL-2] The Fox and two fish at sea",
     "[PANEL-1] a orange fox, day [PANEL-2] The orange Fox and two orange fish at sea"),
    ("a starfish and a sunflower by a cat", "a starfish and a sunflower by a cat"),  # not world objects
])
def test_uncolored_world_objects_get_their_picture_book_color(prompt, completed):
    assert complete_colors(prompt) == completed


def test_every_world_object_has_a_default_color():
    assert set(DEFAULT_COLORS) == set(OBJECTS)


def test_the_hub_completes_prompts_for_nano_only():
    torch = pytest.importorskip("torch")
    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub
    from chatdit.dit.nano.grounding import grounded_kwargs, plan_prompt

    nano, tiny = ModelHub(load_settings(model="nano")), ModelHub(load_settings(model="tiny"))
    pipe = tiny.text2image()
    assert tiny.call_kwargs(pipe, width=64, height=64, seed=0, prompt="two foxes in the snow")["prompt"] == \
        "two foxes in the snow"
    pipe = nano.text2image()  # nano draws grounded: the completed prompt is what is read into boxes
    drawn = nano.call_kwargs(pipe, width=64, height=64, seed=0, prompt="two foxes in the snow")
    completed = "two orange foxes in the snow"
    expected = grounded_kwargs(pipe, [plan_prompt(completed, 0)], [completed], 64, 64, nano.info.sequence_buckets,
                               nano.info.grounding)
    assert "a orange fox" in [r.phrase for r in plan_prompt(completed, 0)]
    assert torch.equal(drawn["prompt_embeds"], expected["prompt_embeds"])
