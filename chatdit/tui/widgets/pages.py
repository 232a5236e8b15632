"""Pictures in the chat: a strip of page cards (picture, page number, text); selecting one opens it large."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalScroll, Vertical
from textual.message import Message
from textual.widgets import Static

from chatdit.tui.widgets.preview import preview


@dataclass(frozen=True)
class PageView:
    """What a card shows: the file, a heading ('page 2', 'image') and the page text; `number` is
    the book page it is now (None for a picture no longer, or never, in the book)."""

    path: Path
    heading: str
    text: str = ""
    number: int | None = None


class PageCard(Vertical, can_focus=True):
    """One picture with its page number and text; Enter or a click opens it large."""

    BINDINGS = [
        Binding("enter,space", "open", "Open large"),
        Binding("left", "neighbour(-1)", "Previous", show=False),
        Binding("right", "neighbour(1)", "Next", show=False),
    ]

    class Selected(Message):
        """Open this page large; pages are its strip's pages, for paging through them."""

        def __init__(self, page: PageView, pages: list[PageView]):
            super().__init__()
            self.page, self.pages = page, pages

    def __init__(self, page: PageView):
        super().__init__(classes="page-card")
        self.page = page

    def compose(self) -> ComposeResult:
        yield preview(self.page.path, classes="page-image")
        yield Static(self.page.heading, classes="page-heading")
        if self.page.text:
            yield Static(self.page.text, classes="page-text")

    def action_open(self) -> None:
        siblings = [card.page for card in self.parent.query_children(PageCard)] if self.parent else [self.page]
        self.post_message(self.Selected(self.page, siblings))

    def action_neighbour(self, step: int) -> None:
        """Move to the previous or next picture on the screen."""
        cards = list(self.screen.query(PageCard))
        cards[(cards.index(self) + step) % len(cards)].focus()

    def on_click(self) -> None:
        self.action_open()


class PageStrip(HorizontalScroll):
    """A row of page cards, scrolled sideways when the book is wider than the screen."""

    def __init__(self, pages: list[PageView], classes: str = ""):
        super().__init__(classes=f"page-strip {classes}".strip())
        self.pages = pages

    def compose(self) -> ComposeResult:
        for page in self.pages:
            yield PageCard(page)

    async def add(self, page: PageView) -> None:
        self.pages.append(page)
        await self.mount(PageCard(page))
