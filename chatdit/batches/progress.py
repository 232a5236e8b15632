"""Progress for a whole batch: one bar per session and one for the total (rich, on stderr)."""

from __future__ import annotations

from typing import Self

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from chatdit.batches.jobs import Result
from chatdit.batches.summary import verdict_text

TOTAL = "total"


class BatchProgress:
    """Bars move with denoising steps; a line is printed as each session ends."""

    def __init__(self, names: list[str], console: Console | None = None, quiet: bool = False):
        self.console = console or Console(stderr=True)
        self.quiet = quiet
        self._bars = Progress(TextColumn("{task.fields[name]:<24}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                              TimeElapsedColumn(), TextColumn("{task.description}"), console=self.console,
                              disable=quiet)
        self._share = {name: 0.0 for name in names}
        self._tasks = {name: self._bars.add_task("", total=1.0, name=name) for name in names}
        self._total = self._bars.add_task(f"0 of {len(names)} sessions", total=max(len(names), 1), name=TOTAL)
        self._ended = 0

    def __enter__(self) -> Self:
        self._bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bars.stop()

    def say(self, line: str) -> None:
        self.console.print(line, highlight=False, markup=False)

    def update(self, name: str, share: float, note: str) -> None:
        """A session's share of its script done (never moves back: a retry round is still work)."""
        if name not in self._tasks:
            return
        self._share[name] = max(self._share[name], min(share, 1.0))
        self._bars.update(self._tasks[name], completed=self._share[name], description=note)
        self._bars.update(self._total, completed=sum(self._share.values()))

    def ended(self, result: Result) -> None:
        self._ended += 1
        self.update(result.name, 1.0, result.status)
        self._bars.update(self._total, description=f"{self._ended} of {len(self._tasks)} sessions")
        if self.quiet:
            return
        if result.status == "done":
            how = "finished by an earlier run" if result.earlier else f"{result.seconds:.1f}s"
            self.say(f"{result.name}: {result.pages} pages, critic {verdict_text(result.verdicts)}, {how}")
        else:
            self.say(f"{result.name}: {result.status}: {result.error}")
