"""A picture opened large, with its page number and text; `e` edits a book page's text, Esc goes back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from chatdit.tui.widgets.pages import PageView
from chatdit.tui.widgets.preview import preview

SetText = Callable[[int, str | None], None]
"""Sets a book page's text (page number, text; None removes it); raises ChatditError if it cannot."""


class ImageScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,enter", "dismiss", "Back"),
        Binding("left", "turn(-1)", "Previous page"),
        Binding("right", "turn(1)", "Next page"),
        Binding("e", "edit_text", "Edit text"),
    ]

    def __init__(self, page: PageView, pages: list[PageView] | None = None, set_text: SetText | None = None):
        super().__init__()
        self.pages = pages or [page]
        self.index = self.pages.index(page) if page in self.pages else 0
        self.set_text = set_text

    @property
    def page(self) -> PageView:
        return self.pages[self.index]

    def compose(self) -> ComposeResult:
        with Vertical(id="large"):
            yield preview(self.page.path, id="large-image")
            yield Static(id="large-caption", markup=False)
            yield Static(id="large-path", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        self.query_one("#large-image").image = str(self.page.path)
        self.query_one("#large-caption", Static).update(f"{self.page.heading}  {self.page.text}".strip())
        self.query_one("#large-path", Static).update(f"{self.index + 1} of {len(self.pages)} · {self.page.path}")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """`e` is offered only on a page of the current book, where there is someone to save it."""
        if action == "edit_text":
            return self.set_text is not None and self.page.number is not None
        return True

    def action_turn(self, step: int) -> None:
        self.index = (self.index + step) % len(self.pages)
        self.show()
        self.refresh_bindings()

    def action_edit_text(self) -> None:
        from chatdit.tui.errors import report
        from chatdit.tui.screens.dialogs import AskTextScreen

        page, index = self.page, self.index

        def edited(text: str | None) -> None:
            if text is None:  # Esc: keep the text
                return
            try:
                self.set_text(page.number, text or None)
            except Exception as exc:  # noqa: BLE001 - every failure becomes a notification
                report(self.app, exc)
                return
            self.pages[index] = replace(page, text=text or "")
            self.show()

        question = f"Text of page {page.number} (printed as you write it; empty: no text; Esc keeps it)"
        self.app.push_screen(AskTextScreen(question, page.text, allow_empty=True), edited)

    def action_dismiss(self) -> None:
        self.dismiss(None)
