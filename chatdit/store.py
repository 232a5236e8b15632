"""The session folder: turns, content-addressed assets, the LangGraph checkpoint database.

Layout::

    <session>/session.json       metadata, settings, every turn (written atomically)
    <session>/assets/<id>.png    pixels, named by content hash, provenance in PNG text chunks
    <session>/checkpoints.sqlite LangGraph's SQLite checkpointer (ids only, never pixels)
    <session>/exports/           where exports go unless the user names another path
    <session>/work/              scratch files of tools (videos being assembled)

Nothing is written outside the folder unless a caller passes an absolute path on purpose.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from chatdit.errors import SessionError
from chatdit.schema import Asset, AssetKind, Turn, utc_now

SESSION_FILE = "session.json"
CHECKPOINT_FILE = "checkpoints.sqlite"
SCHEMA_VERSION = 1


class SessionRecord(BaseModel):
    """Everything about a session that is not pixels or graph checkpoints."""

    version: int = SCHEMA_VERSION
    id: str
    title: str = "untitled"
    title_by_person: bool = Field(default=False, description="a person named it: new books keep the title")
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    settings: dict[str, Any] = Field(default_factory=dict)
    head: str | None = Field(default=None, description="the turn the next message continues from")
    turns: list[Turn] = Field(default_factory=list)


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write so that a crash leaves either the old file or the new one, never half of either.
    Private (0600) by default; `mode` (0o666 for a file a person shares) goes through the umask
    like any file saved by hand."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    else:
        tmp = str(path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SessionStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def record_path(self) -> Path:
        return self.root / SESSION_FILE

    @property
    def checkpoint_path(self) -> Path:
        return self.root / CHECKPOINT_FILE

    @property
    def assets_dir(self) -> Path:
        return self.root / "assets"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def work_dir(self) -> Path:
        path = self.root / "work"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def exists(self) -> bool:
        return self.record_path.is_file()

    def load(self) -> SessionRecord:
        if not self.exists():
            raise SessionError(f"{self.root} is not a chatdit session (no {SESSION_FILE}); create one with Session.create")
        try:
            return SessionRecord.model_validate_json(self.record_path.read_bytes())
        except (ValidationError, ValueError) as exc:
            raise SessionError(f"{self.record_path} is damaged ({exc.__class__.__name__}); restore it from a backup") from exc

    def save(self, record: SessionRecord) -> None:
        record.updated_at = utc_now()
        write_atomic(self.record_path, record.model_dump_json(indent=2).encode())

    def asset_path(self, asset: Asset) -> Path:
        return self.root / asset.path

    def image_path(self, asset_id: str) -> Path:
        """Where an image asset is, from its id alone (images are stored as assets/<id>.png)."""
        return self.assets_dir / f"{asset_id}.png"

    def add_image(self, image, provenance: dict[str, Any], **asset_fields: Any) -> Asset:
        """Store an image as PNG named by its content hash, provenance in its text chunks."""
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_text("chatdit:provenance", json.dumps(provenance, sort_keys=True, default=str))
        if provenance.get("prompt"):
            info.add_text("Description", str(provenance["prompt"]))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", pnginfo=info)
        data = buffer.getvalue()
        asset_id = hashlib.sha256(data).hexdigest()[:16]
        relative = Path("assets") / f"{asset_id}.png"
        target = self.root / relative
        if not target.exists():
            write_atomic(target, data)
        return Asset(id=asset_id, path=relative.as_posix(), kind="image", width=image.width, height=image.height, **asset_fields)

    def add_file(self, source: Path, kind: AssetKind, **asset_fields: Any) -> Asset:
        """Store a finished file (video, gif) by content hash, keeping its suffix."""
        digest = hashlib.sha256()
        with open(source, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        asset_id = digest.hexdigest()[:16]
        relative = Path("assets") / f"{asset_id}{source.suffix.lower()}"
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        return Asset(id=asset_id, path=relative.as_posix(), kind=kind, **asset_fields)

    def resolve_export_path(self, path: str | Path) -> Path:
        """Relative paths land inside the session's exports/; only an absolute path (the user named it) leaves the folder."""
        path = Path(path).expanduser()
        if path.is_absolute():
            return path
        return self.exports_dir / path
