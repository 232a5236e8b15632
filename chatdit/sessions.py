"""Listing the sessions in the chatdit home, for `chatdit sessions` and the TUI's sidebar."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from chatdit.errors import SessionError
from chatdit.store import SessionStore


class SessionSummary(BaseModel):
    path: Path
    id: str
    title: str
    created_at: datetime
    updated_at: datetime
    turns: int
    thumbnail: Path | None = None
    """The newest output picture, for previews."""


def summarize(root: Path) -> SessionSummary:
    record = SessionStore(root).load()
    done = [turn for turn in record.turns if turn.status == "done" and turn.assets]
    thumb = next((root / a.path for a in reversed(done[-1].assets) if a.kind == "image"), None) if done else None
    return SessionSummary(path=root, id=record.id, title=record.title, created_at=record.created_at,
                          updated_at=record.updated_at, turns=len(record.turns), thumbnail=thumb)


def list_sessions(home: Path | None = None) -> list[SessionSummary]:
    """Sessions under home (default: the chatdit home's sessions/), newest first; damaged ones skipped."""
    from chatdit.session import sessions_dir

    base = Path(home) if home else sessions_dir()
    summaries = []
    for folder in base.iterdir() if base.is_dir() else []:
        try:
            summaries.append(summarize(folder))
        except SessionError:
            continue
    return sorted(summaries, key=lambda s: s.updated_at, reverse=True)


def delete_session(path: Path) -> None:
    """Remove a session folder for good, refusing anything that is not one (a typo must not
    delete someone's photos)."""
    import shutil

    if not SessionStore(Path(path)).exists():
        raise SessionError(f"{path} is not a chatdit session folder; nothing was deleted")
    shutil.rmtree(path)
