"""One turn in the conversation: the message, the live work (understood, plan, progress, critic)
as it streams in, then the reply and the pictures."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Collapsible, Static

from chatdit.events import AssetMade, Critiqued, Denoising, Event, Notice, Parsed, Planned, StepFinished, StepStarted
from chatdit.schema import Instruction, Plan, Turn
from chatdit.tui.widgets.describe import critique_line, instruction_details, instruction_title, plan_details, plan_title
from chatdit.tui.widgets.pages import PageStrip, PageView
from chatdit.tui.widgets.progress import StepProgress


class TurnView(Vertical):
    def __init__(self, message: str, asset_root: Path, attachments: list[str] = ()):
        super().__init__(classes="turn")
        self.message, self.asset_root, self.attachments = message, asset_root, list(attachments)
        self.steps: dict[str, StepProgress] = {}
        self.asset_pages: dict[str, int | None] = {}
        self.live: PageStrip | None = None
        self.instruction: Instruction | None = None

    def compose(self) -> ComposeResult:
        chips = "".join(f"  📎 {name}" for name in self.attachments)
        yield Static(f"{self.message}{chips}", classes="user-message", markup=False)
        yield Vertical(classes="work")

    @property
    def work(self) -> Vertical:
        return self.query_one(".work", Vertical)

    # -- live ----------------------------------------------------------------------------------

    async def handle(self, event: Event) -> None:
        """Show one progress event of the running turn."""
        if isinstance(event, Parsed):
            self.instruction = event.instruction
            await self.show_instruction(event.instruction)
        elif isinstance(event, Planned):
            await self.show_plan(event.plan, event.round)
        elif isinstance(event, StepStarted):
            self.steps[event.step_id] = StepProgress(event)
            await self.work.mount(self.steps[event.step_id])
        elif isinstance(event, Denoising) and event.step_id in self.steps:
            self.steps[event.step_id].on_denoising(event)
        elif isinstance(event, StepFinished) and event.step_id in self.steps:
            self.steps[event.step_id].on_finished(event)
        elif isinstance(event, AssetMade):
            await self.show_made(event)
        elif isinstance(event, Critiqued):
            page = self.asset_pages.get(event.critique.asset_id)
            await self.note(critique_line(event.critique, page), "critique " + ("-pass" if event.critique.passed else "-fail"))
        elif isinstance(event, Notice):
            await self.note(f"{event.level}: {event.message}", f"notice -{event.level}")

    async def show_instruction(self, instruction: Instruction) -> None:
        await self.work.mount(Collapsible(Static(instruction_details(instruction), markup=False),
                                          title=instruction_title(instruction), classes="understood"))

    async def show_plan(self, plan: Plan, round_: int = 0) -> None:
        await self.work.mount(Collapsible(Static(plan_details(plan), markup=False),
                                          title=plan_title(plan, round_), classes="plan"))

    async def show_made(self, event: AssetMade) -> None:
        asset = event.asset
        self.asset_pages[asset.id] = asset.page
        if asset.kind != "image":
            return
        page = PageView(self.asset_root / asset.path, f"page {asset.page}" if asset.page else "image")
        if self.live is None:
            self.live = PageStrip([page], classes="live")
            await self.work.mount(self.live)
        else:
            await self.live.add(page)

    async def note(self, text: str, classes: str) -> None:
        await self.work.mount(Static(text, classes=f"note {classes}", markup=False))

    # -- finished ------------------------------------------------------------------------------

    async def show_result(self, turn: Turn, pages: list[PageView]) -> None:
        """The reply and the turn's pictures with their page numbers and texts."""
        if self.live is not None:
            await self.live.remove()
            self.live = None
        for progress in self.steps.values():
            progress.add_class("-settled")
        status = "" if turn.status == "done" else f"[{turn.status}] "
        await self.mount(Static(f"{status}{turn.reply or turn.error or ''}".strip(), markup=False,
                                classes=f"reply -{turn.status}"))
        if pages:
            await self.mount(PageStrip(pages))

    async def show_past(self, turn: Turn, pages: list[PageView]) -> None:
        """A finished turn re-opened from the store: what was understood and planned, collapsed."""
        if turn.instruction is not None:
            await self.show_instruction(turn.instruction)
        if turn.plan is not None:
            await self.show_plan(turn.plan)
        for critique in turn.critiques:
            if critique.asset_id in {a.id for a in turn.assets}:
                page = next((a.page for a in turn.assets if a.id == critique.asset_id), None)
                await self.note(critique_line(critique, page), "critique " + ("-pass" if critique.passed else "-fail"))
        await self.show_result(turn, pages)
