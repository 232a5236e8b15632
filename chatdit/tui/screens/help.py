"""Keys and slash commands on one page (f1 or /help)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from chatdit.tui import slash

KEYS = [
    ("enter", "send the message"), ("ctrl+j", "new line in the message"), ("tab", "complete a /command or a file path"),
    ("esc", "cancel the running turn"), ("ctrl+p", "command palette"), ("ctrl+n", "new session"),
    ("ctrl+o", "sessions: open, rename, delete"), ("ctrl+t", "history tree: undo, branch from here"),
    ("ctrl+b", "the whole book"), ("f2", "settings"), ("f1", "this help"), ("ctrl+q", "quit"),
    ("ctrl+g", "go to the pictures: arrows move, enter opens one large"), ("ctrl+l", "back to the message box"),
]


def help_text() -> str:
    keys = "\n".join(f"  {key:<16} {what}" for key, what in KEYS)
    commands = "\n".join(f"  {c.usage:<32} {c.help}" for c in slash.COMMANDS.values())
    attach = "Attach a picture: paste its path, type it in the message, or /attach PATH."
    return f"Keys\n{keys}\n\nCommands\n{commands}\n\n{attach}"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1", "back", "Back")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(help_text(), markup=False)
        yield Footer()

    def action_back(self) -> None:
        self.dismiss(None)
