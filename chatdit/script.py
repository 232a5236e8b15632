"""Scripted sessions: a YAML file of settings and messages, run start to finish.

    session: fox-book            # optional folder; relative to the script
    settings: {model: nano, seed: 1}
    messages:
      - make a six-page picture book about a red fox who learns to fly
      - text: "page 3: add a yellow sun"
      - text: use this picture as the style
        images: [style.png]
      - undo: true
      - export: fox-book.pdf     # a bare name lands in the session's exports/
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chatdit.errors import ChatditError

if TYPE_CHECKING:
    from chatdit.session import EventHandler, Session


class ScriptStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    images: list[str] = Field(default_factory=list)
    undo: bool = False
    branch: str | None = None
    export: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_a_message(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exactly_one_action(self) -> ScriptStep:
        actions = [self.text is not None, self.undo, self.branch is not None, self.export is not None]
        if sum(actions) != 1:
            raise ValueError("each entry is one of: a message (text), undo: true, branch: TURN_ID, export: PATH")
        return self


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    messages: list[ScriptStep]


def load_script(path: Path) -> Script:
    import yaml

    if not path.is_file():
        raise ChatditError(f"no script at {path}; see `chatdit run --help` for the format")
    try:
        return Script.model_validate(yaml.safe_load(path.read_text()) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        raise ChatditError(f"{path} is not a valid chatdit script: {exc}") from exc


def run_script(path: Path, *, session_path: Path | None = None, overrides: dict[str, Any] | None = None,
               quiet: bool = False) -> list[Path]:
    """Run every entry in order; print replies and where each output is. Returns written exports."""
    from chatdit.config import load_settings
    from chatdit.dit.parallel import parse_parallel, rank_session_folder
    from chatdit.progress import ConsoleProgress
    from chatdit.session import Session
    from chatdit.store import SessionStore

    script = load_script(path)
    settings = {**script.settings, **(overrides or {})}
    folder = session_path or ((path.parent / script.session) if script.session else None)
    folder = rank_session_folder(folder, parse_parallel(load_settings(**settings).parallel))
    if folder is not None and SessionStore(folder).exists():
        session = Session.open(folder)
        if settings:
            session.configure(**settings)
    else:
        session = Session.create(folder, **settings)
    print(f"session: {session.path}")
    exports = []
    with session:
        if session.pending():
            print("resuming the turn a crash interrupted")
            session.resume(on_event=ConsoleProgress(quiet=quiet))
        for step in script.messages:
            written = run_step(session, step, path.parent, on_event=ConsoleProgress(quiet=quiet), say=print)
            if written is not None:
                exports.append(written)
        for page, asset in session.book().items():
            print(f"  page {page}: {session.asset_path(asset)}")
    return exports


def run_step(session: Session, step: ScriptStep, base: Path, *, on_event: EventHandler | None = None,
             say: Callable[[str], None] = lambda line: None, export_to: Path | None = None) -> Path | None:
    """One script entry on an open session (images relative to `base`); returns the file an
    export wrote. `export_to` overrides where an export goes (a batch keeps each in its session)."""
    if step.text is not None:
        say(f"> {step.text.strip().splitlines()[0][:100]}")
        turn = session.chat(step.text, images=[base / i for i in step.images], on_event=on_event)
        say(turn.reply)
    elif step.undo:
        undone = session.undo()
        say(f"undid: {undone.message[:60]!r}" if undone else "nothing to undo")
    elif step.branch is not None:
        session.branch(step.branch)
        say(f"branched from turn {step.branch}")
    else:
        written = session.export(export_to or step.export)
        say(f"exported: {written}")
        return written
    return None
