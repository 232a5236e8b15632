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
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chatdit.errors import ChatditError

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
    from chatdit.progress import ConsoleProgress
    from chatdit.session import Session
    from chatdit.store import SessionStore

    script = load_script(path)
    settings = {**script.settings, **(overrides or {})}
    folder = session_path or ((path.parent / script.session) if script.session else None)
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
            if step.text is not None:
                print(f"> {step.text.strip().splitlines()[0][:100]}")
                turn = session.chat(step.text, images=[path.parent / i for i in step.images], on_event=ConsoleProgress(quiet=quiet))
                print(turn.reply)
            elif step.card is not None:
                card = session.add_card(step.card.name, path.parent / step.card.photo, step.card.looks)
                print(f"card {card.name}: {card.description} ({card.identity})")
            elif step.undo:
                undone = session.undo()
                print(f"undid: {undone.message[:60]!r}" if undone else "nothing to undo")
            elif step.branch is not None:
                session.branch(step.branch)
                print(f"branched from turn {step.branch}")
            else:
                written = session.export(step.export)
                exports.append(written)
                print(f"exported: {written}")
        for page, asset in session.book().items():
            print(f"  page {page}: {session.asset_path(asset)}")
    return exports
