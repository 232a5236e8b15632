"""One progress bar per plan step: denoising steps done, seconds left, time taken when done."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from chatdit.events import Denoising, StepFinished, StepStarted


class StepProgress(Horizontal):
    def __init__(self, event: StepStarted):
        super().__init__(classes="step-progress")
        self.step_id = event.step_id
        self.title = f"step {event.index + 1}/{event.total} · {event.tool} · {event.purpose}".rstrip(" ·")

    def compose(self) -> ComposeResult:
        yield Label(self.title, classes="step-title")
        yield ProgressBar(show_eta=False, classes="step-bar")
        yield Label("starting…", classes="step-eta")

    def on_denoising(self, event: Denoising) -> None:
        self.query_one(ProgressBar).update(total=event.total, progress=event.done)
        left = f"ETA {event.eta_s:.0f}s" if event.eta_s is not None and event.done < event.total else ""
        self.query_one(".step-eta", Label).update(f"{event.done}/{event.total} {left}".strip())

    def on_finished(self, event: StepFinished) -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=bar.total or 1, progress=bar.total or 1)
        self.query_one(".step-eta", Label).update(f"✓ {event.seconds:.1f}s, {event.outputs} made")
        self.add_class("-done")
