"""Edits a person asks for, done on storybook-world pictures and checked with the world detector:
tone, remove, move and resize are exact pixel edits, add draws in a free spot where the thing
belongs, and the critic's check of the asked change fails when the change was not made."""

import numpy as np
import pytest
from chatdit.tools.registry import ToolContext, run_tool

from chatdit.critics.world_edit import edit_checks
from chatdit.edits import edit_spec_of
from chatdit.errors import ToolArgumentError
from chatdit.storybook import HORIZON, Instance, ObjectSpec, SceneSpec, object_box, render_instances, render_scene
from chatdit.storybook.detector import detect_scene
from chatdit.vision.world_edits import luminance, part_mask

SCENE = SceneSpec(background="day", objects=[ObjectSpec(kind="fox", color="red", position="left"),
                                             ObjectSpec(kind="house", color="brown", position="right"),
                                             ObjectSpec(kind="cloud", color="white", position="top right")])


@pytest.fixture
def ctx(hub, tmp_path, monkeypatch):
    """The tiny hub with its Kontext model taken away: the path nano's edits take."""
    monkeypatch.setattr(hub, "kontext", lambda: None)
    images = {name: render_scene(SceneSpec(background=bg, objects=SCENE.objects), seed=3)[0]
              for name, bg in (("day", "day"), ("night", "night"), ("sunset", "sunset"), ("snow", "snow"))}
    context = ToolContext(hub=hub, load_image=lambda asset_id: images[asset_id], workdir=tmp_path)
    context.images = images
    return context


def edited(ctx, change: str, image: str = "day"):
    spec = edit_spec_of(change)
    [out] = run_tool("edit", {"image": image, "instruction": change, "spec": spec.model_dump(), "steps": 2}, ctx)
    return ctx.images[image], out


def verdicts(before, after, change: str) -> dict[str, str]:
    return {c.name: c.verdict for c in edit_checks(before, after, change)}


def part_luma(image, part: str) -> float:
    pixels = np.asarray(image.convert("RGB"), np.float32)
    return float(luminance(pixels[part_mask(pixels, part)]).mean())


@pytest.mark.parametrize("background", ["day", "night", "sunset", "snow"])
@pytest.mark.parametrize("change, part, darker", [("make the sky darker", "sky", True), ("brighter ground", "ground", False),
                                                  ("darken the ground", "ground", True), ("the sky should be brighter", "sky", False)])
def test_a_tone_edit_changes_that_part_alone_and_the_critic_sees_it(ctx, background, change, part, darker):
    before, out = edited(ctx, change, background)
    assert out.meta["edit"] == "pixels" and out.steps == 0
    moved = part_luma(out.image, part) - part_luma(before, part)
    assert (moved < -2) if darker else (moved > 2)
    other = "ground" if part == "sky" else "sky"
    rows = slice(0, int(HORIZON * 64) - 1) if other == "sky" else slice(int(HORIZON * 64) + 1, 64)
    assert np.array_equal(np.asarray(before)[rows], np.asarray(out.image)[rows])  # the other part is untouched
    assert detect_scene(out.image).objects == detect_scene(before).objects
    checks = verdicts(before, out.image, change)
    assert checks[f"{part}: {'darker' if darker else 'brighter'}"] == "pass" and checks[f"kept: the {other}"] == "pass"
    assert set(checks.values()) == {"pass"}


def test_remove_leaves_the_background_where_the_object_was(ctx):
    before, out = edited(ctx, "get rid of the house")
    scene = detect_scene(out.image)
    assert scene.count("house") == 0 and scene.count("fox") == 1 and scene.count("cloud") == 1
    assert verdicts(before, out.image, "get rid of the house") == {"removed: house": "pass", "kept: a red fox": "pass",
                                                                     "kept: a white cloud": "pass"}


@pytest.mark.parametrize("change, axis, sign", [("move the fox to the right", 0, 1), ("move the house to the left", 0, -1),
                                                ("move the cloud to the left", 0, -1), ("move the fox up", 1, -1), ("move the house down", 1, 1)])
def test_move_drags_the_object_a_clear_way_and_fills_the_hole(ctx, change, axis, sign):
    before, out = edited(ctx, change)
    noun = edit_spec_of(change).noun
    [was], [now] = detect_scene(before).find(noun), detect_scene(out.image).find(noun)
    assert sign * (now.center[axis] - was.center[axis]) >= 6 and abs(now.area - was.area) <= 0.15 * was.area
    assert len(detect_scene(out.image).objects) == 3
    assert set(verdicts(before, out.image, change).values()) == {"pass"}


