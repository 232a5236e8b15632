"""What the slash commands and the palette do to the open session, as plain functions of the chat screen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from chatdit.config import load_settings
from chatdit.errors import ChatditError
from chatdit.tui.errors import report
from chatdit.tui.widgets.chips import AttachmentChips
from chatdit.tui.widgets.paths import attachable_file

if TYPE_CHECKING:
    from chatdit.tui.screens.chat import ChatScreen


def attach(screen: ChatScreen, text: str) -> None:
    path = attachable_file(text)
    if path is None:
        raise ChatditError(f"{text or 'nothing'} is not a picture or video file; give the path of a .png, .jpg or .mp4")
    screen.query_one(AttachmentChips).add(path)


def attach_hero(screen: ChatScreen, words: list[str]) -> None:
    """'/attach rex.jpg as Rex[: a small brown dog]': the photo becomes Rex's card (chatdit.heroes)."""
    at = [w.lower() for w in words].index("as")
    name, _, description = " ".join(words[at + 1:]).partition(":")
    path = attachable_file(" ".join(words[:at]))
    if path is None or not name.strip():
        raise ChatditError("/attach PATH as NAME needs a picture and a name, e.g. /attach rex.jpg as Rex")
    card = screen.idle_session().add_card(name.strip(), path, description.strip() or None)
    screen.notify(f"{card.name}: {card.description} ({card.identity}). Pages that name {card.name} are drawn "
                  "beside this photo; /cards lists the cards.")
    screen.load_history()


def show_cards(screen: ChatScreen) -> None:
    cards = screen.idle_session().cards()
    lines = [f"{c.name}: {c.description}" + (" (photo)" if c.photo else "") for c in cards.values()]
    screen.notify("\n".join(lines) or "No character cards yet: /attach PATH as NAME makes one.", title="Cards")


def undo(screen: ChatScreen) -> None:
    undone = screen.idle_session().undo()
    screen.notify(f"Undid “{undone.message[:40]}”; /branch or ctrl+t brings it back." if undone else "Nothing to undo.")
    screen.load_history()


def branch(screen: ChatScreen, turn_id: str | None) -> None:
    screen.idle_session().branch(turn_id)
    screen.notify("Continuing from the chosen turn; later turns stay in the history.")
    screen.load_history()


def rename(screen: ChatScreen, title: str) -> None:
    """The session's and its book's title (exports are named after it)."""
    if not title.strip():
        raise ChatditError("/title needs a title, e.g. /title The Fox Who Learned to Fly")
    screen.ensure_session().rename(title)
    screen.sub_title = screen.session_title
    screen.notify(f"The book is called “{screen.session_title}”.", title="Title")


def show_title(screen: ChatScreen) -> None:
    screen.notify(f"“{screen.session_title}”; change it with /title NEW TITLE", title="Title")


def set_page_text(screen: ChatScreen, page: int, text: str | None) -> None:
    """A person's text for a book page (None: no text), then the pages shown again with it."""
    screen.idle_session().set_page_text(page, text)
    screen.notify(f"Page {page}: {text}" if text else f"Page {page} has no text now.", title="Page text")
    screen.load_history()


def configure(screen: ChatScreen, **settings) -> None:
    screen.idle_session().configure(**settings)
    screen.notify(", ".join(f"{k} = {v}" for k, v in settings.items()), title="Setting changed")


def show_setting(screen: ChatScreen, key: str) -> None:
    settings = screen.session.settings if screen.session else load_settings()
    screen.notify(f"{key} = {getattr(settings, key)}", title="Setting")


def export(screen: ChatScreen, path: str, options: dict | None = None) -> None:
    """Write the book in a worker (PDF and GIF encoding take a moment) and say where it went."""
    session = screen.idle_session()
    target = str(Path(path).expanduser()) if path.startswith("~") else path

    def write() -> None:
        try:
            written = session.export(target, **(options or {}))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a notification
            screen.app.call_from_thread(report, screen.app, exc)
            return
        screen.app.call_from_thread(screen.notify, str(written), title="Exported", timeout=10)

    screen.run_worker(write, thread=True, group="export")
