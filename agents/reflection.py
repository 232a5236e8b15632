"""Reflect-DiT for chatdit: after a failing critique, choose how to try again, and plan it.

Strategies, chosen per failing output from its critique:
- repair: only presence, counts, colors or places of subjects are wrong: take away the extra instances,
  recolor the wrong ones, add the missing ones in free space (copies of the model's own drawing,
  on the page or drawn alone when the page has none; tools/repair.py), the rest kept as it is
  (bench/reflection.py: this is what lifts "every count right" on nano);
- inpaint: the critic localised everything that is wrong: redraw only those regions of the best
  attempt so far, keeping what is right (the attempt improves instead of starting over);
- in_context: condition the next attempt on the previous one as a known panel, captioned with
  what it actually shows, next to the panel to draw under the asked caption (reference/fill path);
- revise: the prompt rewritten with the feedback (the failing requirements stated first);
- reseed: the same call with a new seed (broken or blank pictures, tools with no other lever).
An edit (a person's 'page 2: make the fox blue') is retried as an edit of the same picture, its
prompt revised with what the critic saw it lose ('kept: a yellow bird'), never redrawn anew.
A strategy whose attempt scored no better than the best before it is not chosen again for that
output: what helps depends on the model (on the weak early nano weights revising the prompt beat
inpainting; on FLUX.1 a localised inpaint keeps more of what was right). Every attempt stays an
asset with its critique; the responder keeps the best by score.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from chatdit.tools.edit import EditArgs
from chatdit.tools.generate import GenerateArgs, Panel, SizeArgs
from chatdit.tools.inpaint import InpaintArgs
from chatdit.tools.reference import AssetRef, ReferenceArgs
from chatdit.tools.registry import args_of, panels_of
from chatdit.tools.repair import Fix, RepairArgs
from pydantic import BaseModel, Field

from chatdit.critics.base import Judgement, absolute_position, describe_subject
from chatdit.edits import EDIT_TOOLS
from chatdit.scenes import leading
from chatdit.schema import Asset, Critique, Instruction, Plan, Step, ToolCall
from chatdit.state import ReflectionState

Strategy = Literal["repair", "inpaint", "in_context", "revise", "reseed"]
STRATEGIES: tuple[Strategy, ...] = ("repair", "inpaint", "in_context", "revise", "reseed")
REPAIRABLE = ("presence", "count", "color", "position")
"""Failing requirement kinds a repair fixes where it stands: a kind missing entirely is drawn
alone and pasted in, one in the wrong place is moved, each where its place or relation to another
subject says; a wrong background needs a new drawing."""
MAX_INPAINT_AREA = 0.35
"""Beyond this share of the picture an inpaint is a redraw: better start from a new attempt."""
MAX_INPAINT_REGIONS = 2
"""More wrong places than this and the picture is better redrawn whole."""
SEED_STRIDE = 1000


class Attempt(BaseModel):
    asset: Asset
    judgement: Judgement
    strategy: Strategy | None = Field(default=None, description="how it was made; None for the first attempt")


class FailingOutput(BaseModel):
    """One output slot that failed this round, with everything tried for it so far."""

    step: Step = Field(description="the step of the turn's first plan that makes this output")
    page: int | None = None
    prompt: str
    attempts: list[Attempt] = Field(default_factory=list, description="oldest first")

    @property
    def best(self) -> Attempt | None:
        """Highest score; the latest among equals (it already carries earlier corrections)."""
        return max(reversed(self.attempts), key=lambda a: a.judgement.critique.score, default=None)

    def unhelpful(self) -> set[Strategy]:
        """Strategies whose attempt scored no higher than every attempt before it."""
        seen, best = set(), -1.0
        for attempt in self.attempts:
            score = attempt.judgement.critique.score
            if attempt.strategy and score <= best:
                seen.add(attempt.strategy)
            best = max(best, score)
        return seen


Describe = Callable[[Asset], str]
"""What an earlier attempt actually shows, in words the model reads (the corrective caption)."""


def base_step_id(step_id: str) -> str:
    """Reflection steps for one output of a multi-output step are named '<step>~p<page>'."""
    return step_id.split("~", 1)[0]


def region_area(judgement: Judgement) -> float:
    return sum((r.box[2] - r.box[0]) * (r.box[3] - r.box[1]) for r in judgement.regions)


def choose_strategy(output: FailingOutput, allowed: tuple[Strategy, ...] = STRATEGIES) -> Strategy:
    """The strategy for this output's next attempt: inpaint when the critic localised what is
    wrong, else revise, in-context, reseed in that order, each kept while it helps (bench/reflection.py:
    on nano v12 the loop beats best-of-4 with fewer samples, 0.427 against 0.387 all met)."""
    best = output.best
    broken = best is None or any(c.verdict == "fail" and c.kind in ("structure", "quality") for c in best.judgement.critique.checks)
    if broken or output.step.call.tool not in ("generate", "group", "reference", "inpaint", "repair", "edit"):
        return "reseed"
    judgement = best.judgement
    if output.step.call.tool in EDIT_TOOLS:  # redrawing the page from scratch would lose the picture being edited
        allowed = tuple(s for s in allowed if s != "in_context")
    allowed = tuple(s for s in allowed if s not in output.unhelpful()) or ("reseed",)
    if "repair" in allowed and output.step.call.tool not in EDIT_TOOLS and repairable(judgement):
        return "repair"
    if ("inpaint" in allowed and judgement.localised and len(judgement.regions) <= MAX_INPAINT_REGIONS
            and region_area(judgement) <= MAX_INPAINT_AREA):
        return "inpaint"
    return next((s for s in ("revise", "in_context", "reseed") if s in allowed), "reseed")


def repairable(judgement: Judgement) -> bool:
    """Whether every failing requirement is a presence, count, color or place ('a sun in the top
    left', 'a sun above the house') the critic localised."""
    failing = [c for c in judgement.critique.checks if c.verdict == "fail"]
    return bool(failing) and judgement.localised and all(c.kind in REPAIRABLE for c in failing)


KEPT = "kept: "
"""How the critic names what an edit had to keep ('kept: a yellow bird'): said again when it was lost."""


def failing_subjects(instruction: Instruction, judgement: Judgement) -> list[int]:
    """The subjects (indices) with a requirement the critic found unmet."""
    failing = {c.name for c in judgement.critique.checks if c.verdict == "fail"}
    return [index for index, subject in enumerate(instruction.subjects)
            if any(name.startswith(f"{subject.name}:") or name.startswith(f"{subject.name} ") for name in failing)]


def corrections(instruction: Instruction, judgement: Judgement) -> list[str]:
    """The failing requirements said as the prompt should say them: 'two red foxes on the left'."""
    failing = {c.name for c in judgement.critique.checks if c.verdict == "fail"}
    said = []
    for index in failing_subjects(instruction, judgement):
        subject = instruction.subjects[index]
        phrase = describe_subject(subject)
        where = absolute_position(subject)
        if where:
            phrase += f" on the {where}" if where in ("left", "right") else f" at the {where}"
        if subject.position:
            phrase += f" {subject.position.relation} the {instruction.subjects[subject.position.target].name}"
        said.append(phrase)
    if any(name.startswith("background:") for name in failing) and instruction.background:
        said.append(instruction.background)
    said += [name.removeprefix(KEPT) for name in sorted(failing) if name.startswith(KEPT) and name != f"{KEPT}the rest"]
    return said


def revised_prompt(prompt: str, instruction: Instruction, judgement: Judgement) -> str:
    fixes = [fix for fix in corrections(instruction, judgement) if fix.lower() not in prompt.lower()]
    return ", ".join([*fixes, prompt]) if fixes else prompt


def fixes(judgement: Judgement, instruction: Instruction) -> list[Fix]:
    """The critic's regions as the repair tool's fixes."""
    subjects = instruction.subjects
    return [Fix(action=r.action, name=subjects[r.subject].name, color=subjects[r.subject].color, box=r.box,
                **_placement(instruction, r.subject))
            for r in judgement.regions if r.subject is not None and r.subject < len(subjects)]


INVERSE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above",
           "in front of": "behind", "behind": "in front of"}


