"""Scripted sessions: a YAML file of settings and messages, run start to finish.

    session: fox-book            # optional folder; relative to the script
    settings: {model: nano, seed: 1}
    messages:
      - make a six-page picture book about a red fox who learns to fly
      - text: "page 3: add a yellow sun"
      - text: use this picture as the style
        images: [style.png]
      - "[Rex] rex.jpg"            # a photo hero: Rex's card holds this photo (chatdit.heroes)
      - "[Mia] mia.png: a yellow star with a smile"
      - undo: true
      - export: fox-book.pdf     # a bare name lands in the session's exports/

A script names files relative to its own folder and may not reach outside it (`../x.png`,
a symlink out) unless the path is absolute; exports stay under the session's exports/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chatdit.errors import ScriptError, validation_problems
from chatdit.files import named_path

if TYPE_CHECKING:
    from chatdit.session import Session

if TYPE_CHECKING:
    from chatdit.session import EventHandler, Session

PHOTO_CARD = re.compile(r"^\[(?P<name>[^\]]+)\]\s+(?P<photo>\S+\.(?:png|jpe?g|webp))\s*(?::\s*(?P<looks>.+))?$", re.IGNORECASE)
"""'[Rex] rex.jpg' or '[Rex] rex.jpg: a small brown dog' on a line of its own."""


class PhotoCard(BaseModel):
    name: str
    photo: str
    looks: str | None = None


class ScriptStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    card: PhotoCard | None = None
    images: list[str] = Field(default_factory=list)
    undo: bool = False
    branch: str | None = None
    export: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string_is_a_message(cls, value: Any) -> Any:
        if isinstance(value, str) and (match := PHOTO_CARD.match(value.strip())):
            return {"card": match.groupdict()}
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exactly_one_action(self) -> ScriptStep:
        actions = [self.text is not None, self.card is not None, self.undo, self.branch is not None, self.export is not None]
        if sum(actions) != 1:
            raise ValueError("each entry is one of: a message (text), '[NAME] photo.jpg', undo: true, branch: TURN_ID, export: PATH")
        return self


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    messages: list[ScriptStep]


def load_script(path: Path) -> Script:
    """The script at path, read with bounds (size, depth, aliases) and checked against the format."""
    import yaml

    from chatdit.safe_yaml import MAX_BYTES, YamlLimitError, load_bounded

    if not path.is_file():
        raise ScriptError(f"no script at {path}; see `chatdit run --help` for the format")
    if path.stat().st_size > MAX_BYTES:
        raise ScriptError(f"{path} is larger than {MAX_BYTES // 1000} KB; a chatdit script is a short list of messages")
    try:
        data = load_bounded(path.read_bytes())
    except YamlLimitError as exc:
        raise ScriptError(f"{path} cannot be read as a script: {exc}") from None
    except yaml.YAMLError as exc:
        raise ScriptError(f"{path} is not valid YAML: {' '.join(str(exc).split())[:300]}") from None
    if data is not None and not isinstance(data, dict):
        raise ScriptError(f"{path} is not a chatdit script: expected keys settings and messages, "
                          f"got a {type(data).__name__}")
    try:
        return Script.model_validate(data or {})
    except ValidationError as exc:
        raise ScriptError(f"{path} is not a valid chatdit script ({validation_problems(exc, most=3, whole='script')})") from None


def inside_script_folder(script: Path, name: str) -> Path:
    """A path the script names: relative to its folder and refused outside it, absolute as given."""
    resolved = named_path(script.parent, name)
    if resolved is None:
        raise ScriptError(f"{name!r} in {script} points outside the script's folder; move the file next to the "
                          "script or give its absolute path")
    return resolved


def first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:100] if lines else ""


def run_script(path: Path, *, session_path: Path | None = None, overrides: dict[str, Any] | None = None,
               quiet: bool = False, on_open: Callable[[Session], None] | None = None) -> list[Path]:
    """Run every entry in order; print replies and where each output is. Returns written exports."""
    from chatdit.config import load_settings
    from chatdit.dit.parallel import parse_parallel, rank_session_folder
    from chatdit.progress import ConsoleProgress
    from chatdit.session import Session
    from chatdit.store import SessionStore

    script = load_script(path)
    settings = {**script.settings, **(overrides or {})}
    folder = session_path or (inside_script_folder(path, script.session) if script.session else None)
    folder = rank_session_folder(folder, parse_parallel(load_settings(**settings).parallel))
    if folder is not None and SessionStore(folder).exists():
        session = Session.open(folder)
        if settings:
            session.configure(**settings)
    else:
        session = Session.create(folder, **settings)
    print(f"session: {session.path}")
    if on_open is not None:
        on_open(session)
    exports = []
    with session:
        if session.pending():
            print("resuming the turn a crash interrupted")
            session.resume(on_event=ConsoleProgress(quiet=quiet))
        for step in script.messages:
            written = run_step(session, step, path, on_event=ConsoleProgress(quiet=quiet), say=print)
            if written is not None:
                exports.append(written)
        for page, asset in session.book().items():
            print(f"  page {page}: {session.asset_path(asset)}")
    return exports


def run_step(session: Session, step: ScriptStep, script: Path, *, on_event: EventHandler | None = None,
             say: Callable[[str], None] = lambda line: None, export_to: Path | None = None) -> Path | None:
    """One script entry on an open session (images relative to the script's folder, never outside
    it); returns the file an export wrote. `export_to` overrides where an export goes (a batch
    keeps each in its session)."""
    if step.text is not None:
        say(f"> {first_line(step.text)}")
        turn = session.chat(step.text, images=[inside_script_folder(script, i) for i in step.images], on_event=on_event)
        say(turn.reply)
    elif step.card is not None:
        card = session.add_card(step.card.name, inside_script_folder(script, step.card.photo), step.card.looks)
        say(f"card {card.name}: {card.description} ({card.identity})")
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
