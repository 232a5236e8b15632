"""The offline critic: checks world pictures against the instruction, localises what is wrong, and
says "unknown" for what it cannot see instead of passing it."""

import numpy as np
import pytest
from PIL import Image

from chatdit.critics.base import CritiqueContext, requirements_for
from chatdit.critics.offline import OfflineCritic
from chatdit.critics.world import describe_scene, instruction_from_spec
from chatdit.dit.nano.world import ObjectSpec, RelationSpec, SceneSpec, render_scene
from chatdit.schema import Instruction, PageSpec, Subject

FOX_LEFT = SceneSpec(background="night", objects=[ObjectSpec(kind="fox", color="red", position="left"),
                                                 ObjectSpec(kind="sun", color="yellow", count=2, size="small", position="right")])


def judge(image, instruction, prompt=None, threshold=0.75):
    return OfflineCritic().judge(image, instruction, CritiqueContext(asset_id="a", prompt=prompt or instruction.prompt, threshold=threshold))


def verdicts(judgement):
    return {c.name: c.verdict for c in judgement.critique.checks}


def test_a_scene_that_matches_its_instruction_passes_every_check():
    image, _ = render_scene(FOX_LEFT, seed=3)
    judged = judge(image, instruction_from_spec(FOX_LEFT, "a red fox on the left and two yellow suns on the right at night"))
    assert judged.critique.passed and judged.critique.score == 1.0
    assert {"fox: present", "fox: count 1", "fox: red", "fox: left", "sun: count 2", "background: night"} <= set(verdicts(judged))
    assert set(verdicts(judged).values()) == {"pass"}
    assert judged.critique.critic == "offline" and not judged.regions


def test_wrong_color_count_and_background_fail_with_feedback_and_regions():
    image, _ = render_scene(FOX_LEFT, seed=3)
    asked = SceneSpec(background="day", objects=[ObjectSpec(kind="fox", color="blue", position="left"),
                                                 ObjectSpec(kind="sun", color="yellow", count=3, size="small")])
    judged = judge(image, instruction_from_spec(asked, "a blue fox on the left, three yellow suns, on a sunny day"))
    seen = verdicts(judged)
    assert seen["fox: blue"] == "fail" and seen["sun: count 3"] == "fail" and seen["background: day"] == "fail"
    assert seen["fox: present"] == "pass"
    assert not judged.critique.passed and 0 < judged.critique.score < 0.75
    assert "fox: blue (saw red)" in judged.critique.feedback and "background: day (saw night)" in judged.critique.feedback
    actions = sorted(r.action for r in judged.regions)
    assert actions == ["add", "redraw"]  # repaint the red fox, add a third sun
    assert judged.unlocalised == ["background: day"] and not judged.localised


def test_a_missing_object_with_a_position_is_localised_in_that_area():
    image, _ = render_scene(SceneSpec(background="day", objects=[ObjectSpec(kind="tree", color="green", position="right")]), seed=1)
    asked = Instruction(prompt="a green tree on the right and a red circle on the left",
                        subjects=[Subject(name="tree", color="green", attributes=["right"]),
                                  Subject(name="circle", color="red", attributes=["on the left"])], background="day")
    judged = judge(image, asked)
    assert verdicts(judged)["circle: present"] == "fail"
    [region] = judged.regions
    assert region.action == "add" and region.box[2] <= 0.5  # inside the left area
    assert judged.localised


def test_relations_are_checked_and_depth_is_honestly_unknown():
    spec = SceneSpec(background="sea", objects=[ObjectSpec(kind="boat", color="brown"), ObjectSpec(kind="fish", color="orange")],
                     relations=[RelationSpec(subject=0, relation="left of", target=1)])
    image, _ = render_scene(spec, seed=2)
    flipped = spec.model_copy(deep=True)
    flipped.relations[0].relation = "right of"
    assert verdicts(judge(image, instruction_from_spec(spec, "a brown boat left of an orange fish by the sea")))["boat left of fish"] == "pass"
    assert verdicts(judge(image, instruction_from_spec(flipped, "a brown boat right of an orange fish")))["boat right of fish"] == "fail"
    depth = spec.model_copy(update={"relations": [RelationSpec(subject=0, relation="in front of", target=1)]})
    assert verdicts(judge(image, instruction_from_spec(depth, "a boat in front of a fish")))["boat in front of fish"] == "unknown"


