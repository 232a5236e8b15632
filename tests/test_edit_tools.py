"""edit and inpaint on the real hub with the tiny model: only the region changes, Kontext where it
exists, the fill path where it does not, and errors that say what to give instead."""

import threading

import numpy as np
import pytest
from chatdit.tools.registry import ToolContext, run_tool

from chatdit.errors import ToolArgumentError, TurnCancelled
from chatdit.storybook import ObjectSpec, SceneSpec, render_scene


@pytest.fixture
def ctx(hub, tmp_path):
    images = {"scene": render_scene(SceneSpec(background="day", objects=[ObjectSpec(kind="fox", color="red", position="left")]), seed=1)[0]}
    context = ToolContext(hub=hub, load_image=lambda asset_id: images[asset_id], workdir=tmp_path)
    context.images = images
    return context


def pixels(image):
    return np.asarray(image.convert("RGB"), dtype=float)


def test_inpaint_redraws_only_the_boxes(ctx):
    [out] = run_tool("inpaint", {"image": "scene", "prompt": "a yellow sun", "boxes": [(0.5, 0.0, 1.0, 0.5)], "steps": 2, "page": 3}, ctx)
    before, after = pixels(ctx.images["scene"]), pixels(out.image)
    assert out.image.size == (64, 64) and out.page == 3 and out.parents == ["scene"]
    assert np.array_equal(before[32:, :], after[32:, :]) and np.array_equal(before[:, :32], after[:, :32])
    assert np.abs(before[:32, 32:] - after[:32, 32:]).mean() > 1


def test_inpaint_finds_a_named_world_object(ctx):
    [out] = run_tool("inpaint", {"image": "scene", "prompt": "a blue fox", "object": "the red fox", "steps": 1}, ctx)
    [box] = out.meta["boxes"]
    assert box[2] <= 0.6  # the fox stands on the left
    assert np.array_equal(pixels(ctx.images["scene"])[:, 48:], pixels(out.image)[:, 48:])


def test_inpaint_without_a_region_or_with_an_absent_object_says_what_to_give(ctx):
    with pytest.raises(ToolArgumentError, match="boxes"):
        run_tool("inpaint", {"image": "scene", "prompt": "x"}, ctx)
    with pytest.raises(ToolArgumentError, match="no boat"):
        run_tool("inpaint", {"image": "scene", "prompt": "x", "object": "boat", "steps": 1}, ctx)
    with pytest.raises(ToolArgumentError, match="must satisfy"):
        run_tool("inpaint", {"image": "scene", "prompt": "x", "boxes": [(0.5, 0.5, 0.2, 0.9)]}, ctx)


def test_edit_uses_kontext_when_the_model_has_it(ctx):
    [out] = run_tool("edit", {"image": "scene", "instruction": "make the sky darker", "steps": 2}, ctx)
    assert out.meta["edit"] == "kontext" and out.image.size == (64, 64) and out.parents == ["scene"]


def test_edit_without_kontext_masks_the_named_part(ctx, monkeypatch):
    monkeypatch.setattr(ctx.hub, "kontext", lambda: None)
    from PIL import Image

    rng = np.random.default_rng(0)  # a picture outside the storybook world: the part is redrawn by the model
    ctx.images["photo"] = Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    [sky] = run_tool("edit", {"image": "photo", "instruction": "make the sky darker", "prompt": "a red fox at night", "steps": 1}, ctx)
    assert (sky.meta["edit"], sky.meta["region"]) == ("fill", "sky")
    assert np.array_equal(pixels(ctx.images["photo"])[48:], pixels(sky.image)[48:])  # the ground is untouched
    [world] = run_tool("edit", {"image": "scene", "instruction": "make the sky darker", "steps": 1}, ctx)
    assert (world.meta["edit"], world.meta["region"], world.steps) == ("pixels", "sky", 0)
    [whole] = run_tool("edit", {"image": "scene", "instruction": "more cheerful please", "steps": 2}, ctx)
    assert whole.meta["edit"] == "img2img"


def test_edit_stops_within_a_step_when_cancelled(ctx):
    ctx.cancel = threading.Event()
    ctx.cancel.set()
    with pytest.raises(TurnCancelled):
        run_tool("edit", {"image": "scene", "instruction": "make the fox smaller", "steps": 3}, ctx)


def test_the_redrawn_region_fades_in_at_its_edge_and_nothing_outside_changes():
    from chatdit.tools.inpaint import feathered
    from PIL import Image, ImageDraw

    mask = Image.new("L", (128, 128), 0)
    ImageDraw.Draw(mask).rectangle((32, 32, 95, 95), fill=255)
    soft = np.asarray(feathered(mask))
    assert soft[:, :32].max() == 0 and soft[:32].max() == 0
    assert soft[64, 64] == 255 and 0 < soft[64, 32] < 255
