"""One writer per session: an OS file lock that holds across processes.

A Session takes it before its first write and keeps it until it is closed (or its process dies:
the OS drops the lock with it), so two `chatdit chat` on one folder cannot both append turns to
their own stale copy of session.json. A second writer waits a little, then is refused naming the
holder's pid.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

from chatdit.errors import SessionBusyError

LOCK_FILE = ".chatdit.lock"
PID_FILE = ".chatdit.pid"
WAIT_SECONDS = 5.0


class SessionLock:
    """The write lock of one session folder; reentrant within one Session."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = FileLock(self.root / LOCK_FILE, thread_local=False)

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def holder(self) -> str:
        """The pid written by whoever holds the lock, or '?' when it is not known yet."""
        try:
            return (self.root / PID_FILE).read_text().strip() or "?"
        except OSError:
            return "?"

    def acquire(self, wait: float = WAIT_SECONDS) -> None:
        if self.held:
            return
        try:
            self._lock.acquire(timeout=wait)
        except Timeout:
            raise SessionBusyError(
                f"this session is in use by another chatdit (pid {self.holder()}); wait for it to finish, "
                f"or close it, then try again ({self.root})") from None
        (self.root / PID_FILE).write_text(str(os.getpid()))

    def release(self) -> None:
        if self.held:
            (self.root / PID_FILE).unlink(missing_ok=True)
            self._lock.release(force=True)
