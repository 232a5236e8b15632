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
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from chatdit.errors import DamagedSessionError, SessionError
from chatdit.files import named_path, sha256_file, write_atomic
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

    def check_folder(self) -> None:
        """A session path that is a file, or a session.json that is a folder, said plainly."""
        if self.root.exists() and not self.root.is_dir():
            raise SessionError(f"{self.root} is a file, not a session folder; name a folder (new or existing)")
        if self.record_path.exists() and not self.record_path.is_file():
            raise DamagedSessionError(f"{self.record_path} is not a file; run `chatdit doctor {self.root}`")

    def load(self) -> SessionRecord:
        self.check_folder()
        if not self.exists():
            raise SessionError(f"{self.root} is not a chatdit session (no {SESSION_FILE}); create one with Session.create")
        try:
            record = SessionRecord.model_validate_json(self.record_path.read_bytes())
        except (ValidationError, ValueError, OSError) as exc:
            raise DamagedSessionError(f"{self.record_path} is damaged ({exc.__class__.__name__}); "
                                      f"run `chatdit doctor {self.root}` to check it and restore the last good copy") from None
        find_cycle(record)
        return record

    def save(self, record: SessionRecord) -> None:
        """Write session.json atomically, secrets cut, keeping the last good one as session.json.bak."""
        from chatdit.redact import redact

        record.updated_at = utc_now()
        if self.record_path.is_file():
            write_atomic(self.backup_path, self.record_path.read_bytes())
        write_atomic(self.record_path, redact(record.model_dump_json(indent=2)).encode())

    @property
    def backup_path(self) -> Path:
        return self.root / f"{SESSION_FILE}.bak"

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
            write_atomic(target, self._credentials(data, "image/png", provenance, asset_id))
        return Asset(id=asset_id, path=relative.as_posix(), kind="image", width=image.width, height=image.height, **asset_fields)

    def add_file(self, source: Path, kind: AssetKind, provenance: dict[str, Any] | None = None,
                 **asset_fields: Any) -> Asset:
        """Store a finished file (video, gif) by content hash, keeping its suffix; a generated one
        (with `provenance`) gets content credentials."""
        asset_id = sha256_file(source)[:16]
        relative = Path("assets") / f"{asset_id}{source.suffix.lower()}"
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            shutil.copyfile(source, tmp)
            if provenance is not None:
                self._sign_copy(tmp, target.suffix, provenance, f"{kind} {asset_id}")
            os.replace(tmp, target)
        return Asset(id=asset_id, path=relative.as_posix(), kind=kind, **asset_fields)

    def _credentials(self, data: bytes, mime: str, provenance: dict[str, Any], asset_id: str) -> bytes:
        """Generated pixels get a signed C2PA manifest; an uploaded picture is the person's own, and
        chatdit claims nothing about it."""
        if provenance.get("tool") in (None, "upload"):
            return data
        from chatdit.provenance.credentials import build_manifest, sign_bytes

        title = f"page {provenance['page']}" if provenance.get("page") else f"picture {asset_id}"
        return sign_bytes(data, mime, build_manifest(provenance, self.input_hashes(provenance), title))

    def _sign_copy(self, path: Path, suffix: str, provenance: dict[str, Any], title: str) -> None:
        from chatdit.provenance import credentials

        manifest = credentials.build_manifest(provenance, self.input_hashes(provenance), title)
        credentials.sign_file_in_place(path, manifest, suffix=suffix)

    def input_hashes(self, provenance: dict[str, Any]) -> list[dict[str, Any]]:
        """The inputs a generation names, each with its SHA-256: the tool's own list where it keeps
        one (face swap, with consent), else the session assets it started from."""
        if provenance.get("inputs"):
            return [dict(item) for item in provenance["inputs"]]
        hashes = []
        for parent in provenance.get("parents") or []:
            found = sorted(self.assets_dir.glob(f"{parent}.*"))
            if found:
                hashes.append({"asset": parent, "sha256": hashlib.sha256(found[0].read_bytes()).hexdigest()})
        return hashes

    def resolve_export_path(self, path: str | Path) -> Path:
        """Relative paths land inside the session's exports/; only an absolute path (the user named it) leaves the folder."""
        target = named_path(self.exports_dir, path)
        if target is None:
            raise SessionError(f"{str(path)!r} would leave the session's exports/ folder; give a plain file name, "
                               "or an absolute path to write elsewhere")
        return target


def find_cycle(record: SessionRecord) -> None:
    """A parent_id chain that loops (a hand-edited or damaged session.json) would make history endless."""
    parents = {turn.id: turn.parent_id for turn in record.turns}
    rooted: set[str] = set()  # turns whose chain is known to end
    for start in [record.head, *parents]:
        chain: dict[str, None] = {}
        current = start
        while current is not None and current not in rooted:
            if current in chain:
                raise DamagedSessionError(f"session.json's turns form a loop through turn {current} (parent_id); "
                                          "run `chatdit doctor` on the folder to repair it")
            chain[current] = None
            current = parents.get(current)
        rooted.update(chain)
