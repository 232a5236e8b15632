"""The reflection loop (Reflect-DiT): strategy choice from the critique, the plan of the next
attempt, and whole turns on the tiny model with a scripted critic: rounds, time budget, best-of by
score, every attempt kept, cancel mid-round, and a person's edit going through the edit tools."""

import pytest
from chatdit.agents.planner import PlanContext
from chatdit.agents.planning import plan_instruction
from chatdit.agents.reflection import Attempt, FailingOutput, choose_strategy, plan_reflection, revised_prompt, should_retry

from chatdit import Session
from chatdit.critics.base import CritiqueContext, Judgement, Region, make_critique
from chatdit.events import Critiqued, Notice, Planned
from chatdit.schema import Asset, Instruction, PageEntry, RequirementCheck, Step, Subject, Target, ToolCall

FAST = {"model": "tiny", "width": 64, "height": 64, "steps": 2, "critic": True}


def check(name, verdict, kind="count"):
    return RequirementCheck(name=name, kind=kind, verdict=verdict)


def judgement(score_checks, regions=(), unlocalised=(), asset_id="a0", attempt=0):
    critique = make_critique(list(score_checks), CritiqueContext(asset_id=asset_id, attempt=attempt), "offline")
    return Judgement(critique=critique, regions=list(regions), unlocalised=list(unlocalised))


FOX = Instruction(prompt="two red foxes at night", subjects=[Subject(name="fox", count=2, color="red")], background="night")
BOX = Region(requirement="fox: count 2", subject=0, box=(0.0, 0.5, 0.3, 0.9), action="add")


ARGS = {"generate": {"prompt": FOX.prompt}, "group": {"panels": [{"prompt": FOX.prompt, "page": 1}, {"prompt": FOX.prompt, "page": 2}]},
        "edit": {"image": "a0", "instruction": "make the fox red", "prompt": FOX.prompt}}


def output(*judgements, tool="generate", pages=()):
    step = Step(id="s1", call=ToolCall(tool=tool, args={**ARGS[tool], "seed": 5, "steps": 2}), pages=list(pages))
    attempts = [Attempt(asset=Asset(id=f"a{i}", path=f"a{i}.png", prompt=FOX.prompt), judgement=j) for i, j in enumerate(judgements)]
    return FailingOutput(step=step, prompt=FOX.prompt, attempts=attempts, page=pages[0] if pages else None)


# ---------------------------------------------------------------- choosing and planning


def test_another_round_only_when_something_failed_and_rounds_and_time_are_left():
    assert should_retry(True, 0, 3, elapsed=1.0, round_seconds=[2.0], time_budget=600) == (True, "")
    assert should_retry(False, 0, 3, 1.0, [2.0], 600) == (False, "every output passed")
    assert should_retry(True, 2, 3, 1.0, [2.0], 600) == (False, "all 3 round(s) used")
    retry, why = should_retry(True, 0, 3, elapsed=9.0, round_seconds=[2.0], time_budget=10)
    assert not retry and "10 s time budget" in why


def test_a_localised_failure_is_inpainted_on_the_best_attempt_where_no_repair_is_allowed():
    local = judgement([check("fox: left", "fail", "position"), check("fox: red", "pass", "color")], regions=[BOX])
    out = output(local)
    assert choose_strategy(out) == "repair"  # one in the wrong place is moved on the pixels first
    no_repair = ("inpaint", "in_context", "revise", "reseed")
    assert choose_strategy(out, no_repair) == "inpaint"
    plan, chosen = plan_reflection([out], FOX, 1, describe=lambda a: "", allowed=no_repair)
    [step] = plan.steps
    assert chosen == {"s1": "inpaint"} and step.call.tool == "inpaint"
    assert step.call.args["image"] == "a0" and step.call.args["boxes"] == [[0.0, 0.5, 0.3, 0.9]]
    assert step.call.args["prompt"] == FOX.prompt and step.call.args["seed"] == 1005


def test_a_wrong_count_the_critic_localised_is_repaired_in_place_first():
    counted = judgement([check("fox: count 2", "fail"), check("fox: red", "pass", "color")], regions=[BOX])
    out = output(counted)
    assert choose_strategy(out) == "repair"
    plan, chosen = plan_reflection([out], FOX, 1, describe=lambda a: "")
    [step] = plan.steps
    assert chosen == {"s1": "repair"} and step.call.tool == "repair" and step.call.args["image"] == "a0"
    assert step.call.args["fixes"] == [{"action": "add", "name": "fox", "color": "red", "box": [0.0, 0.5, 0.3, 0.9]}]
    assert choose_strategy(output(counted, tool="edit")) != "repair"  # an edit is judged on its own change
    absent = judgement([check("fox: present", "fail", "presence"), check("fox: count 2", "fail")], regions=[BOX, BOX])
    assert choose_strategy(output(absent)) == "repair"  # a kind missing entirely is drawn alone and pasted in
    unplaced = judgement([check("fox: count 2", "fail")], unlocalised=["fox: count 2"])
    assert choose_strategy(output(unplaced)) != "repair"


