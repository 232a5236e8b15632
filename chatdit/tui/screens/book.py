"""The whole current book: every page with its number and text, in a grid."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from chatdit.session import Session
from chatdit.tui.errors import report
from chatdit.tui.screens.image import SetText
from chatdit.tui.views import whole_book
from chatdit.tui.widgets.pages import PageCard, PageView


class BookScreen(Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(self, session: Session, set_text: SetText | None = None):
        super().__init__()
        self.session, self.set_text = session, set_text

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(Static("reading the book…", id="book-status"), Grid(id="book-grid"))
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"book: {self.session.title}"
        self.load()

    @work(thread=True)
    def load(self) -> None:
        try:
            pages = whole_book(self.session)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(report, self.app, exc)
            return
        self.app.call_from_thread(self.show, pages)

    async def show(self, pages: list[PageView]) -> None:
        self.query_one("#book-status", Static).update(
            f"{len(pages)} pages · enter opens a page large · /export pdf writes the book" if pages
            else "No book yet: ask for one, e.g. “make a four-page picture book about a fox”.")
        await self.query_one("#book-grid").mount_all(PageCard(p) for p in pages)
        if pages:
            self.query(PageCard).first().focus()

    def on_page_card_selected(self, event: PageCard.Selected) -> None:
        from chatdit.tui.screens.image import ImageScreen

        self.app.push_screen(ImageScreen(event.page, event.pages, set_text=self.set_text))

    def action_back(self) -> None:
        self.dismiss(None)
