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


# ---------------------------------------------------------------- a missing kind where a relation says

TWO_KINDS = [ObjectSpec(kind="tree", color="green", size="medium"), ObjectSpec(kind="house", color="brown", size="small")]


@pytest.mark.parametrize("kind, color, relation, target", [
    ("sun", "yellow", "above", 1),        # a sun above the house
    ("fox", "red", "right of", 0),        # a fox right of the tree
    ("bird", "blue", "behind", 0),        # a bird behind the tree: pasted under it
    ("fox", "red", "in front of", 1),     # a fox in front of the house: pasted over it
])
def test_a_missing_kind_is_pasted_where_its_relation_says_and_the_critic_then_passes_it(
        nano_ctx, kind, color, relation, target):
    from chatdit.critics.world import relation_holds
    from chatdit.storybook import RelationSpec

    hub, workdir = nano_ctx
    drawn = SceneSpec(background="day", objects=TWO_KINDS)
    image, _ = render_scene(drawn, seed=2)
    spec = SceneSpec(background="day", objects=[ObjectSpec(kind=kind, color=color, size="small"), *TWO_KINDS],
                     relations=[RelationSpec(subject=0, relation=relation, target=target + 1)])
    instruction, before = judged(image, spec)
    assert f"{kind}: present" in before.critique.feedback and repairable(before)  # the relation fails with it
    assert any(c.kind == "position" and c.verdict == "fail" for c in before.critique.checks)
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: image, workdir=workdir)
    [out] = run_tool("repair", {"image": "a", "prompt": instruction.prompt, "fixes": fixes(before, instruction), "seed": 3}, ctx)
    wanted = TWO_KINDS[target]
    assert out.meta["done"] == [f"added a {color} {kind} drawn alone {relation} the {wanted.kind}"]
    _, after = judged(out.image, spec)
    assert after.critique.passed, after.critique.feedback
    scene = detect_scene(out.image)
    assert relation_holds(relation, scene.find(kind, color), scene.find(wanted.kind, wanted.color), out.image)
    assert [(o.kind, o.color) for o in detect_scene(image).objects] == \
        [(o.kind, o.color) for o in scene.objects if (o.kind, o.color) != (kind, color)]  # the rest still seen


def test_a_relations_missing_target_is_placed_on_the_side_that_makes_it_true(nano_ctx):
    """'a fox left of a house', the house missing: the house goes right of the fox."""
    from chatdit.storybook import RelationSpec

    hub, workdir = nano_ctx
    fox = ObjectSpec(kind="fox", color="red", size="small", position="center")
    image, _ = render_scene(SceneSpec(background="day", objects=[fox]), seed=1)
    spec = SceneSpec(background="day", objects=[fox.model_copy(update={"position": None}), TWO_KINDS[1]],
                     relations=[RelationSpec(subject=0, relation="left of", target=1)])
    instruction, before = judged(image, spec)
    [fix] = fixes(before, instruction)
    assert (fix.name, fix.relation, fix.target) == ("house", "right of", "fox")
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: image, workdir=workdir)
    [out] = run_tool("repair", {"image": "a", "prompt": instruction.prompt, "fixes": [fix], "seed": 3}, ctx)
    _, after = judged(out.image, spec)
    assert after.critique.passed, (out.meta["done"], after.critique.feedback)


# ---------------------------------------------------------------- outside the world: the fill path


