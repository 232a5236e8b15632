"""The planner's grouping rules, as specifications."""

import pytest
from chatdit.agents.executor import resolve_reference
from chatdit.agents.planner import InputAsset, PlanContext
from chatdit.agents.planning import plan_instruction
from chatdit.tools.reference import AssetRef
from chatdit.tools.registry import args_of

from chatdit import plan
from chatdit.edits import edit_spec_of
from chatdit.errors import InstructionError, PageReferenceError, ToolArgumentError
from chatdit.schema import Asset, CharacterCard, CharacterSpec, Instruction, PageEntry, PageSpec, Subject, Target, ToolCall


def book(pages: int, **extra) -> Instruction:
    return Instruction(task="group", collection="book", prompt="a red fox and a blue bird", output_count=pages,
                       subjects=[Subject(name="fox", color="red"), Subject(name="bird", color="blue")],
                       pages=[PageSpec(number=i, prompt=f"a red fox and a blue bird, scene {i}", text=f"Text {i}.") for i in range(1, pages + 1)],
                       **extra)


def planned_pages(made) -> list[int]:
    return sorted(page for step in made.steps for page in step.pages)


def test_one_image_is_a_single_generate_call():
    made = plan(Instruction(prompt="a red circle"))
    assert [s.call.tool for s in made.steps] == ["generate"]
    assert made.steps[0].call.args["prompt"] == "a red circle"


def test_four_pages_are_drawn_jointly_on_one_canvas():
    made = plan(book(4))
    assert [s.call.tool for s in made.steps] == ["group"]
    assert [p["page"] for p in made.steps[0].call.args["panels"]] == [1, 2, 3, 4]


def test_six_page_book_is_generated_in_two_joint_groups():
    made = plan(book(6))
    assert [s.call.tool for s in made.steps] == ["group", "reference"]
    second = made.steps[1]
    assert second.depends_on == ["s1"]
    assert [ref.page for ref in args_of(second.call).references] == [1]  # a page number, resolved by the executor
    assert planned_pages(made) == [1, 2, 3, 4, 5, 6]


def test_twenty_four_page_book_has_no_cap_and_covers_every_page_once():
    made = plan(book(24))
    assert planned_pages(made) == list(range(1, 25))
    for step in made.steps[1:]:
        assert len(step.call.args["references"]) + len(step.call.args["panels"]) <= 4


def test_attached_images_condition_every_output():
    instruction = Instruction(task="reference", prompt="the fox at the beach", output_count=3)
    made = plan_instruction(instruction, PlanContext(inputs=[InputAsset(asset_id="a1"), InputAsset(asset_id="a2")]))
    assert all(s.call.tool == "reference" and args_of(s.call).reference_ids() == ["a1", "a2"] for s in made.steps)
    assert sum(len(s.call.args["panels"]) for s in made.steps) == 3


def test_too_many_attached_images_is_a_clear_error():
    inputs = [InputAsset(asset_id=f"a{i}") for i in range(4)]
    with pytest.raises(InstructionError, match="at most 3"):
        plan_instruction(Instruction(task="reference", prompt="x"), PlanContext(inputs=inputs))


def test_redo_of_page_three_uses_character_cards_and_touches_nothing_else():
    ctx = PlanContext(book={i: PageEntry(asset_id=f"p{i}", prompt=f"scene {i}") for i in range(1, 7)},
                      cards={"fox": CharacterCard(name="fox", description="red fox", asset_id="p1", page=1)})
    instruction = Instruction(task="edit", prompt="the fox at the beach", edit="the fox at the beach",
                              targets=[Target(kind="page", page=3)], edit_spec=edit_spec_of("the fox at the beach"))
    made = plan_instruction(instruction, ctx)
    assert len(made.steps) == 1 and made.steps[0].pages == [3]
    args = made.steps[0].call.args
    assert args["references"] == [{"asset_id": "p1"}]
    assert args["panels"] == [{"prompt": "scene 3, the fox at the beach", "page": 3}]


@pytest.mark.parametrize("change, tool", [("add a yellow sun", "edit"), ("remove the house", "edit"),
                                          ("move the fox to the left", "edit"), ("make the sky darker", "edit")])
