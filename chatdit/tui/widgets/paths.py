"""Path completion and attachment detection for the composer (pure functions, no widgets)."""

from __future__ import annotations

import os
from pathlib import Path

ATTACHABLE = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".mp4", ".mov", ".webm", ".mkv"}


def looks_like_path(word: str) -> bool:
    return word.startswith(("/", "~", "./", "../")) or "/" in word


def complete_path(fragment: str) -> tuple[str, list[str]]:
    """The fragment extended as far as it is unambiguous, and the names that still match.

    A lone folder match gets its trailing slash so the next Tab goes inside it.
    """
    expanded = Path(os.path.expanduser(fragment))
    folder, stem = (expanded, "") if fragment.endswith("/") else (expanded.parent, expanded.name)
    try:
        names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir()
                       if p.name.startswith(stem) and (stem.startswith(".") or not p.name.startswith(".")))
    except OSError:
        return fragment, []
    if not names:
        return fragment, []
    common = os.path.commonprefix(names)
    head = fragment[: len(fragment) - len(stem)] if stem else fragment
    return head + common, names


def attachable_file(text: str) -> Path | None:
    """The file a pasted or typed text names, if it is an image or video that exists."""
    candidate = text.strip().strip("'\"")
    if not candidate or "\n" in candidate:
        return None
    if candidate.startswith("file://"):
        candidate = candidate[len("file://"):]
    path = Path(candidate.replace("\\ ", " ")).expanduser()
    return path if path.suffix.lower() in ATTACHABLE and path.is_file() else None