def test_unlocalised_failures_revise_the_prompt_while_it_helps_then_redraw_next_to_the_last_attempt():
    wrong = judgement([check("fox: count 2", "fail"), check("background: night", "fail", "presence")], unlocalised=["background: night"])
    out = output(wrong)
    assert choose_strategy(out) == "revise"
    [revise] = plan_reflection([out], FOX, 1, describe=lambda a: "")[0].steps
    assert revise.call.tool == "generate" and revise.call.args["seed"] == 1005
    better = judgement([check("fox: count 2", "pass"), check("background: night", "fail", "presence")], asset_id="a1", attempt=1)
    out.attempts.append(Attempt(asset=Asset(id="a1", path="a1.png", prompt=FOX.prompt), judgement=better, strategy="revise"))
    assert choose_strategy(out) == "revise"  # it helped: again, with a new seed
    same = judgement([check("fox: count 2", "pass"), check("background: night", "fail", "presence")], asset_id="a2", attempt=2)
    out.attempts.append(Attempt(asset=Asset(id="a2", path="a2.png", prompt=FOX.prompt), judgement=same, strategy="revise"))
    assert choose_strategy(out) == "in_context"
    out.attempts = out.attempts[:1]
    [beside] = plan_reflection([out], FOX, 2, describe=lambda a: f"what {a.id} shows: one red fox by day", allowed=("in_context",))[0].steps
    assert beside.call.tool == "reference" and beside.call.args["references"] == [{"asset_id": "a0"}]
    assert beside.call.args["reference_prompts"] == ["what a0 shows: one red fox by day"]
    panel = beside.call.args["panels"][0]
    assert (panel["prompt"], panel["page"]) == (FOX.prompt, None)
    assert [s["name"] for s in panel["scene"]["subjects"]] == ["fox"]  # drawn from the parser's fields, not re-read


def test_the_revised_prompt_states_the_failing_requirements_first_and_only_once():
    failing = judgement([check("fox: count 2", "fail"), check("fox: red", "pass", "color")])
    assert revised_prompt("a fox at night", FOX, failing) == "two red foxes, a fox at night"
    assert revised_prompt("two red foxes at night", FOX, failing) == "two red foxes at night"


def test_broken_pictures_get_a_new_seed_and_the_best_attempt_is_the_base():
    blank = judgement([check("not blank", "fail", "quality")])
    assert choose_strategy(output(blank)) == "reseed"
    better = judgement([check("fox: count 2", "fail"), check("fox: red", "pass", "color")], regions=[BOX], asset_id="a1")
    worse = judgement([check("fox: count 2", "fail"), check("fox: red", "fail", "color")], regions=[BOX])
    assert output(worse, better).best.asset.id == "a1"


def test_one_failing_page_of_a_group_is_redone_alone_under_its_own_step_id():
    out = output(judgement([check("fox: count 2", "fail")], unlocalised=["fox: count 2"]), tool="group", pages=(1, 2))
    out.page = 2
    [step] = plan_reflection([out], FOX, 3, describe=lambda a: "")[0].steps
    assert step.id == "s1~p2" and step.pages == [2] and step.call.tool == "generate" and step.call.args["page"] == 2


# ---------------------------------------------------------------- whole turns


class ScriptedCritic:
    """Judges attempt k with script[k]: (score checks, regions)."""

    name = "scripted"

    def __init__(self, script, on_judge=None):
        self.script, self.on_judge, self.seen = script, on_judge, []

    def judge(self, image, instruction, context):
        self.seen.append((context.attempt, context.page))
        if self.on_judge:
            self.on_judge(context)
        checks, regions = self.script(context)
        critique = make_critique(checks, context, self.name)
        return Judgement(critique=critique, regions=regions, unlocalised=[] if regions else [c.name for c in checks if c.verdict == "fail"])


def by_attempt(context):
    return {
        0: ([check("fox: count 2", "fail"), check("fox: red", "fail", "color"), check("fox: present", "pass", "presence"), check("x", "fail", "text")], [BOX]),
        1: ([check("fox: count 2", "fail"), check("fox: red", "pass", "color")], []),
    }.get(context.attempt, ([check("fox: count 2", "pass")], []))


