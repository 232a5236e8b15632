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
    """What a card shows: the file, a heading ('page 2', 'image') and the page text."""

    path: Path
    heading: str
    text: str = ""


class PageCard(Vertical, can_focus=True):
    """One picture with its page number and text; Enter or a click opens it large."""

    BINDINGS = [Binding("enter,space", "open", "Open large")]

    class Selected(Message):
        def __init__(self, page: PageView):
            super().__init__()
            self.page = page

    def __init__(self, page: PageView):
        super().__init__(classes="page-card")
        self.page = page

    def compose(self) -> ComposeResult:
        yield preview(self.page.path, classes="page-image")
        yield Static(self.page.heading, classes="page-heading")
        if self.page.text:
            yield Static(self.page.text, classes="page-text")

    def action_open(self) -> None:
        self.post_message(self.Selected(self.page))

    def on_click(self) -> None:
        self.action_open()


class PageStrip(HorizontalScroll):
    """A row of page cards, scrolled sideways when the book is wider than the screen."""

    def __init__(self, pages: list[PageView], **kwargs):
        super().__init__(classes="page-strip", **kwargs)
        self.pages = pages

    def compose(self) -> ComposeResult:
        for page in self.pages:
            yield PageCard(page)

    async def add(self, page: PageView) -> None:
        self.pages.append(page)
        await self.mount(PageCard(page))
