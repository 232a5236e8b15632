"""Count repair on storybook-world pictures: the instances the critic found too few, too many or
wrong-colored are fixed on the picture itself, the rest kept, and the critic then passes it."""

import numpy as np
import pytest
from chatdit.agents.reflection import fixes, repairable
from chatdit.tools.registry import ToolContext, run_tool

from chatdit.critics.base import CritiqueContext
from chatdit.critics.offline import OfflineCritic
from chatdit.critics.world import instruction_from_spec
from chatdit.storybook import ObjectSpec, SceneSpec, render_scene
from chatdit.storybook.detector import detect_scene

DRAWN = SceneSpec(background="day", objects=[ObjectSpec(kind="fox", color="red", size="small"),
                                             ObjectSpec(kind="house", color="brown", size="small"),
                                             ObjectSpec(kind="bird", color="blue", count=3, size="small")])


def judged(image, spec):
    instruction = instruction_from_spec(spec, "a test scene")
    return instruction, OfflineCritic().judge(image, instruction, CritiqueContext(threshold=1.0))


@pytest.mark.parametrize("asked, done", [
    ([("fox", "red", 3), ("house", "brown", 1), ("bird", "blue", 3)], "added a red fox"),      # too few
    ([("fox", "red", 1), ("house", "brown", 1), ("bird", "blue", 2)], "removed a blue bird"),  # too many
    ([("fox", "red", 1), ("house", "yellow", 1), ("bird", "blue", 3)], "made a brown house yellow"),  # wrong color
])
def test_the_critics_regions_are_fixed_on_the_picture_and_the_critic_then_passes_it(hub, tmp_path, asked, done):
    image, _ = render_scene(DRAWN, seed=4)
    spec = SceneSpec(background="day", objects=[ObjectSpec(kind=k, color=c, count=n, size="small") for k, c, n in asked])
    instruction, before = judged(image, spec)
    assert not before.critique.passed and repairable(before)
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: image, workdir=tmp_path)
    [out] = run_tool("repair", {"image": "a", "prompt": instruction.prompt, "fixes": fixes(before, instruction)}, ctx)
    assert done in out.meta["done"] and out.steps == 0  # pixels only, no model call
    _, after = judged(out.image, spec)
    assert after.critique.passed, after.critique.feedback
    kept = [(o.kind, o.color, o.bbox) for o in detect_scene(image).objects if o.kind not in {f.name for f in fixes(before, instruction)}]
    assert all(item in [(o.kind, o.color, o.bbox) for o in detect_scene(out.image).objects] for item in kept)


def test_an_added_instance_touches_nothing_drawn_and_a_full_picture_has_no_room_for_one():
    from PIL import Image

    from chatdit.storybook import COLORS
    from chatdit.storybook.detector import detect_background, label_pixels
    from chatdit.vision.world_edits import copy_into

    image, _ = render_scene(DRAWN, seed=4)
    scene = detect_scene(image)
    [fox] = scene.find("fox")
    added = copy_into(image, fox, scene, (0.0, 0.0, 1.0, 1.0))
    assert len(detect_scene(added).find("fox", "red")) == 2
    pixels = np.asarray(image, np.float32)
    drawn = label_pixels(pixels, detect_background(pixels)) != -1
    changed = np.any(np.asarray(added) != np.asarray(image), axis=-1)
    assert changed.any() and not (changed & drawn).any()  # pasted on sky or ground only
    crowded = np.where(drawn[..., None], pixels, np.array(COLORS["green"], np.float32))  # no background left
    assert copy_into(Image.fromarray(crowded.astype(np.uint8)), fox, scene, (0.0, 0.0, 1.0, 1.0)) is None


def test_a_badly_drawn_one_is_redrawn_where_it_is_not_joined_by_another(hub, tmp_path):
    from PIL import ImageDraw

    from chatdit.storybook.vocabulary import COLORS

    image, _ = render_scene(SceneSpec(background="snow", objects=[ObjectSpec(kind="house", color="purple", position="left")]), seed=1)
    ImageDraw.Draw(image).polygon([(44, 14), (56, 12), (58, 22), (52, 28), (42, 26)], fill=tuple(COLORS["purple"]))
    assert [(o.kind, o.score < 0.9) for o in detect_scene(image).objects] == [("house", False), ("circle", True)]
    spec = SceneSpec(background="snow", objects=[ObjectSpec(kind="house", color="purple", count=2)])
    instruction, before = judged(image, spec)
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: image, workdir=tmp_path)
    [out] = run_tool("repair", {"image": "a", "prompt": instruction.prompt, "fixes": fixes(before, instruction)}, ctx)
    assert out.meta["done"] == ["redrew a purple shape read as a circle as a house"]
    after = detect_scene(out.image)
    assert len(after.find("house", "purple")) == 2 and not after.find("circle")  # two houses, no third beside a blob
    assert judged(out.image, spec)[1].critique.passed


@pytest.fixture(scope="module")
def nano_ctx(tmp_path_factory):
    from chatdit.tools.registry import load_builtin_tools

    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub

    load_builtin_tools()
    return ModelHub(load_settings(model="nano")), tmp_path_factory.mktemp("nano")


@pytest.mark.parametrize("kind, color", [("fox", "red"), ("tree", "green"), ("star", "white")])
def test_a_kind_missing_entirely_is_drawn_alone_by_the_model_and_pasted_in(nano_ctx, kind, color):
    hub, workdir = nano_ctx
    drawn = SceneSpec(background="day", objects=[ObjectSpec(kind="house", color="brown", size="small"),
                                                 ObjectSpec(kind="bird", color="blue", count=2, size="small")])
    image, _ = render_scene(drawn, seed=4)
    spec = SceneSpec(background="day", objects=[*drawn.objects, ObjectSpec(kind=kind, color=color, count=2, size="small")])
    instruction, before = judged(image, spec)
    assert f"{kind}: present" in before.critique.feedback and repairable(before)
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: image, workdir=workdir)
    [out] = run_tool("repair", {"image": "a", "prompt": instruction.prompt, "fixes": fixes(before, instruction), "seed": 3}, ctx)
    assert 1 <= out.meta["model_calls"] <= 2 and out.steps > 0  # small drawings of the kind alone (2 by default), counted
    assert out.meta["done"] == [f"added a {color} {kind} drawn alone", f"added a {color} {kind}"]
    _, after = judged(out.image, spec)
    assert after.critique.passed, after.critique.feedback
    kept = [(o.kind, o.color, o.bbox) for o in detect_scene(image).objects]
    assert all(item in [(o.kind, o.color, o.bbox) for o in detect_scene(out.image).objects] for item in kept)


def test_with_no_model_calls_left_a_missing_kind_stays_missing_and_nothing_is_claimed(nano_ctx):
    hub, workdir = nano_ctx
    image, _ = render_scene(DRAWN, seed=4)
    spec = SceneSpec(background="day", objects=[*DRAWN.objects, ObjectSpec(kind="tree", color="green", size="small")])
    instruction, before = judged(image, spec)
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: image, workdir=workdir)
    [out] = run_tool("repair", {"image": "a", "prompt": instruction.prompt, "fixes": fixes(before, instruction), "draws": 0}, ctx)
    assert out.meta["done"] == [] and out.meta["model_calls"] == 0 and out.steps == 0
    assert np.array_equal(np.asarray(out.image), np.asarray(image))
