"""Which image widget to use: terminal graphics where they work, half blocks under tmux and in tests."""

from __future__ import annotations

import os
import sys

from textual_image.widget import HalfcellImage
from textual_image.widget import Image as AutoImage


def image_widget_class() -> type:
    """textual-image's best renderer, except half-block cells inside tmux or off a terminal.

    tmux passes no graphics protocol through by default, and half blocks keep snapshots and
    capture-pane readable.
    """
    if os.environ.get("TMUX") or os.environ.get("CHATDIT_HALFBLOCK") or not sys.__stdout__.isatty():
        return HalfcellImage
    return AutoImage


def preview(path, *, classes: str = "", id: str | None = None):
    """An image widget showing the file at path."""
    return image_widget_class()(str(path), classes=classes, id=id)
