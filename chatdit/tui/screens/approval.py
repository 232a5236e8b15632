"""Plan approval: the plan before any drawing; approve it, edit what each page shows and the text
under it, or cancel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from chatdit.schema import Approval, Instruction, Plan
from chatdit.tools.registry import panels_of, with_panel_prompts
from chatdit.tui.widgets.describe import plan_title


class PlanApprovalScreen(ModalScreen[Approval | None]):
    BINDINGS = [Binding("ctrl+s", "approve", "Approve"), Binding("escape", "cancel", "Cancel turn")]
    AUTO_FOCUS = ".panel-prompt"  # the first page's prompt; Tab goes on to its text, then the next page

    def __init__(self, plan: Plan, instruction: Instruction | None = None, message: str = ""):
        """The text boxes start with the texts the person wrote in `message`; the others are
        left to chatdit's writer unless the person types one."""
        from chatdit.book.texts import person_texts

        super().__init__()
        self.plan = plan
        self.texts = {n: t or "" for n, t in person_texts(instruction, message).items()} if instruction else {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="approval", classes="dialog"):
            yield Static(plan_title(self.plan), classes="approval-title", markup=False)
            for s, step in enumerate(self.plan.steps):
                yield Label(f"{s + 1}. {step.call.tool}: {step.purpose}", markup=False)
                for p, panel in enumerate(panels_of(step.call)):
                    number = panel.page or p + 1
                    yield Static(f"   page {number}: what it shows, and its text", classes="panel-label", markup=False)
                    yield Input(panel.prompt, id=f"panel-{s}-{p}", classes="panel-prompt",
                                placeholder=f"what page {number} shows")
                    if panel.page:
                        yield Input(self.texts.get(number, ""), id=f"text-{number}", classes="panel-prompt page-text",
                                    placeholder=f"page {number}'s text: leave empty and chatdit writes it")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Approve (ctrl+s)", id="approve", variant="success")
                yield Button("Cancel (esc)", id="cancel", variant="error")
        yield Footer()

    def edited_plan(self) -> Plan:
        """The plan with each panel's prompt as the person left it."""
        steps = []
        for s, step in enumerate(self.plan.steps):
            prompts = [self.query_one(f"#panel-{s}-{p}", Input).value.strip() for p in range(len(panels_of(step.call)))]
            steps.append(step.model_copy(update={"call": with_panel_prompts(step.call, prompts)}))
        return self.plan.model_copy(update={"steps": steps})

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_approve() if event.button.id == "approve" else self.action_cancel()

    def on_input_submitted(self) -> None:
        self.focus_next()

    def edited_texts(self) -> dict[int, str | None]:
        """Page texts the person changed (blank: no text)."""
        changed = {}
        for box in self.query(".page-text").results(Input):
            number = int(box.id.removeprefix("text-"))
            if box.value.strip() != self.texts.get(number, "").strip():
                changed[number] = box.value.strip() or None
        return changed

    def action_approve(self) -> None:
        self.dismiss(Approval(plan=self.edited_plan(), page_texts=self.edited_texts()))

    def action_cancel(self) -> None:
        self.dismiss(None)