def _placement(instruction: Instruction, index: int) -> dict:
    """Where the subject must stand, as a repair fix's fields: its place in the picture ('top
    left'), and against another subject its own relation, else the inverse of one another subject
    has to it ('a cat left of the dog': the dog goes right of the cat)."""
    subjects = instruction.subjects
    place = {"place": where} if (where := absolute_position(subjects[index])) else {}
    links = [(link.relation, link.target) for link in (subjects[index].position, subjects[index].depth) if link]
    links += [(INVERSE[link.relation], i) for i, other in enumerate(subjects)
              for link in (other.position, other.depth) if link and link.target == index]
    for relation, target in links:
        if target != index and target < len(subjects):
            return {"relation": relation, "target": subjects[target].name, "target_color": subjects[target].color, **place}
    return place


def sizes(args: BaseModel) -> dict[str, int]:
    """The panel size and steps the first call set, for the retry's call to ask again."""
    return args.model_dump(include={"width", "height", "steps"}, exclude_none=True) if isinstance(args, SizeArgs) else {}


def reflection_step(output: FailingOutput, instruction: Instruction, strategy: Strategy, round_: int,
                    describe: Describe, step_id: str) -> Step:
    """The step that makes this output's next attempt with the chosen strategy."""
    args = args_of(output.step.call)
    seed = (args.seed + SEED_STRIDE * round_ + (output.page or 0)) % (2**32)
    best = output.best
    page = {"page": output.page} if output.page else {}
    where = f"page {output.page}" if output.page else "the picture"
    why = best.judgement.critique.feedback if best else "it was not made"
    tool = output.step.call.tool
    # the page as the parser read it, which nano draws from (an edit's instruction holds only the change: its words are read)
    understood = None if tool in EDIT_TOOLS else instruction.page_scene(None)
    panels = [Panel(prompt=output.prompt, page=output.page, scene=understood)]
    if strategy == "repair":
        call = ToolCall.of("repair", RepairArgs(image=best.asset.id, prompt=output.prompt, seed=seed, **page,
                                                fixes=fixes(best.judgement, instruction), background=instruction.background))
        purpose = f"round {round_ + 1}: repair {where} where the critic found it wrong ({why})"
    elif strategy == "inpaint":
        call = ToolCall.of("inpaint", InpaintArgs(image=best.asset.id, prompt=output.prompt, seed=seed, **page,
                                                  boxes=[r.box for r in best.judgement.regions], scene=understood,
                                                  **args.model_dump(include={"steps"}, exclude_none=True)))
        purpose = f"round {round_ + 1}: redraw {len(best.judgement.regions)} region(s) of {where} ({why})"
    elif strategy == "in_context":
        call = ToolCall.of("reference", ReferenceArgs(references=[AssetRef(asset_id=best.asset.id)],
                                                      reference_prompts=[describe(best.asset)], panels=panels,
                                                      seed=seed, **sizes(args)))
        purpose = f"round {round_ + 1}: redraw {where} next to the last attempt ({why})"
    elif strategy == "revise":
        prompt = revised_prompt(output.prompt, instruction, best.judgement)
        scene = leading(understood, failing_subjects(instruction, best.judgement)) if understood else None  # fields, not words
        if tool in EDIT_TOOLS:
            call = ToolCall.of(tool, args.model_copy(update={"prompt": prompt, "seed": seed}))
        elif isinstance(args, ReferenceArgs):
            call = ToolCall.of("reference", ReferenceArgs(references=args.references, reference_prompts=args.reference_prompts,
                                                          panels=[Panel(prompt=prompt, page=output.page, scene=scene)],
                                                          seed=seed, **sizes(args)))
        else:
            call = ToolCall.of("generate", GenerateArgs(prompt=prompt, seed=seed, scene=scene, **page, **sizes(args)))
        purpose = f"round {round_ + 1}: {where} with the prompt revised by the feedback ({why})"
    else:
        if tool == "group":  # one panel of a joint canvas: drawn alone
            call = ToolCall.of("generate", GenerateArgs(prompt=output.prompt, seed=seed, scene=understood, **page, **sizes(args)))
        elif isinstance(args, ReferenceArgs):
            call = ToolCall.of("reference", args.model_copy(update={"panels": panels, "seed": seed}))
        else:
            call = ToolCall.of(tool, args.model_copy(update={"seed": seed}))
        purpose = f"round {round_ + 1}: {where} again with a new seed ({why})"
    return Step(id=step_id, call=call, purpose=purpose, pages=[output.page] if output.page else [])


