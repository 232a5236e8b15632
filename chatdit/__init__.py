"""chatdit: chat in the terminal with diffusion-transformer image models.

    from chatdit import Session
    session = Session.create("fox-book")
    turn = session.chat("make a four-page picture book about a red fox and a blue bird")
    session.chat("page 3: add a yellow sun")
    session.export("fox.pdf")

Importing chatdit loads no torch, diffusers or textual; they load on first use.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chatdit.errors import ChatditError
from chatdit.schema import Approval, Asset, ConsentRequest, Critique, Instruction, Plan, Turn
from chatdit.session import Session
from chatdit.sessions import SessionSummary, list_sessions

__all__ = ["Approval", "Asset", "ChatditError", "ConsentRequest", "Critique", "Instruction", "Plan", "Session",
           "SessionSummary", "Turn", "list_sessions", "parse", "plan"]
__version__ = "0.1.0"


def parse(text: str, images: Iterable[str | Path] = ()) -> Instruction:
    """What a message asks for, with the configured parser (offline rules by default)."""
    from chatdit.agents.parser import parse_message
    from chatdit.config import load_settings
    from chatdit.llm.base import get_backend

    return parse_message(text, [str(i) for i in images], None, backend=get_backend(load_settings()))


def plan(instruction: Instruction, **context: Any) -> Plan:
    """How an instruction would be made: the tool calls, grouped into joint canvases."""
    from chatdit.agents.planner import PlanContext
    from chatdit.agents.planning import plan_instruction

    return plan_instruction(instruction, PlanContext(**context))
