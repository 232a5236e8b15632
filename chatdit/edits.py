"""What an edit instruction asks, read from its words: a recolor ('make the fox blue', 'turn the
stars purple'). The planner writes the changed picture's prompt from it, the edit tool masks only
what must change, and the critic checks the change was made."""

from __future__ import annotations

import re

from pydantic import BaseModel

from chatdit.llm.vocab import COLORS

EDIT_TOOLS = ("edit", "inpaint")
"""Tools that change an earlier picture: judged against it, and retried as changes of it again."""

_RECOLOR = re.compile(r"^\s*(?:please\s+)?(?:make|turn|paint|colou?r|recolou?r)\s+(?:the\s+|all\s+the\s+|my\s+)?"
                      r"(?P<noun>[a-z]+?)(?:e?s)?\s+(?:(?:to|into)\s+)?(?P<color>[a-z]+)\s*$", re.IGNORECASE)


class Recolor(BaseModel):
    noun: str
    """Singular, as the instruction names it ('fox' for 'the foxes')."""
    color: str


def recolor_of(change: str | None) -> Recolor | None:
    """The recolor an instruction asks for, or None when it asks for something else."""
    found = _RECOLOR.match(change or "")
    if not found or found["color"].lower() not in COLORS:
        return None
    return Recolor(noun=found["noun"].lower(), color=found["color"].lower())


def edited_prompt(base: str, change: str) -> str:
    """What the changed picture shows, which the fill and img2img paths draw from: 'a red fox at
    sunset' + 'make the fox blue' is 'a blue fox at sunset' (a prompt holding both 'red fox' and
    'make the fox blue' draws the fox red again). Other changes are appended as said."""
    recolor = recolor_of(change)
    if recolor is None:
        return f"{base}, {change}".strip(", ")
    colors = "|".join(sorted(COLORS, key=len, reverse=True))
    named = re.compile(rf"\b(?:(?:{colors})\s+)?({recolor.noun}(?:e?s)?)\b", re.IGNORECASE)
    if not named.search(base):
        return f"{base}, a {recolor.color} {recolor.noun}".strip(", ")
    return named.sub(lambda m: f"{recolor.color} {m.group(1)}", base)