def plan_reflection(failing: list[FailingOutput], instruction: Instruction, round_: int, describe: Describe,
                    allowed: tuple[Strategy, ...] = STRATEGIES) -> tuple[Plan, dict[str, Strategy]]:
    """One step per failing output; (plan, strategy chosen per step id)."""
    steps, chosen = [], {}
    for output in failing:
        many = len(output.step.pages) > 1
        step_id = f"{output.step.id}~p{output.page}" if many and output.page else output.step.id
        strategy = choose_strategy(output, allowed)
        steps.append(reflection_step(output, instruction.scene(output.page), strategy, round_, describe, step_id))
        chosen[step_id] = strategy
    summary = ", ".join(f"{sid}: {s}" for sid, s in chosen.items())
    return Plan(steps=steps, rationale=f"reflection round {round_ + 1}: {summary}"), chosen


def should_retry(failing: bool, round_: int, rounds: int, elapsed: float, round_seconds: list[float],
                 time_budget: float) -> tuple[bool, str]:
    """(retry?, why not): another round only if something failed, a round is left, and the
    slowest round so far still fits in what is left of the time budget."""
    if not failing:
        return False, "every output passed"
    if round_ + 1 >= rounds:
        return False, f"all {rounds} round(s) used"
    expected = max(round_seconds or [0.0])
    if elapsed + expected > time_budget:
        return False, f"another round (~{expected:.0f} s) would pass the {time_budget:.0f} s time budget"
    return True, ""


