"""Edits asked for in chat on the embedded nano model, as a person would after a one-page book:
each picture is looked at with the world detector, and the critic's verdict and the reply say
what was done."""

import numpy as np
import pytest
from PIL import Image

from chatdit import Session
from chatdit.storybook.detector import detect_scene
from chatdit.vision.world_edits import luminance, part_mask

pytestmark = pytest.mark.slow


def picture(session, asset) -> Image.Image:
    with Image.open(session.asset_path(asset)) as opened:
        return opened.convert("RGB")


def sky_luma(image) -> float:
    pixels = np.asarray(image, np.float32)
    return float(luminance(pixels[part_mask(pixels, "sky")]).mean())


def asked(turn) -> dict[str, tuple[str, bool]]:
    return {c.name: (c.verdict, c.required) for c in turn.critiques[-1].checks if c.required}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    with Session.create(tmp_path_factory.mktemp("edits") / "s", model="nano", critic=True, rounds=1, seed=1) as opened:
        opened.chat("a one-page picture book about a red fox and a brown house")
        yield opened


def test_make_the_sky_darker_darkens_the_sky_alone(session):
    before = picture(session, session.book()[1])
    turn = session.chat("page 1: make the sky darker")
    after = picture(session, turn.assets[0])
    assert turn.instruction.edit_spec.kind == "tone" and turn.plan.steps[0].call.tool == "edit"
    assert sky_luma(after) < sky_luma(before) - 10
    assert np.array_equal(np.asarray(before)[42:], np.asarray(after)[42:])  # the ground is as it was
    assert asked(turn) == {"sky: darker": ("pass", True)}
    assert turn.reply.startswith("Redid page 1; every check passed")


def test_move_the_fox_to_the_right_drags_it(session):
    before = picture(session, session.book()[1])
    turn = session.chat("page 1: move the fox to the right")
    [was], [now] = detect_scene(before).find("fox"), detect_scene(picture(session, turn.assets[0])).find("fox")
    assert now.center[0] - was.center[0] >= 6
    assert asked(turn) == {"fox: moved right": ("pass", True)}


def test_the_fox_should_be_bigger_grows_it(session):
    before = picture(session, session.book()[1])
    turn = session.chat("page 1: the fox should be bigger")
    [was], [now] = detect_scene(before).find("fox"), detect_scene(picture(session, turn.assets[0])).find("fox")
    assert now.area > 1.5 * was.area
    assert asked(turn) == {"fox: bigger": ("pass", True)}


def test_remove_the_house_leaves_no_house(session):
    assert detect_scene(picture(session, session.book()[1])).count("house") == 1
    turn = session.chat("page 1: remove the house")
    assert detect_scene(picture(session, turn.assets[0])).count("house") == 0
    assert asked(turn) == {"removed: house": ("pass", True)}
    assert "house" not in session.pages()[1].prompt


def test_add_a_sun_is_judged_by_what_the_detector_sees_in_the_sky(session):
    turn = session.chat("page 1: add a yellow sun")
    suns = [o for o in detect_scene(picture(session, turn.assets[0])).find("sun", "yellow") if o.center[1] < 0.62 * 64]
    verdict, required = asked(turn)["added: 1 yellow sun"]
    assert required and verdict == ("pass" if suns else "fail")
    if verdict == "fail":  # the reply names the asked change it did not see done
        assert "added: 1 yellow sun" in turn.reply and "every check passed" not in turn.reply


def test_undo_brings_back_the_picture_before_the_edit(session):
    before = session.book()[1].id
    session.chat("page 1: brighter ground")
    assert session.book()[1].id != before
    session.undo()
    assert session.book()[1].id == before
