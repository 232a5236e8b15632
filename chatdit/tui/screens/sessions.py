"""The sessions in the chatdit home: title, date and thumbnail; open, new, rename, delete."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, ListItem, ListView, Static

from chatdit.session import Session
from chatdit.sessions import SessionSummary, delete_session, list_sessions
from chatdit.tui.errors import report
from chatdit.tui.screens.dialogs import AskTextScreen, ConfirmScreen
from chatdit.tui.widgets.preview import preview


class SessionItem(ListItem):
    def __init__(self, summary: SessionSummary):
        super().__init__(classes="session-item")
        self.summary = summary

    def compose(self) -> ComposeResult:
        s = self.summary
        with Horizontal():
            if s.thumbnail and s.thumbnail.is_file():
                yield preview(s.thumbnail, classes="thumb")
            else:
                yield Static("no\npictures", classes="thumb -empty")
            with Vertical():
                yield Static(s.title, classes="session-title", markup=False)
                when = s.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
                yield Static(f"{when} · {s.turns} turn{'s' if s.turns != 1 else ''}", classes="session-meta")


class SessionsScreen(Screen[tuple[str, Path | None] | None]):
    """Dismisses with ('open', path), ('new', None), or None to go back."""

    BINDINGS = [
        Binding("enter", "open", "Open", show=True),
        Binding("ctrl+n", "new", "New"),
        Binding("r", "rename", "Rename"),
        Binding("d,delete", "delete", "Delete"),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Sessions", classes="screen-title")
        yield ListView(id="sessions")
        yield Static("No sessions yet: ctrl+n starts one.", id="no-sessions")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "sessions"
        self.refresh_list()

    def refresh_list(self, keep: int = 0) -> None:
        listing = self.query_one(ListView)
        listing.clear()
        found = list_sessions()
        listing.extend(SessionItem(s) for s in found)
        self.query_one("#no-sessions").display = not found
        if found:
            listing.index = min(keep, len(found) - 1)
        listing.focus()

    def selected(self) -> SessionSummary | None:
        item = self.query_one(ListView).highlighted_child
        return item.summary if isinstance(item, SessionItem) else None

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        self.action_open()

    def action_open(self) -> None:
        if summary := self.selected():
            self.dismiss(("open", summary.path))

    def action_new(self) -> None:
        self.dismiss(("new", None))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_rename(self) -> None:
        summary = self.selected()
        if summary is None:
            return

        def renamed(title: str | None) -> None:
            if title:
                try:
                    self.app.rename_session(summary.path, title)
                except Exception as exc:  # noqa: BLE001
                    report(self.app, exc)
                self.refresh_list(self.query_one(ListView).index or 0)

        self.app.push_screen(AskTextScreen(f"New title for “{summary.title}”", summary.title), renamed)

    def action_delete(self) -> None:
        summary = self.selected()
        if summary is None:
            return

        def confirmed(yes: bool) -> None:
            if not yes:
                return
            try:
                self.app.forget_session(summary.path)
                delete_session(summary.path)
                self.notify(f"Deleted “{summary.title}”.")
            except Exception as exc:  # noqa: BLE001
                report(self.app, exc)
            self.refresh_list(self.query_one(ListView).index or 0)

        self.app.push_screen(ConfirmScreen(f"Delete “{summary.title}” and all its pictures? This cannot be undone."), confirmed)


def rename_session_folder(path: Path, title: str) -> None:
    with Session.open(path) as session:
        session.rename(title)