def test_outside_the_world_the_fill_path_takes_out_an_extra_and_draws_a_missing_kind(ctx, monkeypatch):
    """A picture no world detector reads (a FLUX.1 photo; here noise) is repaired through the hub's
    fill pipeline, a real FluxFillPipeline with random weights on the tiny model: the extra's spot
    is filled with the page's background, the missing kind's spot with it; nothing else changes."""
    from PIL import Image

    from chatdit.critics.world import applies

    picture = Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8))
    assert not applies(picture)
    ctx.images["a"] = picture
    drawn, draw = [], ctx.hub.draw
    monkeypatch.setattr(ctx.hub, "draw", lambda pipe, kwargs: drawn.append((type(pipe).__name__, kwargs["prompt"])) or draw(pipe, kwargs))
    fixes_ = [{"action": "remove", "name": "fox", "box": [0.0, 0.0, 0.5, 0.5]},
              {"action": "add", "name": "tree", "color": "green", "box": [0.5, 0.5, 1.0, 1.0], "relation": "right of", "target": "fox"}]
    [out] = run_tool("repair", {"image": "a", "prompt": "a red fox and a green tree in a meadow", "fixes": fixes_,
                                "background": "a meadow", "steps": 2}, ctx)
    assert [name for name, _ in drawn] == ["FluxFillPipeline", "FluxFillPipeline"]
    assert drawn[0][1].startswith("a meadow, empty") and drawn[1][1].startswith("a green tree right of the fox, in a red fox")
    assert out.meta["edit"] == "fill" and out.meta["model_calls"] == 2 and out.steps == 4
    assert out.meta["done"] == ["filled the spot of an extra fox with the background", "drew a green tree into its spot"]
    before, after = np.asarray(picture, np.int16), np.asarray(out.image, np.int16)
    changed = np.abs(after - before).sum(-1) > 0
    assert out.image.size == picture.size and not changed[:32, 32:].any() and not changed[32:, :32].any()
    assert changed[4:28, 4:28].mean() > 0.9 and changed[36:60, 36:60].mean() > 0.9


def test_a_missing_kind_asked_at_a_place_is_pasted_there(nano_ctx):
    """'a yellow sun in the top right' with no sun: repaired, and kept only where it stands there."""
    hub, workdir = nano_ctx
    image, _ = render_scene(SceneSpec(background="day", objects=TWO_KINDS), seed=2)
    sun = ObjectSpec(kind="sun", color="yellow", size="small", position="top right")
    spec = SceneSpec(background="day", objects=[sun, *TWO_KINDS])
    instruction, before = judged(image, spec)
    assert {c.name: c.verdict for c in before.critique.checks}["sun: top right"] == "fail" and repairable(before)
    [fix] = fixes(before, instruction)
    assert fix.place == "top right"
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: image, workdir=workdir)
    [out] = run_tool("repair", {"image": "a", "prompt": instruction.prompt, "fixes": [fix], "seed": 3}, ctx)
    _, after = judged(out.image, spec)
    assert after.critique.passed, (out.meta["done"], after.critique.feedback)


def test_one_in_the_wrong_place_is_moved_where_its_relation_says_with_no_model_call(hub, tmp_path):
    """'a yellow sun above the house' with the sun far to the left: moved over the house, pixels only."""
    from chatdit.storybook import Instance, RelationSpec, render_instances

    house = Instance(group=1, kind="house", color="brown", center=(44, 46), bbox=(37, 39, 51, 53))
    sun = Instance(group=0, kind="sun", color="yellow", center=(10, 16), bbox=(4, 10, 16, 22))
    image = render_instances("day", [house, sun])
    spec = SceneSpec(background="day", objects=[ObjectSpec(kind="sun", color="yellow", size="small"),
                                                ObjectSpec(kind="house", color="brown", size="small")],
                     relations=[RelationSpec(subject=0, relation="above", target=1)])
    instruction, before = judged(image, spec)
    assert {c.name: c.verdict for c in before.critique.checks}["sun above house"] == "fail" and repairable(before)
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: image, workdir=tmp_path)
    [out] = run_tool("repair", {"image": "a", "prompt": instruction.prompt, "fixes": fixes(before, instruction)}, ctx)
    assert out.meta["done"] == ["moved a yellow sun above the house"] and out.meta["model_calls"] == 0
    _, after = judged(out.image, spec)
    assert after.critique.passed, after.critique.feedback