@pytest.fixture
def scripted(monkeypatch):
    def install(script, on_judge=None):
        critic = ScriptedCritic(script, on_judge)
        monkeypatch.setattr("chatdit.critics.get_critic", lambda settings, notify=None: critic)
        return critic

    return install


def test_failing_picture_is_inpainted_then_revised_and_the_best_attempt_is_kept(tmp_path, scripted):
    scripted(by_attempt)
    events = []
    with Session.create(tmp_path / "s", rounds=3, **FAST) as session:
        turn = session.chat("two red foxes at night", on_event=events.append)
    assert [(a.tool, a.attempt) for a in turn.attempts] == [("generate", 0), ("inpaint", 1), ("generate", 2)]
    assert turn.attempts[1].parents == [turn.attempts[0].id]  # the region redrawn on the first attempt
    assert turn.attempts[2].seed != turn.attempts[0].seed and not turn.attempts[2].parents  # drawn anew
    assert [c.score for c in turn.critiques] == [0.25, 0.5, 1.0]
    assert [a.id for a in turn.assets] == [turn.attempts[2].id]
    assert sum(isinstance(e, Critiqued) for e in events) == 3
    assert any(isinstance(e, Planned) and e.round == 1 and "round 2: s1: inpaint" in e.plan.rationale for e in events)
    assert "after 3 rounds" in turn.reply and "every check passed" in turn.reply


def test_the_round_budget_stops_the_loop_and_the_best_scored_attempt_wins(tmp_path, scripted):
    scripted(by_attempt)
    events = []
    with Session.create(tmp_path / "s", rounds=2, **FAST) as session:
        turn = session.chat("two red foxes at night", on_event=events.append)
    assert [a.attempt for a in turn.attempts] == [0, 1]
    assert [a.id for a in turn.assets] == [turn.attempts[1].id]
    assert any(isinstance(e, Notice) and "all 2 round(s) used" in e.message for e in events)


def test_the_time_budget_stops_the_loop(tmp_path, scripted, monkeypatch):
    """On a clock the test moves (no race with the wall clock): judging takes 200 s, so a second
    round (~200 s more) would pass the 300 s budget and the first attempt is the last."""
    import time

    real, offset = time.time, [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])

    def slow_judge(context):
        offset[0] += 200

    scripted(by_attempt, on_judge=slow_judge)
    events = []
    with Session.create(tmp_path / "s", rounds=5, time_budget=300, **FAST) as session:
        turn = session.chat("two red foxes at night", on_event=events.append)
    assert len(turn.attempts) == 1
    assert any(isinstance(e, Notice) and "would pass the 300 s time budget" in e.message for e in events)


def test_a_round_that_fits_the_time_budget_is_run(tmp_path, scripted, monkeypatch):
    import time

    real, offset = time.time, [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])

    def judge(context):
        offset[0] += 120

    scripted(by_attempt, on_judge=judge)
    with Session.create(tmp_path / "s", rounds=5, time_budget=300, **FAST) as session:
        turn = session.chat("two red foxes at night")
    assert len(turn.attempts) == 2  # 120 s + ~120 s fits 300 s; a third round (240 s + 120 s) would not


def test_cancel_during_a_round_stops_the_turn_and_keeps_the_session(tmp_path, scripted):
    from chatdit.errors import TurnCancelled

    with Session.create(tmp_path / "s", rounds=3, **FAST) as session:
        scripted(by_attempt, on_judge=lambda context: session.cancel())
        with pytest.raises(TurnCancelled):
            session.chat("two red foxes at night")
        assert session.turns()[-1].status == "cancelled" and session.book() == {}


def test_only_the_failing_page_of_a_book_is_retried(tmp_path, scripted):
    critic = scripted(lambda c: ([check("page", "fail" if (c.page, c.attempt) == (2, 0) else "pass", "presence")], []))
    with Session.create(tmp_path / "s", rounds=2, **FAST) as session:
        turn = session.chat("make a four-page picture book about a red fox")
        retried = [a for a in turn.attempts if a.attempt == 1]
        assert [(a.page, a.step_id) for a in retried] == [(2, "s1~p2")]
        assert [a.page for a in turn.assets] == [1, 2, 3, 4]
        assert next(a for a in turn.assets if a.page == 2).id == retried[0].id
        assert session.book()[2].id == retried[0].id
    assert sorted(p for a, p in critic.seen if a == 1) == [2]


def test_with_the_critic_off_only_structure_is_checked(tmp_path, scripted):
    critic = scripted(by_attempt)
    with Session.create(tmp_path / "s", model="tiny", width=64, height=64, steps=2, critic=False, rounds=3) as session:
        turn = session.chat("two red foxes at night")
    assert critic.seen == [] and len(turn.attempts) == 1 and turn.critiques[0].critic == "structure"


