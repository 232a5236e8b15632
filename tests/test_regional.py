"""Regional attention for layouts: who may attend to whom, and the layout tool on the tiny model."""

from pathlib import Path

import numpy as np
import pytest

from chatdit.dit.regional import Region, front_to_back, regional_mask, tokens_in_box
from chatdit.errors import ToolArgumentError

TEXT = 6  # phrase 0: tokens 0-1, phrase 1: tokens 2-3, shared (global prompt, padding): 4-5
ROWS = COLS = 4
LEFT, RIGHT = (0.0, 0.0, 0.5, 1.0), (0.25, 0.0, 1.0, 1.0)  # overlap: columns 1 (x 0.25-0.5)


def image(row: int, col: int) -> int:
    return TEXT + row * COLS + col


@pytest.fixture
def mask():
    return regional_mask(TEXT, [[0, 1], [2, 3]], [(LEFT,), (RIGHT,)], ROWS, COLS)[0, 0].numpy()


def test_the_mask_covers_text_and_image_tokens_and_no_row_is_empty(mask):
    assert mask.shape == (TEXT + ROWS * COLS,) * 2
    assert mask.any(axis=1).all()
    assert mask[TEXT:, TEXT:].all(), "image tokens see the whole picture, so it stays one scene"


def test_a_phrase_sees_itself_the_shared_words_and_only_its_box(mask):
    assert mask[0, [0, 1, 4, 5]].all() and not mask[0, [2, 3]].any()
    assert mask[0, image(0, 0)] and mask[0, image(3, 1)] and not mask[0, image(0, 2)]
    assert mask[2, image(0, 3)] and not mask[2, image(0, 0)]


def test_overlapping_boxes_belong_to_the_frontmost_phrase(mask):
    overlap = image(2, 1)  # inside both boxes; LEFT is listed first, so it is in front
    assert mask[overlap, 0] and not mask[overlap, 2]
    assert mask[image(2, 3), 2] and not mask[image(2, 3), 0]


def test_image_outside_every_box_reads_only_the_shared_words():
    mask = regional_mask(TEXT, [[0, 1]], [((0.0, 0.0, 0.5, 0.5),)], ROWS, COLS)[0, 0].numpy()
    corner = image(3, 3)
    assert not mask[corner, [0, 1]].any() and mask[corner, [4, 5]].all()


def test_front_to_back_order_uses_rank_then_puts_small_boxes_in_front():
    tree = Region("a tree", (0.0, 0.0, 1.0, 1.0), rank=0)
    fox = Region("a fox", (0.0, 0.5, 0.3, 1.0), rank=0)
    sun = Region("a sun", (0.7, 0.0, 0.9, 0.2), rank=1)
    assert [r.phrase for r in front_to_back([tree, sun, fox])] == ["a fox", "a tree", "a sun"]


def test_a_box_smaller_than_a_token_still_gets_the_token_under_its_centre():
    assert tokens_in_box((0.9, 0.9, 0.92, 0.92), 4, 4) == [15]


@pytest.fixture(scope="module")
def ctx():
    from chatdit.tools.registry import ToolContext, load_builtin_tools

    from chatdit.config import Settings
    from chatdit.dit.hub import ModelHub

    load_builtin_tools()
    return ToolContext(hub=ModelHub(Settings(model="tiny")), load_image=lambda asset_id: None, workdir=Path("."))


def run_layout(ctx, boxes, **extra):
    from chatdit.tools.registry import run_tool

    return run_tool("layout", {"boxes": boxes, "seed": 3, "steps": 2, **extra}, ctx)


def test_the_layout_tool_draws_one_picture_and_records_its_boxes_front_first(ctx):
    [out] = run_layout(ctx, [{"phrase": "a tree", "box": [0.3, 0.0, 1.0, 1.0], "order": 1},
                             {"phrase": "a red fox", "box": [0.0, 0.5, 0.5, 1.0]}], prompt="at night")
    assert out.image.size == (64, 64)
    assert out.prompt == "a red fox, a tree, at night"
    assert [b["phrase"] for b in out.meta["layout"]] == ["a red fox", "a tree"]


def test_moving_a_box_changes_the_picture(ctx):
    left = run_layout(ctx, [{"phrase": "a red fox", "box": [0.0, 0.0, 0.5, 1.0]}])[0].image
    right = run_layout(ctx, [{"phrase": "a red fox", "box": [0.5, 0.0, 1.0, 1.0]}])[0].image
    assert np.abs(np.asarray(left, float) - np.asarray(right, float)).mean() > 0, "the mask reaches the transformer"


@pytest.mark.parametrize("boxes, message", [
    ([{"phrase": "a fox", "box": [0.5, 0.0, 0.2, 1.0]}], "x0 < x1"),
    ([{"phrase": " ", "box": [0.0, 0.0, 1.0, 1.0]}], "has no phrase"),
    ([{"phrase": f"fox {i}", "box": [0.0, 0.0, 1.0, 1.0]} for i in range(11)], "at most 10"),
])
def test_bad_boxes_are_refused_with_a_reason(ctx, boxes, message):
    with pytest.raises(ToolArgumentError, match=message):
        run_layout(ctx, boxes)


def test_phrases_longer_than_the_text_window_are_refused(ctx):
    long = " ".join(["red"] * 40)
    with pytest.raises(ToolArgumentError, match="text tokens"):
        run_layout(ctx, [{"phrase": long, "box": [0.0, 0.0, 0.5, 1.0]}])


def test_on_nano_the_places_are_said_in_words_instead_of_masked():
    from chatdit.tools.layout import place_words
    from chatdit.tools.registry import ToolContext

    from chatdit.config import Settings
    from chatdit.dit.hub import ModelHub

    nano = ToolContext(hub=ModelHub(Settings(model="nano")), load_image=lambda asset_id: None, workdir=Path("."))
    assert not nano.hub.info.regional_attention
    [out] = run_layout(nano, [{"phrase": "a red fox", "box": [0.0, 0.5, 0.5, 1.0]},
                              {"phrase": "a yellow sun", "box": [0.6, 0.0, 1.0, 0.4]}], prompt="at night")
    assert out.prompt == "a yellow sun in the top right, a red fox in the bottom left, at night"
    assert out.meta["regional_attention"] is False and out.image.size == (64, 64)
    assert [place_words(b) for b in [(0.3, 0.3, 0.7, 0.7), (0.0, 0.0, 0.3, 1.0), (0.3, 0.7, 0.7, 1.0)]] == \
        ["in the middle", "on the left", "at the bottom"]


def test_a_backdrop_is_read_by_every_image_token_of_its_box_objects_in_front_included():
    night, fox = (0.0, 0.0, 0.5, 1.0), (0.0, 0.0, 0.25, 0.5)
    mask = regional_mask(TEXT, [[0, 1], [2, 3]], [(fox,), (night,)], ROWS, COLS, [False, True])[0, 0].numpy()
    assert mask[image(0, 0), 0] and mask[image(0, 0), 2], "the fox's tokens read the fox and the night behind it"
    assert mask[image(3, 1), 2] and not mask[image(3, 1), 0]
    assert not mask[image(0, 3), 2], "the other panel does not read this one's backdrop"
    assert not mask[0, 2] and not mask[2, 0], "phrases do not read each other"
