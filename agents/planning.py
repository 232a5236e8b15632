"""Which planner plans an Instruction: one table, read top to bottom, owned here.

A request that names an In-Context LoRA preset is planned by it first; a request that points at
earlier outputs ("page 3: ...") is a redo whatever its task; every other task has one planner.
"""

from __future__ import annotations

from collections.abc import Callable

from chatdit.agents.book_ops import plan_book_op
from chatdit.agents.planner import PlanContext, plan_new_images, plan_redo
from chatdit.agents.planner_toolkit import plan_faceswap, plan_layout, preset_plan
from chatdit.tools.registry import argument_error
from pydantic import ValidationError

from chatdit.errors import InstructionError
from chatdit.schema import Instruction, Plan, TaskKind

PLANNERS: dict[TaskKind, Callable[[Instruction, PlanContext], Plan]] = {
    "generate": plan_new_images,
    "group": plan_new_images,
    "reference": plan_new_images,
    "edit": plan_redo,
    "inpaint": plan_redo,
    "layout": plan_layout,
    "faceswap": plan_faceswap,
}


def plan_instruction(instruction: Instruction, ctx: PlanContext) -> Plan:
    """The plan for an instruction; tool arguments its planner could not build are a one-line error."""
    try:
        return _planned(instruction, ctx)
    except ValidationError as exc:
        raise argument_error(f"the plan's {exc.title}", exc) from exc


def _planned(instruction: Instruction, ctx: PlanContext) -> Plan:
    if instruction.book_op:
        return plan_book_op(instruction, ctx)
    if instruction.task in ("generate", "group") and (preset := preset_plan(instruction, ctx)) is not None:
        return preset
    if instruction.targets and instruction.task in ("generate", "group", "reference"):
        return plan_redo(instruction, ctx)
    planner = PLANNERS.get(instruction.task)
    if planner is None:
        raise InstructionError(f"'{instruction.task}' requests are not supported by this version of chatdit yet")
    return planner(instruction, ctx)
