"""Checks that a session's stored data is whole before it is used, so damage is said, not hidden.

A damaged or missing checkpoints.sqlite, a head whose checkpoint is gone, a book page whose
picture file is missing: each is a DamagedSessionError naming `chatdit doctor FOLDER`, never a
SQLite traceback or a book quietly written with pages left out.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chatdit.errors import DamagedSessionError
from chatdit.schema import Asset, PageEntry
from chatdit.store import SessionRecord, SessionStore


def damaged(store: SessionStore, what: str) -> DamagedSessionError:
    return DamagedSessionError(f"{what}; run `chatdit doctor {store.root}` to check the session and repair it")


def checkpoint_problem(path: Path) -> str | None:
    """Why the checkpoint database at path cannot be used, or None when SQLite finds it whole."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.Error as exc:
        return f"{path.name} is damaged ({exc})"
    if rows != [("ok",)]:
        return f"{path.name} is damaged ({'; '.join(str(r[0]) for r in rows[:3])})"
    return None


def open_checkpoints(store: SessionStore, record: SessionRecord) -> sqlite3.Connection:
    """The checkpoint database, checked; a new one only for a session with no finished turn."""
    path = store.checkpoint_path
    finished = sum(turn.status == "done" for turn in record.turns)
    if path.exists() and not path.is_file():
        raise damaged(store, f"{path} is not a file")
    if not path.exists():
        if finished:
            raise damaged(store, f"{path} is missing, and {finished} finished turn(s) need it")
    elif (problem := checkpoint_problem(path)) is not None:
        raise damaged(store, problem)
    try:
        return sqlite3.connect(path, check_same_thread=False)
    except sqlite3.Error as exc:
        raise damaged(store, f"{path} cannot be opened ({exc})") from None


def book_files(store: SessionStore, assets: dict[str, Asset], pages: dict[int, PageEntry]) -> list[tuple[int, Path, str | None]]:
    """(page, picture file, text) for every page, or an error naming the pages whose picture is gone."""
    rows, missing = [], []
    for number, entry in sorted(pages.items()):
        asset = assets.get(entry.asset_id)
        file = store.asset_path(asset) if asset else None
        if file is None or not readable_picture(file):
            missing.append(number)
        else:
            rows.append((number, file, entry.text))
    if missing:
        raise damaged(store, f"the picture of page{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} "
                             "is missing or damaged; nothing was exported")
    return rows


def readable_picture(file: Path) -> bool:
    """The file is there and Pillow finds a whole image in it (checked without decoding it all)."""
    from PIL import Image

    if not file.is_file():
        return False
    try:
        with Image.open(file) as image:
            image.verify()
    except (OSError, ValueError, SyntaxError, EOFError):
        return False
    return True
