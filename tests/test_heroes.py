"""Photo heroes: a card holds the person's photo (upright, cropped), pages that show the hero are
drawn beside that photo only, and cards travel with undo and branch."""

import pytest
from chatdit.tools.registry import args_of
from PIL import Image

from chatdit import Session
from chatdit import storybook as world
from chatdit.errors import ChatditError, InputImageError, SessionError
from chatdit.heroes import crop_to_subject, upright_photo, with_hero_photos
from chatdit.schema import CharacterCard, Plan, Step, ToolCall

FAST = {"model": "tiny", "width": 64, "height": 64, "steps": 2, "critic": False, "rounds": 1}


def hero_picture(kind: str, color: str, background: str = "day", seed: int = 1) -> Image.Image:
    spec = world.SceneSpec(background=background, objects=[world.ObjectSpec(kind=kind, color=color, size="medium")])
    return world.render_scene(spec, seed=seed)[0]


@pytest.fixture
def photos(tmp_path):
    rex, mia = tmp_path / "rex.png", tmp_path / "mia.png"
    hero_picture("fox", "purple").save(rex)
    hero_picture("star", "yellow", "night", seed=2).save(mia)
    return {"Rex": rex, "Mia": mia}


@pytest.fixture
def session(tmp_path):
    with Session.create(tmp_path / "s", **FAST) as opened:
        yield opened


def test_a_phone_photo_is_turned_upright_by_its_exif_orientation(tmp_path):
    picture = Image.new("RGB", (40, 20), "white")
    picture.paste((255, 0, 0), (0, 0, 10, 20))  # red on the left edge as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to view"
    path = tmp_path / "phone.jpg"
    picture.save(path, exif=exif, quality=95)
    upright = upright_photo(path)
    assert upright.size == (20, 40)
    assert upright.getpixel((10, 3))[0] > 200  # the red edge is now at the top


def test_the_crop_holds_the_subject_and_little_else():
    picture = hero_picture("fox", "purple")
    crop = crop_to_subject(picture)
    assert crop.width == crop.height < picture.width
    from chatdit.storybook.detector import detect_scene

    assert detect_scene(crop).find("fox", "purple") or detect_scene(crop).find(None, "purple")


def test_cards_hold_each_photo_and_describe_it_from_the_picture(session, photos):
    rex = session.add_card("Rex", photos["Rex"])
    session.add_card("Mia", photos["Mia"])
    assert rex.description == "a purple fox" and rex.photo and rex.identity.startswith("storybook world")
    assert set(session.cards()) == {"Rex", "Mia"}
    assert session.store.image_path(rex.photo).is_file()


def test_undo_takes_a_card_back_and_branch_brings_it_again(session, photos):
    session.add_card("Rex", photos["Rex"])
    added = session.add_card("Mia", photos["Mia"])
    mia_turn = session.record.head
    session.undo()
    assert set(session.cards()) == {"Rex"}
    session.branch(mia_turn)
    assert session.cards()["Mia"] == added
    session.edit_card("Mia", "a yellow star with a smile")
    assert session.cards()["Mia"].description == "a yellow star with a smile"
    session.undo()
    assert session.cards()["Mia"].description == "a yellow star"


def test_each_page_is_drawn_beside_the_photos_of_the_heroes_it_shows(session, photos):
    rex, mia = session.add_card("Rex", photos["Rex"]), session.add_card("Mia", photos["Mia"])
    turn = session.chat("a three-page picture book about Rex and Mia: page 1 Rex and Mia at the beach, "
                        "page 2 Rex in the snow, page 3 Mia at night")
    by_page = {page: step for step in turn.plan.steps for page in step.pages}
    assert args_of(by_page[1].call).reference_ids() == [rex.photo, mia.photo]
    assert args_of(by_page[2].call).reference_ids() == [rex.photo]
    assert args_of(by_page[3].call).reference_ids() == [mia.photo]
    assert "Rex, a purple fox" in by_page[2].call.args["panels"][0]["prompt"]
    assert sorted(a.page for a in turn.assets) == [1, 2, 3]
    assert session.cards()["Rex"].photo == rex.photo  # the card keeps its photo after the turn


def test_a_plan_without_photo_heroes_is_left_as_it_was():
    plan = Plan(steps=[Step(id="s1", call=ToolCall(tool="group", args={"panels": [{"prompt": "a fox", "page": 1}]}))])
    cards = {"fox": CharacterCard(name="fox", description="a red fox", asset_id="abc")}
    assert with_hero_photos(plan, cards, 4) is plan


def test_later_steps_keep_their_dependencies_when_a_canvas_is_split():
    panels = [{"prompt": "Rex at the beach", "page": 1}, {"prompt": "a tree", "page": 2}]
    plan = Plan(steps=[Step(id="s1", call=ToolCall(tool="group", args={"panels": panels, "seed": 3}), pages=[1, 2]),
                       Step(id="s2", call=ToolCall(tool="reference", args={"references": ["@page:1"],
                                                                           "panels": [{"prompt": "x", "page": 5}]}),
                            pages=[5], depends_on=["s1"])])
    cards = {"Rex": CharacterCard(name="Rex", description="a purple fox", asset_id="p1", photo="p1")}
    steps = with_hero_photos(plan, cards, 4).steps
    assert [(s.id, s.call.tool, s.pages) for s in steps] == [("s1", "reference", [1]), ("s2", "group", [2]),
                                                              ("s3", "reference", [5])]
    assert steps[2].depends_on == ["s1"] and steps[0].call.args["seed"] == 3


def test_a_photo_chatdit_cannot_read_needs_words_and_bad_names_are_refused(session, tmp_path):
    photo = tmp_path / "noise.png"
    Image.effect_noise((64, 64), 80).convert("RGB").save(photo)
    with pytest.raises(InputImageError, match="say it"):
        session.add_card("Rex", photo)
    assert session.add_card("Rex", photo, "a small brown dog").description == "a small brown dog"
    with pytest.raises(ChatditError, match="cannot name"):
        session.add_card("[Rex]!", photo, "a dog")
    with pytest.raises(SessionError, match="no character card"):
        session.edit_card("Nobody", "a cat")
    with pytest.raises(InputImageError):
        session.add_card("Rex", tmp_path / "missing.png")


def test_a_script_line_names_a_photo_hero(tmp_path, photos):
    from chatdit.script import ScriptStep, run_script

    step = ScriptStep.model_validate("[Rex] rex.jpg: a small brown dog")
    assert step.card.name == "Rex" and step.card.photo == "rex.jpg" and step.card.looks == "a small brown dog"
    assert ScriptStep.model_validate("[Rex] a fox in a hat").text == "[Rex] a fox in a hat"  # a StoryDiffusion line
    script = tmp_path / "heroes.yaml"
    script.write_text("settings: {model: tiny, width: 64, height: 64, steps: 2, critic: false}\n"
                      "messages:\n  - '[Rex] rex.png'\n")
    run_script(script, session_path=tmp_path / "scripted")
    assert Session.open(tmp_path / "scripted").cards()["Rex"].description == "a purple fox"
