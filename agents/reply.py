"""The reply a person reads after a turn: what was made, and only what the critic saw.

"every check passed" is said only when every requirement of every output was checked and met.
Otherwise the first line says, page by page, what failed and what could not be checked; words
the model cannot draw are named, the hero first, with what each page shows instead.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from chatdit.critics.base import failing_checks
from chatdit.schema import Asset, Critique, Instruction

MAX_NAMED = 4
"""Pages or requirements named in one line before '... and N more'."""

AN_VOWEL = re.compile(r"\ba (?=[aeiou])")
EMPTY_SCENE = re.compile(r"^(?:nothing|an empty scene)\s+(.+)$")
BARE_BACKGROUND = {"day": "in the daytime", "night": "at night", "sunset": "at sunset", "sea": "at sea", "snow": "in the snow"}
"""The world's captions sometimes end in the bare background word ('a red fox night')."""


class ReplyFacts(BaseModel):
    """What the responder knows besides the critiques: subjects the model cannot draw, and what
    pages show instead (world pictures described by the detector)."""

    undrawable: list[str] = Field(default_factory=list, description="hero first")
    shows: dict[int, str] = Field(default_factory=dict, description="page -> what the picture shows")
    model: str = ""


def span(numbers: list[int]) -> str:
    """[7, 8] -> '7 and 8'; [3, 4, 5] -> '3-5'; [2, 5] -> '2 and 5'."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 2 else " and ".join(map(str, r)) for r in runs]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts else ""


def made_what(instruction: Instruction, chosen: list[Asset], rounds: int) -> str:
    pages = [a.page for a in chosen if a.page]
    if instruction.targets:
        what = "Redid " + (", ".join(f"page {p}" for p in pages) if pages else "the picture")
    elif instruction.book_op and instruction.book_op.kind == "append" and pages:

        what = f"Added page{'s' if len(pages) > 1 else ''} {span(pages)}"
    elif pages:
        noun = {"book": "page", "storyboard": "shot"}.get(instruction.collection, "picture")
        what = f"Made {len(pages)} {noun}{'s' if len(pages) != 1 else ''}"
    else:
        noun = "video" if chosen and all(a.kind == "video" for a in chosen) else "picture"
        what = f"Made {len(chosen)} {noun}{'s' if len(chosen) != 1 else ''}"
    return what + (f" after {rounds} rounds" if rounds > 1 else "")


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_NAMED])
    return shown + (f" and {len(items) - MAX_NAMED} more" if len(items) > MAX_NAMED else "")


def unchecked_what(name: str) -> str:
    """'seed: present' -> 'seed'; 'setting: forest' -> 'the forest (setting)'."""
    what, _, rest = name.partition(":")
    return f"the {rest.strip()} (setting)" if what == "setting" else what


def output_status(critique: Critique, label: str) -> str | None:
    """'page 2: failed fox: present (0 found)' / 'page 3: not checked: broomstick: present';
    None when everything was checked and met."""
    failing = [f"{c.name} ({c.detail})" if c.detail else c.name for c in failing_checks(critique.checks)]
    if critique.verdict == "fail":
        return f"{label}: failed {_names(failing)}"
    if failing:
        return f"{label}: passed the critic's threshold, short of {_names(failing)}"
    unknown = list(dict.fromkeys(unchecked_what(c.name) for c in critique.checks if c.verdict == "unknown"))
    if critique.verdict == "unchecked":
        return f"{label}: unchecked ({_names(unknown) or 'nothing could be checked'})"
    if unknown:
        return f"{label}: not checked {_names(unknown)}"
    return None


def verdict_line(chosen: list[Asset], critiques: list[Critique]) -> str:
    by_asset = {c.asset_id: c for c in critiques}
    judged = [(a, by_asset[a.id]) for a in chosen if a.id in by_asset]
    if not judged:
        return "the critic was off, so nothing was checked"
    if all(c.verdict == "pass" and all(x.kind in ("structure", "quality") for x in c.checks) for _, c in judged):
        return "nothing asked for was checked, only that the picture is sound"  # the critic off, or 'undo' drawn
    if all(c.fully_checked for _, c in judged):
        return "every check passed"
    statuses = [s for a, c in judged if (s := output_status(c, f"page {a.page}" if a.page else "the picture"))]
    failed = sum(c.verdict == "fail" for _, c in judged)
    short = any(failing_checks(c.checks) for _, c in judged)
    head = (f"{failed} of {len(judged)} failed the critic" if failed else
            "not every requirement was met" if short else "nothing failed, but not everything was checked")
    return f"{head}: " + "; ".join(statuses[:MAX_NAMED]) + (f"; and {len(statuses) - MAX_NAMED} more" if len(statuses) > MAX_NAMED else "")


def undrawable_line(facts: ReplyFacts) -> str:
    if not facts.undrawable:
        return ""
    line = (f"Not drawn: {', '.join(facts.undrawable)} (outside what the {facts.model or 'model'} model can draw; "
            'model = "flux-dev" draws anything).')
    if facts.shows:
        shown = [f"page {p} shows {plain(what)}" for p, what in sorted(facts.shows.items())[:MAX_NAMED]]
        line += " Drawn instead: " + "; ".join(shown) + "."
    return line


def plain(caption: str) -> str:
    """A world caption as a reply says it: 'a orange circle' -> 'an orange circle', 'nothing day' ->
    'no object, only the background (day)'."""
    caption = AN_VOWEL.sub("an ", caption)
    empty = EMPTY_SCENE.match(caption)
    if empty:
        return f"no object, only the background ({empty.group(1)})"
    *things, last = caption.split(" ")
    bare = things and last in BARE_BACKGROUND and things[-1] not in ("at", "in", "by", "over", "the", "winter", "dark")
    return " ".join(things + [BARE_BACKGROUND[last]]) if bare else caption


def reply_text(instruction: Instruction, chosen: list[Asset], critiques: list[Critique], rounds: int,
               facts: ReplyFacts | None = None) -> str:
    from chatdit.critics.identity import identity_line

    first = f"{made_what(instruction, chosen, rounds)}; {verdict_line(chosen, critiques)}."
    by_asset = {c.asset_id: c for c in critiques}
    heroes = identity_line([by_asset[a.id] for a in chosen if a.id in by_asset])
    return "\n".join(line for line in (first, heroes, undrawable_line(facts or ReplyFacts())) if line)
