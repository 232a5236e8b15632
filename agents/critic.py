"""Judge a turn's outputs before replying: structure, then content.

Structure: every planned output exists, opens, has the asked size and is not blank. Content
(Reflect-DiT): a critic from chatdit.critics (offline detectors, or a VLM) checks each picture
against the instruction's requirements and writes feedback; its regions tell the reflection loop
where a picture is wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chatdit.tools.generate import SizeArgs
from chatdit.tools.registry import args_of, panels_of

from chatdit.critics.base import BLANK_STDDEV, CritiqueContext, Judgement, make_critique, requirements_for
from chatdit.edits import EDIT_TOOLS
from chatdit.schema import Asset, Critique, Instruction, Plan, RequirementCheck
from chatdit.store import SessionStore

if TYPE_CHECKING:
    from chatdit.critics.base import Critic


def expected_outputs(plan: Plan) -> list[tuple[str, int | None]]:
    """(step id, page) for every output the plan promises."""
    expected = []
    for step in plan.steps:
        pages = step.pages or [None] * (len(panels_of(step.call)) or 1)
        expected.extend((step.id, page) for page in pages)
    return expected


def structural_checks(asset: Asset, store: SessionStore, width: int | None, height: int | None) -> list[RequirementCheck]:
    from PIL import Image, ImageStat

    path = store.asset_path(asset)
    if not path.exists():
        return [RequirementCheck(name="file", kind="structure", verdict="fail", detail=f"{asset.path} is missing")]
    if asset.kind != "image":
        return [RequirementCheck(name="file", kind="structure", verdict="pass", detail=f"{asset.kind} written")]
    checks = []
    with Image.open(path) as image:
        size_ok = (width is None or image.width == width) and (height is None or image.height == height)
        checks.append(RequirementCheck(name="size", kind="structure", verdict="pass" if size_ok else "fail",
                                       detail=f"{image.width}x{image.height}" + ("" if size_ok else f", expected {width}x{height}")))
        spread = max(ImageStat.Stat(image.convert("RGB")).stddev)
        checks.append(RequirementCheck(name="not blank", kind="quality", verdict="pass" if spread >= BLANK_STDDEV else "fail",
                                       detail=f"pixel spread {spread:.1f}"))
    return checks


def critique_structure(plan: Plan, assets: list[Asset], store: SessionStore, attempt: int = 0) -> list[Critique]:
    """One Critique per produced asset, plus a failing one per promised output that is missing."""
    steps = {step.id: step for step in plan.steps}
    critiques = []
    for step_id, page in expected_outputs(plan):
        candidates = [a for a in assets if a.step_id == step_id and a.page == page and a.attempt == attempt]
        if not candidates:
            missing = f"page {page}" if page else f"output of step {step_id}"
            critiques.append(Critique(asset_id="", score=0.0, passed=False, attempt=attempt, feedback=f"{missing} was not made",
                                      page=page, step_id=step_id,
                                      checks=[RequirementCheck(name=missing, kind="structure", verdict="fail", detail="missing")]))
            continue
        asset = candidates[-1]
        args = args_of(steps[step_id].call)
        width, height = (args.width, args.height) if isinstance(args, SizeArgs) else (None, None)
        checks = structural_checks(asset, store, width, height)
        passed = all(check.verdict != "fail" for check in checks)
        failing = [f"{c.name}: {c.detail}" for c in checks if c.verdict == "fail"]
        critiques.append(Critique(asset_id=asset.id, score=1.0 if passed else 0.0, passed=passed, checks=checks, page=page, step_id=step_id,
                                  attempt=attempt, feedback="; ".join(failing) or "structure ok"))
    return critiques


def critique_outputs(plan: Plan, instruction: Instruction, assets: list[Asset], store: SessionStore, *,
                     critic: "Critic | None", attempt: int = 0, threshold: float = 0.75) -> list[Judgement]:
    """Structure first (every promised output exists, opens, has its size); then, when a content
    critic is on, each picture against the instruction's requirements. One Judgement per output."""
    structural = critique_structure(plan, assets, store, attempt=attempt)
    if critic is None:
        return [Judgement(critique=c) for c in structural]
    by_id = {asset.id: asset for asset in assets}
    judged = []
    for critique in structural:
        asset = by_id.get(critique.asset_id)
        if asset is None or asset.kind != "image" or not critique.passed:
            judged.append(Judgement(critique=critique.model_copy(update={"critic": critic.name})))
            continue
        judged.append(judge_asset(asset, instruction, store, critic, critique.checks, attempt, threshold))
    return judged


def edit_context(asset: Asset, instruction: Instruction, store: SessionStore) -> dict[str, Any]:
    """The change and the picture it was made on, for an output of an edit tool: without them an
    edit that recolors the whole page ('make the fox blue' turning the bird blue too) passes."""
    if asset.tool not in EDIT_TOOLS or not asset.parents or instruction.task not in EDIT_TOOLS:
        return {}  # a retry's inpaint is judged on the page's own requirements, not as a person's edit
    source = store.image_path(asset.parents[0])
    change = instruction.edit or instruction.prompt
    if not (source.is_file() and change):
        return {}
    return {"edit": change, "source": str(source), "edit_spec": instruction.edit_spec}


def judge_asset(asset: Asset, instruction: Instruction, store: SessionStore, critic: "Critic",
                structure: list[RequirementCheck], attempt: int, threshold: float) -> Judgement:
    from PIL import Image, UnidentifiedImageError

    context = CritiqueContext(asset_id=asset.id, prompt=asset.prompt or instruction.prompt, page=asset.page,
                              attempt=attempt, threshold=threshold, **edit_context(asset, instruction, store))
    try:
        with Image.open(store.asset_path(asset)) as opened:
            image = opened.convert("RGB")
    except (OSError, UnidentifiedImageError) as exc:
        broken = RequirementCheck(name="file", kind="structure", verdict="fail", detail=f"unreadable: {exc}")
        critique = make_critique([*structure, broken], context, critic.name)
        return Judgement(critique=critique.model_copy(update={"page": asset.page, "step_id": asset.step_id}))
    scene = instruction.scene(asset.page)
    judgement = critic.judge(image, scene, context)
    required = {r.name for r in requirements_for(scene, context.prompt) if r.required}
    judged = [c.model_copy(update={"required": True}) if c.name in required else c for c in judgement.critique.checks]
    checks = [c for c in structure if c.name != "not blank"] + judged
    critique = make_critique(checks, context, critic.name).model_copy(update={"page": asset.page, "step_id": asset.step_id})
    return judgement.model_copy(update={"critique": critique})
