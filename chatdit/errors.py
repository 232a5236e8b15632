"""Errors a person can cause, each saying what to do next.

Every exception chatdit raises on purpose is a ChatditError; the CLI and TUI show its message
and never a traceback. Each kind carries the CLI's exit code: usage 2, input 3, model or device 4,
network 5, interrupted 130.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


def validation_problems(exc: ValidationError, most: int | None = None, whole: str = "") -> str:
    """A model's failed fields on one line ('steps: Input should be greater than 0; seed: ...'), the
    first `most` of them; `whole` names a problem with the input as a whole (no field)."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or whole}: {e['msg']}" for e in exc.errors()[:most])


class ChatditError(Exception):
    """Base of every error chatdit raises on purpose."""

    exit_code = 3


class UsageError(ChatditError):
    """A command line that cannot be run as written (bad KEY=VALUE, unknown option)."""

    exit_code = 2


class InputImageError(ChatditError):
    """An attached image or video is missing, unreadable, not what it claims, or absurdly large."""


class PageReferenceError(ChatditError):
    """The message refers to a page or output that does not exist in this session."""


class InstructionError(ChatditError):
    """The request cannot be turned into work (zero pages, 10 000 pages, nothing to edit)."""


class LLMOutputError(ChatditError):
    """The language model's reply did not fit the schema, even after one repair attempt."""

    exit_code = 4


class LLMUnavailableError(ChatditError):
    """The configured language-model server could not be reached or timed out."""

    exit_code = 5


class ModelUnavailableError(ChatditError):
    """The configured DiT model cannot be loaded (not downloaded, wrong path, no GPU memory)."""

    exit_code = 4


class ToolArgumentError(ChatditError):
    """A tool was called with arguments it cannot use."""


class ConsentRequiredError(ChatditError):
    """Face swap was asked for without the explicit consent flag for a source face."""


class TurnCancelled(ChatditError):
    """The running turn was cancelled; completed turns are untouched."""

    exit_code = 130


class SessionError(ChatditError):
    """A session folder is missing, not a chatdit session, or its history has no such turn."""


class SessionBusyError(SessionError):
    """Another chatdit process is writing to this session."""


class DamagedSessionError(SessionError):
    """A session's stored data is damaged or missing; `chatdit doctor FOLDER` says what and offers repair."""


class ScriptError(ChatditError):
    """A scripted session's YAML file is unreadable, too large, too deep, or not in the script format."""


class SettingsError(ChatditError):
    """A setting or config.toml value is invalid."""


class BookTextError(ChatditError):
    """A book's text holds characters its font cannot print; exported, they would show as boxes."""
