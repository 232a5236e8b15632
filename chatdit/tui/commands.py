"""The command palette (ctrl+p): every slash command, with ready-made choices where they help."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from chatdit.tui import slash


def palette_entries() -> Iterator[tuple[str, str, str]]:
    """(title, help, slash text); a slash text ending in a space waits for the rest in the composer."""
    for command in slash.COMMANDS.values():
        if command.name == "export":
            for fmt in slash.EXPORT_FORMATS:
                yield f"Export book as {fmt.upper()}", f"/export {fmt}: {command.help}", f"/export {fmt}"
        elif command.name in {"critic", "approval"}:
            for value in ("on", "off"):
                yield f"{command.name.title()} {value}", command.help, f"/{command.name} {value}"
        elif "[" in command.usage or command.usage.endswith(("N", "PATH", "TITLE")):
            yield f"{command.name.title()}…", f"{command.usage}: {command.help}", f"/{command.name} "
        else:
            yield command.name.title(), command.help, f"/{command.name}"
        if command.name == "branch":
            yield "Branch from a turn…", command.help, "/branch"


class ChatditCommands(Provider):
    def _chat(self):
        return self.app.current_chat()

    def _callback(self, text: str) -> Callable[[], None]:
        return partial(self._chat().run_slash, text)

    async def discover(self) -> Hits:
        if self._chat() is None:
            return
        for title, help_text, text in palette_entries():
            yield DiscoveryHit(title, self._callback(text), help=help_text)

    async def search(self, query: str) -> Hits:
        if self._chat() is None:
            return
        matcher = self.matcher(query)
        for title, help_text, text in palette_entries():
            score = max(matcher.match(title), matcher.match(text))
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._callback(text), text=title, help=help_text)
