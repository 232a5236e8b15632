"""The parser agent: a chat message (+ attached files + what the session already has) -> Instruction.

The backend (rules, an OpenAI-compatible server, a local LM) reads the words; this agent adds
what only the session knows (which files were attached and what they are for, which pages
exist) and checks the result, so every backend's Instruction means the same thing.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, Field

from chatdit.errors import InputImageError, InstructionError
from chatdit.inputs import is_video
from chatdit.llm.bookops import settle_book_op
from chatdit.schema import InputImage, Instruction

FACE_WORDS = re.compile(r"\b(?:my face|face|faces|selfie|portrait of me|this person|identity)\b", re.IGNORECASE)
STYLE_WORDS = re.compile(r"\b(?:style|in the style|look like this|looks like this|same look|palette)\b", re.IGNORECASE)
EDIT_WORDS = re.compile(r"^\s*(?:please\s+)?(?:edit|change|fix|retouch|recolou?r|make (?:this|it)|remove|add|replace|turn (?:this|it))\b",
                        re.IGNORECASE)


class ParseContext(BaseModel):
    """What the session already holds, so 'page 3' and 'make it brighter' can be understood."""

    pages: list[int] = Field(default_factory=list)
    last_asset_id: str | None = None
    characters: list[str] = Field(default_factory=list)
    asset_count: int = 0

    @property
    def has_history(self) -> bool:
        return bool(self.pages or self.last_asset_id)


def system_prompt(context: ParseContext) -> str:
    template = files("chatdit.prompts").joinpath("parser.md").read_text(encoding="utf-8")
    facts = (f"has earlier outputs: {'yes' if context.has_history else 'no'}; "
             f"pages: {', '.join(map(str, context.pages)) or 'none'}; "
             f"character cards: {', '.join(context.characters) or 'none'}")
    return template.replace("{session}", facts).replace("{schema}", Instruction.model_json_schema().__repr__())


def input_role(path: str, text: str, count: int) -> str:
    if is_video(path):
        return "source_video"
    if FACE_WORDS.search(text):
        return "face"
    if STYLE_WORDS.search(text):
        return "style"
    if EDIT_WORDS.match(text) and count == 1:
        return "edit_target"
    return "reference"


def attach_inputs(instruction: Instruction, paths: list[str], text: str) -> Instruction:
    """Every attached file, with its role; a missing file is an error before any work starts."""
    for path in paths:
        if not Path(path).expanduser().is_file():
            raise InputImageError(f"no file at {path}; check the path (relative paths are from {Path.cwd()})")
    inputs = [InputImage(path=path, role=input_role(path, text, len(paths))) for path in paths]
    update: dict = {"inputs": inputs}
    task = instruction.task
    if any(i.role == "source_video" for i in inputs) and (task == "faceswap" or FACE_WORDS.search(text)):
        update["task"] = "faceswap"
    elif inputs and task in ("generate", "group"):
        update["task"] = "reference"
    return instruction.model_copy(update=update)


def parse_message(text: str, paths: list[str], context: ParseContext | None, backend) -> Instruction:
    """The Instruction for one chat message; raises InstructionError / LLM errors that say what to do."""
    context = context or ParseContext()
    if not text.strip() and not paths:
        raise InstructionError("the message is empty: say what to draw, e.g. 'a red fox in the snow'")
    instruction = backend.fill(Instruction, system_prompt(context), text.strip() or "use the attached picture", context=context)
    instruction = attach_inputs(instruction, list(paths), text)
    if instruction.task in ("edit", "inpaint") and not instruction.targets:
        if instruction.inputs:
            return instruction.model_copy(update={"task": "reference"})
        raise InstructionError("say which picture to change, e.g. 'page 2: make the sky darker' or 'make the last one brighter'")
    instruction = settle_book_op(instruction, context.pages)
    if instruction.pages and len(instruction.pages) != instruction.output_count:
        instruction = instruction.model_copy(update={"output_count": len(instruction.pages)})
    return instruction
