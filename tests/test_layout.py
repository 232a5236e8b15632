"""The toolkit's planners (layout, face swap, In-Context LoRA presets) and the whole loop from chat
to stored asset on the tiny model: layout pictures and face-swapped videos."""

import numpy as np
import pytest
from chatdit.agents.planner import InputAsset, PlanContext
from chatdit.agents.planning import PLANNERS, plan_instruction

from chatdit.errors import ConsentRequiredError, InstructionError
from chatdit.llm.rules import parse_rules
from chatdit.schema import Instruction, LayoutBox

FAST = dict(model="tiny", width=64, height=64, steps=2, critic=False, rounds=1)


def test_importing_the_planner_registers_the_toolkit_planners():
    assert PLANNERS["layout"].__name__ == "plan_layout" and PLANNERS["faceswap"].__name__ == "plan_faceswap"
    assert PLANNERS["generate"].__name__ == "plan_new_images"


def test_places_in_a_message_become_one_layout_step_with_front_to_back_boxes():
    plan = plan_instruction(parse_rules("a red fox in the top left and a blue car in the bottom right at night"),
                            PlanContext(seed=4))
    [step] = plan.steps
    assert step.call.tool == "layout"
    assert step.call.args["boxes"] == [{"phrase": "a red fox", "box": [0.0, 0.0, 0.5, 0.5], "order": 0},
                                       {"phrase": "a blue car", "box": [0.5, 0.5, 1.0, 1.0], "order": 0}]
    assert step.call.args["prompt"] == "night" and step.call.args["seed"] == 4


def test_a_layout_book_draws_every_page_with_the_boxes():
    instruction = Instruction(task="layout", collection="book", prompt="a fox", output_count=2,
                              layout=[LayoutBox(phrase="a fox", box=(0, 0, 0.5, 1))])
    plan = plan_instruction(instruction, PlanContext())
    assert [s.pages for s in plan.steps] == [[1], [2]] and [s.call.args["seed"] for s in plan.steps] == [0, 1]


def test_face_swap_plans_need_a_video_a_face_and_consent():
    inputs = [InputAsset(asset_id="face1", role="face"), InputAsset(asset_id="clip1", role="source_video")]
    plan = plan_instruction(Instruction(task="faceswap", prompt="swap", consent=True), PlanContext(inputs=inputs))
    assert plan.steps[0].call.args == {"video": "clip1", "faces": [{"image": "face1", "consent": True}], "seed": 0}
    with pytest.raises(ConsentRequiredError, match="consent"):
        plan_instruction(Instruction(task="faceswap", prompt="swap"), PlanContext(inputs=inputs))
    with pytest.raises(InstructionError, match="attach the video"):
        plan_instruction(Instruction(task="faceswap", prompt="swap", consent=True), PlanContext(inputs=inputs[:1]))


def test_a_request_naming_a_preset_gets_the_incontext_tool_and_others_keep_their_planner():
    plan = plan_instruction(parse_rules("a font design sheet for a candy shop"), PlanContext())
    assert plan.steps[0].call.tool == "incontext" and plan.steps[0].call.args["preset"] == "font-design"
    assert len(plan.steps[0].call.args["panels"]) == 4
    assert plan_instruction(parse_rules("a red fox in the snow"), PlanContext()).steps[0].call.tool == "generate"


def test_a_layout_message_runs_end_to_end_on_the_tiny_model(tmp_path):
    from chatdit import Session

    with Session.create(tmp_path / "s", **FAST) as session:
        turn = session.chat("the fox in the bottom left, behind the tree")
    assert turn.status == "done", turn.error
    [asset] = turn.assets
    assert asset.tool == "layout" and (asset.width, asset.height) == (64, 64)


def test_a_face_swap_message_runs_end_to_end_and_stores_the_video(tmp_path):
    from PIL import Image
    from test_faceswap import draw_face

    from chatdit import Session
    from chatdit.dit.video import read_provenance, write_video

    clip = write_video([draw_face(cx=70 + i) for i in range(5)], tmp_path / "clip.mp4", fps=8)
    face = tmp_path / "me.png"
    Image.fromarray(draw_face(width=128, height=128, cx=64, cy=64, scale=0.8)).save(face)
    with Session.create(tmp_path / "s", **FAST) as session:
        with pytest.raises(ConsentRequiredError, match="I have consent"):
            session.chat("swap my face into this clip", [face, clip])
        asked = []
        with pytest.raises(ConsentRequiredError):
            session.chat("swap my face into this clip", [face, clip], consent=lambda request: asked.append(request) or False)
        assert len(asked[0].faces) == 1 and asked[0].video.endswith(".mp4")
        turn = session.chat("swap my face into this clip", [face, clip], consent=lambda request: True)
        assert turn.status == "done", turn.error
        assert turn.instruction.consent
        [asset] = turn.assets
        path = session.store.root / asset.path
    assert asset.kind == "video" and asset.tool == "faceswap" and path.suffix == ".mp4"
    assert read_provenance(path)["inputs"][1]["consent"] is True
    assert all(p.is_relative_to(tmp_path) for p in tmp_path.rglob("*.mp4"))


def test_layout_mask_lets_each_phrase_see_only_its_box():
    from chatdit.dit.regional import tokens_in_box

    inside = tokens_in_box((0.0, 0.5, 0.5, 1.0), rows=4, cols=4)
    assert inside == [8, 9, 12, 13]
    assert np.all(np.array(inside) < 16)
