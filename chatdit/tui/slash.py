"""Slash commands typed in the composer; the command palette offers the same ones.

Each command is a plain function over the chat screen, so the palette, the composer and the
tests all run exactly the same code.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatdit.book.title import book_file_name
from chatdit.errors import ChatditError
from chatdit.tui import actions

if TYPE_CHECKING:
    from chatdit.tui.screens.chat import ChatScreen

EXPORT_FORMATS = ("pdf", "html", "gif", "mp4")
EXPORT_OPTIONS = {"a4": ("page_size", "a4"), "letter": ("page_size", "letter"), "square": ("page_size", "square"),
                  "under": ("layout", "under"), "over": ("layout", "over"), "facing": ("layout", "facing"),
                  "bleed": ("bleed", True)}
"""Words /export takes besides a format and a path: page size, text layout, bleed."""


@dataclass(frozen=True)
class SlashCommand:
    name: str
    usage: str
    help: str
    run: Callable[[ChatScreen, list[str]], object]


def parse(text: str) -> tuple[str, list[str]]:
    """'/export pdf ~/b.pdf' -> ('export', ['pdf', '~/b.pdf'])."""
    try:
        words = shlex.split(text.strip()[1:])
    except ValueError:
        words = text.strip()[1:].split()
    return (words[0].lower(), words[1:]) if words else ("help", [])


def run(screen: ChatScreen, text: str) -> None:
    name, args = parse(text)
    command = COMMANDS.get(name)
    if command is None:
        raise ChatditError(f"no command /{name}; type /help to see the commands")
    command.run(screen, args)


def export_options(args: list[str]) -> dict[str, object]:
    """'/export pdf square facing bleed' -> page_size, layout and bleed for Session.export."""
    return dict(EXPORT_OPTIONS[a.lower()] for a in args if a.lower() in EXPORT_OPTIONS)


def export_target(args: list[str], title: str) -> str:
    """The export path from '[pdf|html|gif|mp4] [options] [path]'; a bare name lands in the session's exports/."""
    args = [a for a in args if a.lower() not in EXPORT_OPTIONS]
    fmt = next((a.lower() for a in args if a.lower() in EXPORT_FORMATS), None)
    path = next((a for a in args if a.lower() not in EXPORT_FORMATS), None)
    if path is None:
        return book_file_name(title, fmt or "pdf")
    if fmt and not path.lower().endswith(f".{fmt}"):
        path = f"{path}.{fmt}"
    elif "." not in path.rsplit("/", 1)[-1]:
        path = f"{path}.pdf"
    return path


def on_off(args: list[str], name: str) -> bool:
    if len(args) != 1 or args[0].lower() not in {"on", "off", "true", "false", "yes", "no"}:
        raise ChatditError(f"/{name} takes on or off, e.g. /{name} off")
    return args[0].lower() in {"on", "true", "yes"}


def number(args: list[str], name: str) -> int:
    if len(args) != 1 or not args[0].lstrip("-").isdigit():
        raise ChatditError(f"/{name} takes a whole number, e.g. /{name} 3")
    return int(args[0])


def setting(key: str, convert: Callable[[list[str], str], object] | None = None) -> Callable:
    """A command that shows a setting without arguments and changes it with one."""
    def change(screen: ChatScreen, args: list[str]) -> None:
        if not args:
            actions.show_setting(screen, key)
        else:
            actions.configure(screen, **{key: convert(args, key) if convert else " ".join(args)})
    return change


def _commands() -> dict[str, SlashCommand]:
    table = [
        ("undo", "/undo", "step back one turn (it stays in the history)", lambda s, a: actions.undo(s)),
        ("branch", "/branch [turn]", "continue from an earlier turn; without one, pick it in the history",
         lambda s, a: actions.branch(s, a[0]) if a else s.app.action_history()),
        ("export", "/export [pdf|html|gif|mp4] [a4|letter|square] [under|over|facing] [bleed] [path]",
         "write the book; a bare name goes to the session's exports/",
         lambda s, a: actions.export(s, export_target(a, s.session_title), export_options(a))),
        ("model", "/model [name]", "show or change the image model (nano, tiny, a hub id or a folder)", setting("model")),
        ("llm", "/llm [rules|openai|local]", "show or change the language-model backend", setting("llm")),
        ("critic", "/critic on|off", "check the pictures and retry the ones that fail", setting("critic", on_off)),
        ("rounds", "/rounds N", "how many tries the critic may ask for", setting("rounds", number)),
        ("seed", "/seed N", "the random seed of the next pictures", setting("seed", number)),
        ("steps", "/steps N", "denoising steps of the next pictures (more: slower, finer)", setting("steps", number)),
        ("approval", "/approval on|off", "show the plan and wait for approval before drawing", setting("plan_approval", on_off)),
        ("attach", "/attach PATH [as NAME[: looks]]", "attach a picture; 'as Rex' makes it Rex's photo card (Tab completes the path)",
         lambda s, a: actions.attach_hero(s, a) if "as" in [w.lower() for w in a] else actions.attach(s, " ".join(a))),
        ("cards", "/cards", "the character cards: names, looks, which hold a photo", lambda s, a: actions.show_cards(s)),
        ("title", "/title [TITLE]", "show or change the book's title (the session's name)",
         lambda s, a: actions.rename(s, " ".join(a)) if a else actions.show_title(s)),
        ("rename", "/rename TITLE", "rename this session and its book (as /title)", lambda s, a: actions.rename(s, " ".join(a))),
        ("cancel", "/cancel", "stop the running turn (also Esc)", lambda s, a: s.action_cancel()),
        ("new", "/new", "start a new session (also ctrl+n)", lambda s, a: s.app.action_new_session()),
        ("sessions", "/sessions", "open, rename or delete sessions (also ctrl+o)", lambda s, a: s.app.action_sessions()),
        ("history", "/history", "the tree of turns: undo and branch from here (also ctrl+t)", lambda s, a: s.app.action_history()),
        ("book", "/book", "all pages of the current book (also ctrl+b)", lambda s, a: s.app.action_book()),
        ("settings", "/settings", "view the settings (also f2)", lambda s, a: s.app.action_settings()),
        ("help", "/help", "keys and commands (also f1)", lambda s, a: s.app.action_help()),
    ]
    return {name: SlashCommand(name, usage, text, fn) for name, usage, text, fn in table}


COMMANDS = _commands()
