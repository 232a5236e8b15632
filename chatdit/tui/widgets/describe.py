"""Words for what a turn understood, planned and judged (plain functions, used by the turn view)."""

from __future__ import annotations

from chatdit.errors import ToolArgumentError
from chatdit.schema import Critique, Instruction, Plan, Step
from chatdit.tools.registry import panels_of


def instruction_title(instruction: Instruction) -> str:
    op = instruction.book_op
    if op is not None:
        numbers = ", ".join(map(str, op.pages or [p.number for p in instruction.pages]))
        return f"Understood: {op.kind.replace('_', ' ')}" + (f" page(s) {numbers}" if numbers else "")
    count = f"{instruction.output_count} {'picture' if instruction.output_count == 1 else 'pictures'}"
    kind = instruction.collection if instruction.collection != "single" else instruction.task
    return f"Understood: {kind}, {count}"


def instruction_details(instruction: Instruction) -> str:
    lines = [f"prompt: {instruction.prompt}"]
    for subject in instruction.subjects:
        words = " ".join(w for w in [str(subject.count), subject.color, *subject.attributes, subject.name] if w)
        lines.append(f"subject: {words}")
    for name, value in [("style", instruction.style), ("background", instruction.background), ("edit", instruction.edit)]:
        if value:
            lines.append(f"{name}: {value}")
    lines += [f"character {c.name}: {c.description}" for c in instruction.characters]
    lines += [f"page {p.number}: {p.prompt}" + (f" — “{p.text}”" if p.text else "") for p in instruction.pages]
    lines += [f"input: {i.path} as {i.role}" for i in instruction.inputs]
    return "\n".join(lines)


def plan_title(plan: Plan, round_: int = 0) -> str:
    steps = f"{len(plan.steps)} step{'s' if len(plan.steps) != 1 else ''}"
    retry = f" (retry {round_})" if round_ else ""
    return f"Plan{retry}: {steps}" + (f" — {plan.rationale}" if plan.rationale else "")


def plan_details(plan: Plan) -> str:
    lines = []
    for number, step in enumerate(plan.steps, start=1):
        pages = f" pages {', '.join(map(str, step.pages))}" if step.pages else ""
        lines.append(f"{number}. {step.call.tool}{pages}: {step.purpose}")
        lines += [f"     page {panel.page or '-'}: {panel.prompt}" for panel in _panels(step)]
    return "\n".join(lines) or "nothing to do"


def _panels(step: Step) -> list:
    """The step's panels; none for a step whose arguments today's tool no longer takes (a plan an
    older chatdit saved still shows its steps)."""
    try:
        return panels_of(step.call)
    except ToolArgumentError:
        return []


def critique_line(critique: Critique, page: int | None = None) -> str:
    mark = {"pass": "✓", "fail": "✗", "unchecked": "?"}[critique.verdict]
    where = f"page {page}" if page else critique.asset_id[:8]
    score = "" if critique.verdict == "unchecked" else critique.score_text()  # the feedback says nothing was checked
    return f"{mark} critic {where}: " + (" — ".join(part for part in (score, critique.feedback) if part) or "ok")