def failing_outputs(base: Plan, assets: list[Asset], critiques: list[Critique], info: ReflectionState,
                    this_round: int) -> list[FailingOutput]:
    """Every output slot that failed this round, with all its attempts and their judgements."""
    by_id = {asset.id: asset for asset in assets}
    steps = {step.id: step for step in base.steps}

    def slot(asset: Asset) -> tuple:
        return ("page", asset.page) if asset.page else ("step", base_step_id(asset.step_id or ""))

    def judged(critique: Critique) -> Judgement:
        return Judgement(critique=critique, regions=info.regions.get(critique.asset_id, []),
                         unlocalised=info.unlocalised.get(critique.asset_id, []))

    outputs = []
    for critique in critiques:
        if critique.attempt != this_round or critique.passed:
            continue
        asset = by_id.get(critique.asset_id)
        step = steps.get(base_step_id((asset.step_id if asset else critique.step_id) or "")) or base.steps[0]
        if asset is None:
            outputs.append(FailingOutput(step=step, page=critique.page, prompt=prompt_of(step, critique.page)))
            continue
        attempts = [Attempt(asset=by_id[c.asset_id], judgement=judged(c), strategy=strategy_of(by_id[c.asset_id], info))
                    for c in critiques if c.asset_id in by_id and slot(by_id[c.asset_id]) == slot(asset)]
        outputs.append(FailingOutput(step=step, page=asset.page, prompt=prompt_of(step, asset.page) or asset.prompt or "",
                                     attempts=attempts))
    return outputs


def strategy_of(asset: Asset, info: ReflectionState) -> Strategy | None:
    """The reflection strategy that made this attempt (None for a first attempt)."""
    if not asset.attempt or asset.attempt > len(info.strategies):
        return None
    return info.strategies[asset.attempt - 1].get(asset.step_id or "")  # type: ignore[return-value]


def prompt_of(step: Step, page: int | None) -> str:
    """The prompt the step drew this page from (a panel's, or the step's own)."""
    panels = panels_of(step.call)
    for panel in panels:
        if panel.page == page or len(panels) == 1:
            return panel.prompt
    args = args_of(step.call)
    if isinstance(args, EditArgs):
        return args.prompt or args.instruction
    return getattr(args, "prompt", None) or ""  # every drawing tool's model has one; faceswap's may be empty
