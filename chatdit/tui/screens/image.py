"""A picture opened large, with its page number and text; Esc goes back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from chatdit.tui.widgets.pages import PageView
from chatdit.tui.widgets.preview import preview


class ImageScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,enter", "dismiss", "Back")]

    def __init__(self, page: PageView):
        super().__init__()
        self.page = page

    def compose(self) -> ComposeResult:
        with Vertical(id="large"):
            yield preview(self.page.path, id="large-image")
            yield Static(f"{self.page.heading}  {self.page.text}".strip(), id="large-caption", markup=False)
            yield Static(str(self.page.path), id="large-path", markup=False)
        yield Footer()

    def action_dismiss(self) -> None:
        self.dismiss(None)
