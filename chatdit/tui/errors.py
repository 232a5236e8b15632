"""Errors in the UI: a notification that says what to do, the traceback only in a log file."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from textual.app import App

from chatdit.config import chatdit_home
from chatdit.errors import ChatditError

log = logging.getLogger("chatdit.tui")


def log_path() -> Path:
    return chatdit_home() / "logs" / "tui.log"


def setup_logging() -> Path:
    """Send chatdit's log records to logs/tui.log under the chatdit home (never to the screen)."""
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in log.handlers):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return path


def log_exception(exc: BaseException) -> None:
    from chatdit.redact import redact

    setup_logging()
    log.error(redact("".join(traceback.format_exception(exc))))  # no key or URL password in the log


def describe(exc: BaseException) -> tuple[str, str]:
    """(title, message) for a notification; unexpected errors point at the log file."""
    if isinstance(exc, ChatditError):
        return _words(type(exc).__name__), str(exc)
    return "Unexpected error", f"{type(exc).__name__}: {exc}. The details are in {log_path()}"


def report(app: App, exc: BaseException) -> None:
    """Show an error as a notification; log unexpected ones with their traceback."""
    if not isinstance(exc, ChatditError):
        log_exception(exc)
    title, message = describe(exc)
    app.notify(message, title=title, severity="error", timeout=10)


def _words(class_name: str) -> str:
    """'InputImageError' -> 'Input image error'."""
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in class_name).strip()
    return spaced[:1].upper() + spaced[1:]
