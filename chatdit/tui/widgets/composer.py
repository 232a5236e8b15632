"""The message composer: multi-line, Enter sends, ctrl+j a new line, Tab completes commands and paths,
pasting the path of a picture attaches it."""

from __future__ import annotations

import os

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from chatdit.tui.widgets.paths import attachable_file, complete_path, looks_like_path

NEWLINE_KEYS = {"ctrl+j", "shift+enter", "alt+enter"}


class Composer(TextArea):
    class Submitted(Message):
        def __init__(self, text: str):
            super().__init__()
            self.text = text

    class Attach(Message):
        """A picture's path was pasted: show it as a chip instead of text."""

        def __init__(self, path):
            super().__init__()
            self.path = path

    def __init__(self, commands: list[str] = (), **kwargs):
        """commands: the slash command names, for Tab completion of a message's first word."""
        super().__init__(soft_wrap=True, show_line_numbers=False, compact=True, **kwargs)
        self.commands = sorted(commands)
        self.placeholder = "Message (Enter sends, ctrl+j new line, Tab completes paths, / for commands)"

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            self._stop(event)
            if self.text.strip():
                self.post_message(self.Submitted(self.text))
            return
        if event.key in NEWLINE_KEYS:
            self._stop(event)
            self.insert("\n")
            return
        if event.key == "tab" and self.complete_word():
            self._stop(event)
        # anything else falls through to TextArea._on_key (Textual calls each class's handler in turn)

    async def _on_paste(self, event: events.Paste) -> None:
        path = attachable_file(event.text)
        if path is not None:
            event.stop()
            event.prevent_default()
            self.post_message(self.Attach(path))

    def complete_word(self) -> bool:
        """Complete the slash command or path before the cursor; False when there is nothing to complete."""
        row, column = self.cursor_location
        before = self.document[row][:column]
        word = before.split(" ")[-1]
        if row == 0 and before == word and word.startswith("/") and "/" not in word[1:]:
            names = [f"/{name} " for name in self.commands if name.startswith(word[1:])]
            completed = os.path.commonprefix(names) if names else word
        elif word and looks_like_path(word):
            completed, names = complete_path(word)
        else:
            return False
        if len(completed) > len(word):
            self.insert(completed[len(word):])
        elif len(names) > 1:
            self.notify("  ".join(names[:20]) + ("  …" if len(names) > 20 else ""), title="matches", timeout=4)
        return True

    @staticmethod
    def _stop(event: events.Key) -> None:
        event.stop()
        event.prevent_default()