def test_what_no_detector_can_see_is_unknown_never_pass():
    image, _ = render_scene(FOX_LEFT, seed=3)
    asked = Instruction(prompt='a dragon holding a sign that says "HELLO"', subjects=[Subject(name="dragon", color="green")])
    judged = judge(image, asked)
    seen = verdicts(judged)
    assert seen["dragon: present"] == seen["dragon: green"] == seen["text: HELLO"] == "unknown"
    assert "not checked: dragon: present" in judged.critique.feedback
    assert all(c.verdict != "pass" for c in judged.critique.checks if c.kind not in ("quality", "structure"))


def test_noise_from_a_random_model_is_not_mistaken_for_a_storybook_picture():
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    judged = judge(noise, instruction_from_spec(FOX_LEFT, "a red fox"))
    assert {c.verdict for c in judged.critique.checks if c.kind not in ("quality", "structure")} == {"unknown"}


@pytest.mark.parametrize("pixels, failing", [((127, 127, 127), "not blank"), (None, "contrast")])
def test_blank_and_low_contrast_pictures_fail_with_score_zero(pixels, failing):
    if pixels:
        image = Image.new("RGB", (64, 64), pixels)
    else:
        ramp = np.tile(np.linspace(114, 126, 64, dtype=np.float32), (64, 1))  # washed out: spread, no contrast
        image = Image.fromarray(np.stack([ramp + np.random.default_rng(1).normal(0, 0.8, ramp.shape)] * 3, -1).astype(np.uint8))
    judged = judge(image, Instruction(prompt="a red fox", subjects=[Subject(name="fox", color="red")]))
    assert verdicts(judged)[failing] == "fail"
    assert judged.critique.score == 0.0 and not judged.critique.passed


def test_people_without_a_visible_frontal_face_are_unknown_not_failed():
    image, _ = render_scene(FOX_LEFT, seed=3)
    judged = judge(image, Instruction(prompt="a woman reading", subjects=[Subject(name="woman")]))
    check = next(c for c in judged.critique.checks if c.name == "woman: present")
    assert check.verdict == "unknown" and ("0 frontal face" in check.detail or "no face detector" in check.detail)


def test_each_book_page_is_held_only_to_the_subjects_its_prompt_names():
    instruction = Instruction(task="group", collection="book", prompt="a fox and a bird", output_count=2,
                              subjects=[Subject(name="fox", color="red"), Subject(name="bird", color="blue")],
                              pages=[PageSpec(number=1, prompt="the red fox sleeps"), PageSpec(number=2, prompt="two birds fly")])
    assert {r.name for r in requirements_for(instruction, "the red fox sleeps")} == {"fox: present", "fox: count 1", "fox: red"}
    assert {r.subject for r in requirements_for(instruction, "two birds fly")} == {1}


def test_the_corrective_caption_says_what_a_picture_actually_shows():
    image, _ = render_scene(SceneSpec(background="snow", objects=[ObjectSpec(kind="house", color="purple")]), seed=0)
    assert "purple house" in describe_scene(image)
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    assert describe_scene(noise) is None


def test_a_picture_the_critic_cannot_check_at_all_is_unchecked_not_perfect():
    image, _ = render_scene(FOX_LEFT, seed=3)
    asked = Instruction(prompt="a violin beside a lighthouse", subjects=[Subject(name="violin"), Subject(name="lighthouse")])
    critique = judge(image, asked).critique
    assert {c.verdict for c in critique.checks if c.kind not in ("structure", "quality")} == {"unknown"}
    assert critique.coverage == 0 and critique.score_text() == "unchecked"
    assert critique.feedback.startswith("the critic could check none of the requirements")


def test_a_partly_checkable_picture_says_how_much_was_checked():
    image, _ = render_scene(FOX_LEFT, seed=3)
    asked = Instruction(prompt="a red fox and a violin", subjects=[Subject(name="fox", color="red"), Subject(name="violin")])
    critique = judge(image, asked).critique
    assert 0 < critique.coverage < 1 and "checked)" in critique.score_text()


def test_a_missing_subject_is_said_once_in_the_feedback_not_as_its_count_and_color_too():
    image, _ = render_scene(FOX_LEFT, seed=3)
    asked = Instruction(prompt="a red fox and a green tree", subjects=[Subject(name="fox", color="red"), Subject(name="tree", color="green")])
    critique = judge(image, asked).critique
    assert verdicts(judge(image, asked))["tree: green"] == "fail"
    assert "tree: present" in critique.feedback and "tree: green" not in critique.feedback
