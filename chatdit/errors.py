"""Errors a person can cause, each saying what to do next.

Every exception chatdit raises on purpose is a ChatditError; the CLI and TUI show its message
and never a traceback.
"""


class ChatditError(Exception):
    """Base of every error chatdit raises on purpose."""


class InputImageError(ChatditError):
    """An attached image is missing, unreadable, not an image, or absurdly large."""


class PageReferenceError(ChatditError):
    """The message refers to a page or output that does not exist in this session."""


class InstructionError(ChatditError):
    """The request cannot be turned into work (zero pages, 10 000 pages, nothing to edit)."""


class LLMOutputError(ChatditError):
    """The language model's reply did not fit the schema, even after one repair attempt."""


class LLMUnavailableError(ChatditError):
    """The configured language-model server could not be reached or timed out."""


class ModelUnavailableError(ChatditError):
    """The configured DiT model cannot be loaded (not downloaded, wrong path, no GPU memory)."""


class ToolArgumentError(ChatditError):
    """A tool was called with arguments it cannot use."""


class ConsentRequiredError(ChatditError):
    """Face swap was asked for without the explicit consent flag for a source face."""


class TurnCancelled(ChatditError):
    """The running turn was cancelled; completed turns are untouched."""


class SessionError(ChatditError):
    """A session folder is missing, not a chatdit session, or its history has no such turn."""


class SettingsError(ChatditError):
    """A setting or config.toml value is invalid."""


class BookTextError(ChatditError):
    """A book's text holds characters its font cannot print; exported, they would show as boxes."""
