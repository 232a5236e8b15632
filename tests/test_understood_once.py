"""Understood once: where the plan gave typed scenes, no later stage reads the words again.

Each test makes the storybook word reader (`read_scene`, the hub's color completion) and the joint
caption splitter raise, then draws on nano: a planned story, a page a person rewrote at approval,
and every retry the reflection plans (a prompt revised by the critic, a spot redraw, a repair
drawing a missing kind alone) must reach the picture through fields alone.
"""

import pytest
from chatdit.agents.reflection import Attempt, FailingOutput, plan_reflection
from chatdit.tools.registry import ToolContext, args_of, load_builtin_tools, run_tool

from chatdit import Session
from chatdit.critics.base import CritiqueContext, Judgement, make_critique
from chatdit.critics.offline import OfflineCritic
from chatdit.critics.world import instruction_from_spec
from chatdit.schema import Asset, Instruction, Position, RequirementCheck, Step, Subject, ToolCall
from chatdit.storybook import ObjectSpec, SceneSpec, render_scene


class WordsReadAgain(AssertionError):
    pass


@pytest.fixture
def no_words(monkeypatch):
    """The word readers raise: a test passing under it drew from fields only."""

    def read(*args, **kwargs):
        raise WordsReadAgain(f"words read again: {args[:1]}")

    monkeypatch.setattr("chatdit.storybook.reading._found_objects", read)  # read_scene and the color completion
    monkeypatch.setattr("chatdit.dit.captions.split_joint_caption", read)


@pytest.fixture(scope="module")
def nano(tmp_path_factory):
    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub

    load_builtin_tools()
    hub = ModelHub(load_settings(model="nano"))
    return ToolContext(hub=hub, load_image=lambda asset_id: PICTURES[asset_id], workdir=tmp_path_factory.mktemp("nano"))


PICTURES: dict = {}


def test_the_guard_catches_a_bare_prompt_read_from_its_words(nano, no_words):
    with pytest.raises(WordsReadAgain):
        run_tool("generate", {"prompt": "two red stars at night", "seed": 1}, nano)


def test_a_planned_story_and_a_page_rewritten_at_approval_are_drawn_from_fields(tmp_path, no_words):
    from chatdit.schema import Approval

    def approve(plan):
        plan.steps[0].call.args["panels"][1]["prompt"] = "two yellow stars over a blue boat at sea"
        return Approval(plan=plan)

    with Session.create(tmp_path / "s", model="nano", critic=True, rounds=2, plan_approval=True) as session:
        turn = session.chat("a three-page picture book about a red fox and a blue bird", approve=approve)
    assert turn.status == "done" and len(turn.assets) == 3
    asked = turn.instruction.scene(2)  # the critic judged page 2 against what the person wrote
    assert [(s.name, s.color) for s in asked.subjects] == [("star", "yellow"), ("boat", "blue")] and asked.background
    names = {c.name.split(":")[0] for c in turn.critiques if c.page == 2 for c in c.checks}
    assert {"star", "boat"} <= names and "fox" not in names


def failing(instruction: Instruction, image, checks, regions=()):
    PICTURES["a0"] = image
    critique = make_critique(checks, CritiqueContext(asset_id="a0"), "offline")
    step = Step(id="s1", call=ToolCall(tool="generate", args={"prompt": instruction.prompt, "seed": 5}))
    attempt = Attempt(asset=Asset(id="a0", path="a0.png", prompt=instruction.prompt), judgement=Judgement(critique=critique, regions=list(regions)))
    return FailingOutput(step=step, prompt=instruction.prompt, attempts=[attempt])


def test_a_prompt_revised_by_the_critic_carries_the_scene_with_what_failed_first(nano, no_words):
    fox_by_bird = Instruction(prompt="a fox and some birds at night", background="night",
                              subjects=[Subject(name="fox", color="red", position=Position(relation="left of", target=1)),
                                        Subject(name="bird", count=2, color="blue")])
    image, _ = render_scene(SceneSpec(background="night", objects=[ObjectSpec(kind="fox", color="red")]), seed=2)
    out = failing(fox_by_bird, image, [RequirementCheck(name="bird: count 2", kind="count", verdict="fail"),
                                       RequirementCheck(name="fox: red", kind="color", verdict="pass")])
    plan, _ = plan_reflection([out], fox_by_bird, 1, describe=lambda a: "", allowed=("revise",))
    args = args_of(plan.steps[0].call)
    assert args.prompt.startswith("two blue birds")  # the words say it too, for the record and other models
    birds, fox = args.scene.subjects
    assert (birds.name, birds.count, fox.name, fox.position.target) == ("bird", 2, "fox", 0)  # the relation kept
    [drawn] = run_tool("generate", args, nano)
    assert drawn.image.size == (64, 64)


def test_spot_redraws_and_a_repair_draw_the_pages_scene(nano, no_words):
    drawn = SceneSpec(background="day", objects=[ObjectSpec(kind="house", color="brown", size="small")])
    image, _ = render_scene(drawn, seed=4)
    spec = SceneSpec(background="day", objects=[*drawn.objects, ObjectSpec(kind="tree", color="green", size="small")])
    instruction = instruction_from_spec(spec, "a brown house and a green tree")
    judgement = OfflineCritic().judge(image, instruction, CritiqueContext(asset_id="a0", threshold=1.0))
    out = failing(instruction, image, judgement.critique.checks, judgement.regions)
    for strategy in ("repair", "inpaint"):
        plan, _ = plan_reflection([out], instruction, 1, describe=lambda a: "", allowed=(strategy,))
        args = args_of(plan.steps[0].call)
        if strategy == "inpaint":  # a repair draws from the pixels and the kind's own scene
            assert [s.name for s in args.scene.subjects] == ["house", "tree"]
        [made] = run_tool(plan.steps[0].call.tool, args, nano)  # a repair draws the tree alone from its fields
        assert made.image.size == image.size


@pytest.mark.slow
def test_an_edit_and_a_redo_of_an_earlier_page_draw_the_scene_the_book_kept(tmp_path, no_words):
    with Session.create(tmp_path / "s", model="nano", critic=False, rounds=1) as session:
        session.chat("a two-page picture book: page 1 a red fox at night, page 2 two yellow stars over a house")
        assert [(s.name, s.count) for s in session.pages()[2].scene.subjects][:1] == [("star", 2)]
        recolor = session.chat("page 1: make the fox blue")  # a fill-path redraw of the fox
        added = session.chat("page 2: add a yellow sun")  # drawn into a free spot by the fill path
        redone = session.chat("page 2: the stars are dancing")  # redrawn beside the book's pictures
        pages = session.pages()
    assert [a.tool for a in recolor.assets + added.assets + redone.assets] == ["edit", "edit", "reference"]
    assert [(s.name, s.color) for s in pages[1].scene.subjects] == [("fox", "blue")]
    assert ("sun", "yellow") in [(s.name, s.color) for s in pages[2].scene.subjects]  # kept through the redo


def test_a_preset_plans_panels_with_their_scenes():
    from chatdit.tools.registry import panels_of

    from chatdit import parse, plan

    made = plan(parse("movie shots of a red fox in the snow"))
    assert made.steps[0].call.tool == "incontext"
    assert all([(s.name, s.color) for s in p.scene.subjects] == [("fox", "red")] and p.scene.background == "snow"
               for p in panels_of(made.steps[0].call))
