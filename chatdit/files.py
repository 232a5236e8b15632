"""Files every part shares: writing one so that a crash leaves the old one or the new one, never
half (sessions, exports, signed copies), resolving a path a person named, hashing a large file."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from pathlib import Path


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


def named_path(folder: Path, name: str | Path) -> Path | None:
    """Where a path a person named points: absolute as given, relative ones under `folder`; None
    when a relative one climbs out of it ('../../x.pdf')."""
    named = Path(name).expanduser()
    if named.is_absolute():
        return named
    base = folder.resolve()
    target = (base / named).resolve()
    return target if target.is_relative_to(base) else None


def sha256_file(path: Path) -> str:
    """A file's SHA-256 hex digest, read a megabyte at a time so a video never sits whole in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