def test_a_change_the_edit_spec_understood_goes_to_the_edit_tool_with_its_spec(change, tool):
    ctx = PlanContext(book={3: PageEntry(asset_id="p3", prompt="a red fox at sunset")})
    spec = edit_spec_of(change)
    instruction = Instruction(task="inpaint" if change.startswith("remove") else "edit", prompt=change, edit=change,
                              targets=[Target(kind="page", page=3)], edit_spec=spec)
    [step] = plan_instruction(instruction, ctx).steps
    assert step.call.tool == tool and step.call.args["image"] == "p3" and args_of(step.call).spec == spec


def test_unknown_page_reference_names_the_pages_that_exist():
    ctx = PlanContext(book={1: PageEntry(asset_id="p1", prompt="x"), 2: PageEntry(asset_id="p2", prompt="y")})
    instruction = Instruction(task="edit", prompt="darker", edit="darker", targets=[Target(kind="page", page=9)])
    with pytest.raises(PageReferenceError, match="pages in this session: 1, 2"):
        plan_instruction(instruction, ctx)


def test_named_characters_are_described_in_each_panel():
    instruction = Instruction(task="group", collection="book", prompt="story", output_count=2,
                              characters=[CharacterSpec(name="Bob", description="a man in a black suit")],
                              pages=[PageSpec(number=1, prompt="[Bob] at home"), PageSpec(number=2, prompt="[NC] a house in the forest")])
    panels = plan(instruction).steps[0].call.args["panels"]
    assert panels[0]["prompt"] == "Bob, a man in a black suit, at home"
    assert panels[1]["prompt"] == "a house in the forest"


def test_a_page_a_later_canvas_draws_on_travels_as_a_number_to_the_asset_that_page_became():
    made = plan(book(6))
    [ref] = args_of(made.steps[1].call).references
    assert ref == AssetRef(page=1)
    drawn = [Asset(id=f"id{n}", path=f"assets/id{n}.png", page=n) for n in (1, 2)]
    assert resolve_reference(ref, drawn, book={}) == AssetRef(asset_id="id1")
    assert resolve_reference(ref, [], book={1: PageEntry(asset_id="old1", prompt="x")}) == AssetRef(asset_id="old1")
    with pytest.raises(PageReferenceError, match="page 1, which has not been made"):
        resolve_reference(ref, [], book={})


def test_a_plan_saved_with_page_strings_loads_as_typed_references_and_saves_back_typed():
    saved = ToolCall(tool="reference", args={"references": ["@page:2", "abc"], "panels": [{"prompt": "x", "page": 5}]})
    args = args_of(saved)
    assert args.references == [AssetRef(page=2), AssetRef(asset_id="abc")]
    assert ToolCall.of("reference", args).args["references"] == [{"page": 2}, {"asset_id": "abc"}]


def test_a_reference_names_one_picture_and_an_unresolved_page_is_not_drawn_on():
    with pytest.raises(ToolArgumentError, match="either an asset_id or a page"):
        args_of(ToolCall(tool="reference", args={"references": [{"page": 1, "asset_id": "a"}], "panels": [{"prompt": "x"}]}))
    with pytest.raises(ToolArgumentError, match="reference to page 3 was not resolved"):
        args_of(ToolCall(tool="reference", args={"references": [{"page": 3}], "panels": [{"prompt": "x"}]})).reference_ids()


def test_tool_arguments_a_planner_cannot_build_are_a_one_line_error():
    with pytest.raises(ToolArgumentError, match="invalid arguments: .*prompt"):
        plan(Instruction(prompt="a fox", pages=[PageSpec(number=1, prompt="")]))


def test_a_saved_plan_shows_its_pages_and_a_step_todays_tools_refuse_still_shows_its_line():
    from chatdit.schema import Plan, Step
    from chatdit.tui.widgets.describe import plan_details

    saved = Plan(steps=[Step(id="s1", call=ToolCall(tool="group", args={"panels": [{"prompt": "a fox", "page": 1}], "gone": 1})),
                        Step(id="s2", call=ToolCall(tool="reference", args={"references": ["@page:1"],
                                                                             "panels": [{"prompt": "a bird", "page": 2}]}))])
    assert plan_details(saved).splitlines() == ["1. group: ", "2. reference: ", "     page 2: a bird"]
