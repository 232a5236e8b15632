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
    BINDINGS = [
        Binding("escape,q,enter", "dismiss", "Back"),
        Binding("left", "turn(-1)", "Previous page"),
        Binding("right", "turn(1)", "Next page"),
    ]

    def __init__(self, page: PageView, pages: list[PageView] | None = None):
        super().__init__()
        self.pages = pages or [page]
        self.index = self.pages.index(page) if page in self.pages else 0

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

    def action_turn(self, step: int) -> None:
        self.index = (self.index + step) % len(self.pages)
        self.show()

    def action_dismiss(self) -> None:
        self.dismiss(None)