@pytest.mark.parametrize("change", ["move the fox to the right", "move the fox up", "move the cloud to the left"])
def test_a_move_leaves_no_fragment_of_a_soft_edged_object_behind(ctx, change):
    """The model draws soft rims whose blended pixels read as other colors; they go with the object."""
    from PIL import ImageFilter

    from chatdit.storybook.detector import detect_background, label_pixels

    ctx.images["soft"] = ctx.images["day"].filter(ImageFilter.GaussianBlur(0.8))
    before, out = edited(ctx, change, "soft")
    noun = edit_spec_of(change).noun
    was_scene, now_scene = detect_scene(before), detect_scene(out.image)
    [was], [now] = was_scene.find(noun), now_scene.find(noun)
    assert sorted((o.kind, o.color) for o in now_scene.objects) == sorted((o.kind, o.color) for o in was_scene.objects)
    pixels = np.asarray(out.image, np.float32)
    painted = label_pixels(pixels, detect_background(pixels)) != -1
    occupied = np.zeros(painted.shape, bool)
    for obj in [now] + [o for o in was_scene.objects if o is not was]:
        x0, y0, x1, y1 = obj.bbox
        occupied[max(0, y0 - 1):y1 + 1, max(0, x0 - 1):x1 + 1] = True
    x0, y0, x1, y1 = was.bbox
    old = np.zeros_like(occupied)
    old[max(0, y0 - 3):y1 + 3, max(0, x0 - 3):x1 + 3] = True
    assert not (painted & old & ~occupied).any()  # where it stood is sky or ground again
    assert set(verdicts(before, out.image, change).values()) == {"pass"}


@pytest.mark.parametrize("change, grows", [("make the fox bigger", True), ("the house should be smaller", False),
                                           ("shrink the cloud", False)])
def test_resize_scales_the_object_about_its_center(ctx, change, grows):
    before, out = edited(ctx, change)
    noun = edit_spec_of(change).noun
    [was], [now] = detect_scene(before).find(noun), detect_scene(out.image).find(noun)
    assert (now.area > 1.5 * was.area) if grows else (now.area < 0.6 * was.area)
    assert abs(now.center[0] - was.center[0]) <= 2 and abs(now.center[1] - was.center[1]) <= 2
    assert set(verdicts(before, out.image, change).values()) == {"pass"}


@pytest.mark.parametrize("change, name", [("make the sky darker", "sky: darker"), ("brighter ground", "ground: brighter"),
                                          ("remove the house", "removed: house"), ("move the fox to the right", "fox: moved right"),
                                          ("make the fox bigger", "fox: bigger"), ("add a yellow sun", "added: 1 yellow sun"),
                                          ("make the fox blue", "fox: blue"), ("make the sky orange", "sky: orange")])
def test_the_asked_change_fails_when_the_picture_did_not_change(change, name):
    image = render_scene(SCENE, seed=3)[0]
    [asked] = [c for c in edit_checks(image, image, change) if c.name == name]
    assert asked.verdict == "fail" and asked.required


def test_a_change_the_detector_cannot_see_is_unknown_never_pass():
    image = render_scene(SCENE, seed=3)[0]
    for change in ("make the dragon bigger", "more cheerful please", "make the fox sparkly"):
        asked = edit_checks(image, image, change)[0]
        assert (asked.verdict, asked.required) == ("unknown", True), change


def test_a_sun_added_on_the_ground_fails_the_check():
    before = render_scene(SCENE, seed=3)[0]
    on_ground = render_scene(SceneSpec(background="day", objects=[*SCENE.objects, ObjectSpec(kind="sun", color="yellow",
                                                                                             position="bottom")]), seed=3)[0]
    in_sky = render_scene(SceneSpec(background="day", objects=[*SCENE.objects, ObjectSpec(kind="sun", color="yellow",
                                                                                          position="top left")]), seed=3)[0]
    assert verdicts(before, on_ground, "add a yellow sun")["added: 1 yellow sun"] == "fail"
    assert verdicts(before, in_sky, "add a yellow sun")["added: 1 yellow sun"] == "pass"


