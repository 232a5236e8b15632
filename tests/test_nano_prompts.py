"""Nano reads prompts as it was trained: every world object with a color."""

import pytest

from chatdit.dit.nano.prompts import DEFAULT_COLORS, complete_colors
from chatdit.storybook import OBJECTS, read_scene


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


def test_a_planned_scene_is_drawn_from_its_fields_not_from_the_words():
    from chatdit.dit.nano.grounding import plan_prompt, read_panels
    from chatdit.schema import Scene, Subject

    star = Scene(subjects=[Subject(name="star", color="blue")], background="at night")
    assert read_panels("a red circle", [star])[0] == read_scene("a blue star at night")
    assert "a blue star" in [r.phrase for r in plan_prompt("a red circle", 0, [star])]
    # as many panels as the tool gave: one understood, one with only its words, a known one asking nothing
    assert read_panels("[PANEL-1] a red circle", [star, "two green trees", None]) == [
        read_scene("a blue star at night"), read_scene("two green trees"), None]
    assert read_panels("a red circle")[0] == read_scene("a red circle")  # a bare prompt: its words
    assert read_panels("[PANEL-1] two foxes [PANEL-2] a red circle") == [read_scene("two orange foxes"), read_scene("a red circle")]


def test_the_fields_say_what_the_words_say_and_what_the_world_reader_cannot_read():
    from chatdit import parse
    from chatdit.dit.nano.prompts import world_scene

    for prompt in ("two red stars left of a blue house at night", "a fish behind a red boat at sea", "two foxes in the snow"):
        instruction = parse(prompt)
        assert world_scene(instruction.page_scene(None)) == read_scene(complete_colors(prompt)), prompt
    tiny = parse("a gray cat sees five fish beside a tiny gold star")  # the reader stops at 'gold', counts to four
    scene = world_scene(tiny.page_scene(None))
    assert [(o.kind, o.count, o.size) for o in scene.objects] == [("fish", 4, "medium"), ("star", 1, "small")]
    beside = world_scene(parse("a bird on the right of a microwave").page_scene(None))  # no microwave in the world
    assert beside == read_scene(complete_colors("a bird on the right of a microwave"))
    assert [(o.kind, o.position) for o in beside.objects] == [("bird", "right")]


def test_a_page_carries_its_scene_to_its_panel_and_a_rewritten_panel_is_understood_once():
    from chatdit.tools.registry import args_of, panels_of, with_panel_prompts

    from chatdit import parse, plan
    from chatdit.nodes import approved_turn
    from chatdit.schema import Scene, Subject

    request = parse("a two-page picture book: page 1 a red fox at night, page 2 two yellow stars over a house")
    made = plan(request)
    first, second = panels_of(made.steps[0].call)
    assert [(s.name, s.color) for s in first.scene.subjects] == [("fox", "red")] and first.scene.background
    assert [(s.name, s.count) for s in second.scene.subjects][:1] == [("star", 2)]
    step = made.steps[0].model_copy(update={"call": with_panel_prompts(made.steps[0].call, ["", "a blue bird"])})
    read: list[str] = []
    bird = Scene(subjects=[Subject(name="bird", color="blue")])
    approved, judged = approved_turn(made, made.model_copy(update={"steps": [step]}), request,
                                     lambda text: read.append(text) or bird)
    kept, rewritten = args_of(approved.steps[0].call).panels
    assert kept.scene == first.scene and rewritten.prompt == "a blue bird" and rewritten.scene == bird
    assert read == ["a blue bird"]  # only the rewritten words are read, once
    assert judged.scene(2).subjects == bird.subjects and judged.scene(2).prompt == "a blue bird"  # what the critic judges
    assert judged.scene(1).subjects == request.scene(1).subjects
    single = plan(parse("a red fox under a green tree")).steps[0].call
    assert [s.name for s in args_of(single).scene.subjects] == ["fox", "tree"]
