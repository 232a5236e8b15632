"""The critic's identity check for photo heroes: a page is compared with the card's photo by colour,
silhouette and kind; the wrong character fails; what cannot be compared reads unknown, with why."""

import numpy as np
import pytest
from PIL import Image

from chatdit import Session
from chatdit import storybook as world
from chatdit.critics.base import Judgement
from chatdit.critics.identity import PASS_SCORE, check_identity, identity_line, judge_heroes
from chatdit.heroes import hero_subjects
from chatdit.schema import CharacterCard, CharacterSpec, Critique, Instruction, PageSpec, RequirementCheck, Subject

REX = CharacterCard(name="Rex", description="a purple fox", photo="p1", identity="storybook world: purple fox")


def picture(*objects: tuple[str, str, str], background: str = "day", seed: int = 1) -> Image.Image:
    spec = world.SceneSpec(background=background, objects=[world.ObjectSpec(kind=k, color=c, size=s) for k, c, s in objects])
    return world.render_scene(spec, seed=seed)[0]


def test_the_hero_drawn_smaller_elsewhere_and_beside_another_matches_the_photo():
    photo = picture(("fox", "purple", "large"))
    page = picture(("bird", "orange", "medium"), ("fox", "purple", "small"), background="snow", seed=7)
    check = check_identity(page, photo, REX)
    assert check.verdict == "pass" and check.detail.startswith("matches the photo (")
    assert float(check.detail.split("(")[1].rstrip(")")) >= PASS_SCORE


@pytest.mark.parametrize("shown", [("bird", "orange"), ("fox", "red"), ("star", "purple")])
def test_a_page_with_the_wrong_character_fails(shown):
    photo = picture(("fox", "purple", "large"))
    check = check_identity(picture((*shown, "medium"), background="night", seed=3), photo, REX)
    assert check.verdict == "fail"
    assert f"the closest is {'an' if shown[1] == 'orange' else 'a'} {shown[1]} {shown[0]}" in check.detail


def test_what_cannot_be_compared_reads_unknown_and_says_why():
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    photo = picture(("fox", "purple", "large"))
    assert check_identity(noise, photo, REX).verdict == "unknown"
    unknown = check_identity(photo, noise, REX)
    assert unknown.verdict == "unknown" and "not a storybook-world picture" in unknown.detail
    from tests.test_faceswap import draw_face

    face = Image.fromarray(draw_face(cx=80, cy=64))  # a frontal face the shipped BlazeFace finds
    person = check_identity(photo, face, REX.model_copy(update={"description": "a girl with dark hair"}))
    assert person.verdict == "unknown" and "no face-embedding model ships" in person.detail


def test_a_subject_named_after_a_photo_card_is_judged_as_what_the_card_shows():
    rex = Subject(name="rex", hero=True)
    instruction = Instruction(prompt="Rex in the snow", subjects=[rex, Subject(name="dragon")],
                              characters=[CharacterSpec(name="rex", description="rex")],
                              pages=[PageSpec(number=1, prompt="Rex in the snow", subjects=[rex], characters=["rex"])])
    read = hero_subjects(instruction, {"Rex": REX})
    assert read.subjects[0].name == "fox" and read.subjects[0].color == "purple" and read.subjects[0].character == "Rex"
    assert read.subjects[0].hero and read.subjects[1].name == "dragon"
    assert read.scene(1).subjects[0].character == "Rex" and read.pages[0].characters == ["Rex"]
    assert read.characters == [CharacterSpec(name="Rex", description="a purple fox")]  # one character, the card's
    assert hero_subjects(instruction, {}) is instruction
    blue = hero_subjects(instruction.model_copy(update={"subjects": [Subject(name="rex", color="blue")]}), {"Rex": REX})
    assert blue.subjects[0].name == "fox" and blue.subjects[0].color == "blue" and blue.subjects[0].character is None


def test_the_loop_hook_fails_a_page_that_shows_the_other_hero(tmp_path):
    with Session.create(tmp_path / "s", model="tiny", critic=False) as session:
        photo, other = tmp_path / "rex.png", tmp_path / "mia.png"
        picture(("fox", "purple", "large")).save(photo)
        picture(("bird", "orange", "large")).save(other)
        card = session.add_card("Rex", photo)
        wrong = session.store.add_image(Image.open(other).convert("RGB"), {"tool": "test"}, tool="test", page=2)
        unknown = RequirementCheck(name="Rex: identity", kind="identity", verdict="unknown", detail="identity needs the VLM critic")
        judged = [Judgement(critique=Critique(asset_id=wrong.id, score=1.0, passed=True, page=2, checks=[unknown]))]
        [after] = judge_heroes(judged, {"Rex": card}, session.store, threshold=1.0)
    assert after.critique.checks[0].verdict == "fail" and not after.critique.passed
    assert after.unlocalised == ["Rex: identity"]
    assert identity_line([after.critique]).startswith("Heroes: page 2: Rex does not match the photo (")


def test_a_book_with_two_photo_heroes_reports_each_heroes_identity_and_draws_them(tmp_path):
    """End to end on nano: the critic checks Rex and Mia against their photos; no 'Not drawn'."""
    with Session.create(tmp_path / "s", model="nano", critic=True, rounds=1, seed=1) as session:
        for name, kind, color in (("Rex", "fox", "purple"), ("Mia", "bird", "orange")):
            picture((kind, color, "large")).save(tmp_path / f"{name}.png")
            session.add_card(name, tmp_path / f"{name}.png")
        turn = session.chat("a two-page picture book about Rex and Mia: page 1 Rex in the snow, page 2 Mia at night")
        cards = session.cards()
    assert set(cards) == {"Rex", "Mia"} and all(card.photo for card in cards.values())  # no second 'rex' card
    assert "Not drawn" not in turn.reply
    assert "Heroes: page 1: Rex " in turn.reply and "page 2: Mia " in turn.reply
    identity = {c.page: [k for k in c.checks if k.kind == "identity"] for c in turn.critiques}
    assert [k.name for k in identity[1]] == ["Rex: identity"] and [k.name for k in identity[2]] == ["Mia: identity"]
    assert all(k.verdict in ("pass", "fail") for ks in identity.values() for k in ks)
