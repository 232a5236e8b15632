"""Progress for terminals without the UI: one line per event worth reading, denoising in quarters."""

from __future__ import annotations

import sys
from typing import TextIO

from chatdit.events import AssetMade, Critiqued, Denoising, Event, Notice, Parsed, Planned, StepStarted


class ConsoleProgress:
    def __init__(self, stream: TextIO | None = None, quiet: bool = False):
        self.stream, self.quiet = stream or sys.stderr, quiet
        self._last_quarter: dict[str, int] = {}

    def __call__(self, event: Event) -> None:
        line = None if self.quiet and not isinstance(event, Notice) else self.describe(event)
        if line:
            print(line, file=self.stream, flush=True)

    def describe(self, event: Event) -> str | None:
        if isinstance(event, Parsed):
            i = event.instruction
            return f"  understood: {i.task}, {i.output_count} output(s)" + (f", {len(i.pages)} page texts" if i.pages else "")
        if isinstance(event, Planned):
            return f"  plan{' (round ' + str(event.round + 1) + ')' if event.round else ''}: {event.plan.rationale}"
        if isinstance(event, StepStarted):
            return f"  step {event.index + 1}/{event.total} [{event.tool}] {event.purpose}"
        if isinstance(event, Denoising):
            quarter = event.done * 4 // max(event.total, 1)
            if self._last_quarter.get(event.step_id) == quarter:
                return None
            self._last_quarter[event.step_id] = quarter
            eta = f", about {event.eta_s:.0f}s left" if event.eta_s and event.done < event.total else ""
            return f"    denoising {event.done}/{event.total}{eta}"
        if isinstance(event, AssetMade):
            where = f"page {event.asset.page}" if event.asset.page else event.asset.kind
            return f"    made {where}: {event.asset.path}"
        if isinstance(event, Critiqued):
            c = event.critique
            where = f" page {event.page}" if event.page else ""
            unchecked = c.verdict == "unchecked"  # the feedback says nothing could be checked
            said = " ".join(part for part in ({"pass": "pass", "fail": "FAIL", "unchecked": "?"}[c.verdict],
                                              "" if unchecked else c.score_text(), c.feedback) if part)
            return f"    critic{where}: {said}"
        if isinstance(event, Notice):
            return f"  {event.level}: {event.message}"
        return None