def test_a_sun_added_beside_the_fox_is_not_above_it():
    """'page 2: add a yellow sun above the fox' once put the sun level with the fox and passed."""
    from chatdit.storybook import Instance, render_instances

    fox = Instance(group=0, kind="fox", color="red", center=(14, 24), bbox=(4, 18, 24, 30))
    sun = lambda x, y: Instance(group=1, kind="sun", color="yellow", center=(x, y), bbox=(x - 6, y - 6, x + 6, y + 6))  # noqa: E731
    before = render_instances("sunset", [fox])
    for x, y, verdict in [(42, 22, "fail"), (48, 9, "fail"), (18, 9, "pass")]:  # beside, high but off to the side, over it
        after = render_instances("sunset", [fox, sun(x, y)])
        assert verdicts(before, after, "add a yellow sun above the fox")["added: 1 yellow sun"] == verdict, (x, y)


def test_an_add_against_another_thing_is_drawn_on_that_side_of_it():
    from chatdit.tools.edit import add_box

    fox = ObjectSpec(kind="fox", color="red", size="small", position="bottom left")
    scene = detect_scene(render_scene(SceneSpec(background="day", objects=[fox]), seed=3)[0])
    [seen] = scene.find("fox")
    x0, y0, x1, y1 = add_box(edit_spec_of("add a yellow sun above the fox"), scene)
    assert y1 * 64 <= seen.bbox[1] and x0 * 64 <= seen.center[0] <= x1 * 64  # over its head, not off to one side
    x0, _, _, _ = add_box(edit_spec_of("add a tree to the right of the fox"), scene)
    assert x0 * 64 >= seen.bbox[2]


def test_a_failed_add_is_tried_again_at_new_free_spots_where_the_thing_belongs(ctx):
    before, sun = edited(ctx, "add a yellow sun")  # the tiny model's noise is never read as a sun
    boxes = sun.meta["boxes"]
    assert sun.meta["edit"] == "fill" and sun.meta["tries"] == 3 and len(boxes) == 3
    assert len({tuple(b) for b in boxes}) == 3 and all(b[3] <= HORIZON + 1e-6 for b in boxes)  # each in the sky, new each try
    assert np.array_equal(np.asarray(before), np.asarray(sun.image))  # no sun seen: nothing kept, the critic fails it
    _, house = edited(ctx, "add a house on the left")
    assert all(b[2] <= 0.5 and b[3] > HORIZON for b in house.meta["boxes"])  # on the left, down on the ground


def test_an_add_keeps_only_what_the_detector_reads_as_the_thing_inside_its_spot():
    from PIL import Image

    from chatdit.storybook import render_scene
    from chatdit.storybook.scene import ObjectSpec, SceneSpec
    from chatdit.vision.world_edits import keep_drawn

    page, _ = render_scene(SceneSpec(background="sunset", objects=[ObjectSpec(kind="boat", color="blue", position="bottom right")]), seed=2)
    drawn = np.asarray(page).copy()
    drawn[4:28, 4:28] = (160, 210, 250)  # the fill's own day sky behind what it drew
    drawn[10:20, 10:20] = (250, 215, 0)  # a yellow square, not a sun
    spot = Image.new("L", page.size)
    spot.paste(255, (2, 2, 30, 30))
    assert np.array_equal(np.asarray(keep_drawn(Image.fromarray(drawn), page, spot, "sun")), np.asarray(page))
    kept = np.asarray(keep_drawn(Image.fromarray(drawn), page, spot, "square"))
    assert (kept[10:20, 10:20] == (250, 215, 0)).all() and np.array_equal(kept[4:8, 4:28], np.asarray(page)[4:8, 4:28])


def test_edits_of_what_is_not_there_say_what_to_name(ctx):
    with pytest.raises(ToolArgumentError, match="no boat"):
        edited(ctx, "remove the boat")
    with pytest.raises(ToolArgumentError, match="dragon"):
        edited(ctx, "move the dragon to the left")
    w, h = object_box("fox", "medium")
    ctx.images["edge"] = render_instances("day", [Instance(group=0, kind="fox", color="red", center=(w // 2, 48),
                                                           bbox=(0, 48 - h // 2, w, 48 - h // 2 + h))])
    with pytest.raises(ToolArgumentError, match="already at the left edge"):
        edited(ctx, "move the fox to the left", "edge")
