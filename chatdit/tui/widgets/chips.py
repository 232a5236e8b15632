"""Attached pictures shown as chips above the composer; clicking a chip removes it."""

from __future__ import annotations

from pathlib import Path

from textual.containers import Horizontal
from textual.widgets import Button


class AttachmentChips(Horizontal):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.paths: list[Path] = []

    def add(self, path: Path) -> None:
        if path in self.paths:
            return
        self.paths.append(path)
        self.mount(Button(f"📎 {path.name} ✕", classes="chip", tooltip=f"{path} (click to remove)"))
        self.display = True

    def take(self) -> list[Path]:
        """The attached paths, emptying the chips (they go with the message being sent)."""
        taken, self.paths = self.paths, []
        self.remove_children()
        self.display = False
        return taken

    def drop_last(self) -> None:
        if self.paths:
            self.paths.pop()
            self.children[-1].remove()
        self.display = bool(self.paths)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        index = list(self.children).index(event.button)
        self.paths.pop(index)
        event.button.remove()
        self.display = bool(self.paths)