# ---------------------------------------------------------------- a person's feedback


def test_page_feedback_that_changes_the_picture_goes_through_the_edit_tool():
    ctx = PlanContext(book={i: PageEntry(asset_id=f"p{i}", prompt=f"scene {i}") for i in range(1, 5)})
    edit = Instruction(task="edit", prompt="make the sky darker", edit="make the sky darker", targets=[Target(kind="page", page=3)])
    [step] = plan_instruction(edit, ctx).steps
    assert step.call.tool == "edit" and step.pages == [3]
    assert step.call.args["image"] == "p3" and step.call.args["instruction"] == "make the sky darker"
    assert step.call.args["prompt"] == "scene 3, make the sky darker"
    redraw = Instruction(task="inpaint", prompt="a blue fox", subjects=[Subject(name="fox", color="blue")], targets=[Target(kind="page", page=2)])
    [step] = plan_instruction(redraw, ctx).steps
    assert (step.call.tool, step.call.args["image"], step.call.args["object"]) == ("inpaint", "p2", "fox")


def test_an_edit_that_lost_what_it_had_to_keep_is_edited_again_with_that_said():
    lost = judgement([check("fox: blue", "pass", "color"), check("kept: a yellow bird", "fail", "presence")],
                     unlocalised=["kept: a yellow bird"])
    edit = Instruction(task="edit", prompt="make the fox blue", edit="make the fox blue")
    step = Step(id="s1", call=ToolCall(tool="edit", args={"image": "p2", "instruction": "make the fox blue", "seed": 5,
                                                          "prompt": "a red fox at sunset, make the fox blue"}), pages=[2])
    attempt = Attempt(asset=Asset(id="e0", path="e0.png", tool="edit", parents=["p2"]), judgement=lost)
    failing = FailingOutput(step=step, prompt="a red fox at sunset, make the fox blue", attempts=[attempt], page=2)
    assert choose_strategy(failing) == "revise"
    plan, _ = plan_reflection([failing], edit, 1, describe=lambda asset: "")
    [again] = plan.steps
    assert again.call.tool == "edit" and again.call.args["image"] == "p2" and again.call.args["seed"] != 5
    assert again.call.args["prompt"] == "a yellow bird, a red fox at sunset, make the fox blue"
    failing.attempts[0].strategy = "revise"
    failing.attempts.append(Attempt(asset=Asset(id="e1", path="e1.png", tool="edit"), judgement=lost, strategy="revise"))
    assert choose_strategy(failing) == "reseed"  # never in-context: that would redraw the page without the picture


def test_a_person_edits_page_three_and_the_critic_judges_the_edit(tmp_path):
    with Session.create(tmp_path / "s", rounds=1, **FAST) as session:
        session.chat("make a four-page picture book about a red fox")
        before = {p: a.id for p, a in session.book().items()}
        turn = session.chat("page 3: make the sky darker")
        after = {p: a.id for p, a in session.book().items()}
    assert [s.call.tool for s in turn.plan.steps] == ["edit"]
    assert turn.assets[0].page == 3 and turn.assets[0].parents == [before[3]]
    assert after[3] != before[3] and {p: a for p, a in after.items() if p != 3} == {p: a for p, a in before.items() if p != 3}
    assert turn.critiques and turn.critiques[0].asset_id == turn.assets[0].id


def test_a_strategy_that_did_not_improve_the_output_is_not_chosen_again():
    counted = judgement([check("fox: count 2", "fail")], regions=[BOX])
    repaired = judgement([check("fox: count 2", "fail")], regions=[BOX], asset_id="a1", attempt=1)
    tried = output(counted, repaired)
    tried.attempts[1].strategy = "repair"
    assert choose_strategy(tried) == "inpaint"  # the repair left the count wrong: the region is redrawn instead
    failing = [check("text: HELLO", "fail", "text")]  # localised, but no pixel repair writes text
    first = judgement(failing + [check("fox: red", "pass", "color")], regions=[BOX])
    inpainted = judgement(failing + [check("fox: red", "fail", "color")], regions=[BOX], asset_id="a1", attempt=1)
    tried = output(first, inpainted)
    tried.attempts[1].strategy = "inpaint"
    assert tried.unhelpful() == {"inpaint"}
    assert choose_strategy(tried) == "revise"  # the critique is still localised, but inpainting made it worse
    tried.attempts[1].strategy = "revise"
    assert choose_strategy(tried) == "inpaint"
    assert choose_strategy(output(first)) == "inpaint"
