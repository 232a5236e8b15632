"""One small protocol for every parser backend: fill a pydantic schema from a system and a user text.

`rules` fills an Instruction deterministically; `openai` and `local` ask a language model for
JSON and validate it, repairing once with the validation error before giving up with an
LLMOutputError. The parser agent only ever sees this protocol.
"""

from __future__ import annotations

import json
import re
from typing import Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from chatdit.config import Settings
from chatdit.errors import LLMOutputError

Schema = TypeVar("Schema", bound=BaseModel)
REPAIR_ATTEMPTS = 2


class Backend(Protocol):
    name: str

    def fill(self, schema: type[Schema], system: str, user: str, context: object = None) -> Schema:
        """An instance of schema answering `user` under the instructions in `system`; `context`
        is the session's ParseContext as fields (what `system` says in words, for the models)."""


class RulesBackend:
    """The offline default: no model, the deterministic parser in chatdit.llm.rules."""

    name = "rules"

    def fill(self, schema: type[Schema], system: str, user: str, context: object = None) -> Schema:
        from chatdit.llm.bookops import read_book_op
        from chatdit.llm.rules import parse_rules
        from chatdit.schema import Instruction

        if schema is not Instruction:
            raise TypeError(f"the rules backend fills Instruction only, not {schema.__name__}")
        pages, characters = list(getattr(context, "pages", [])), list(getattr(context, "characters", []))
        return read_book_op(user, pages, characters) or parse_rules(user, has_history=bool(getattr(context, "has_history", False)))


def first_json_object(text: str) -> dict:
    """The first complete JSON object in a model's answer (models wrap JSON in prose and fences)."""
    text = re.sub(r"```(?:json)?", "", text)
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text[match.start():])
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    raise ValueError("no JSON object in the answer")


def validate_answer(schema: type[Schema], answer: str) -> Schema:
    """The answer as a schema instance, or ValueError with what was wrong (fed back to the model)."""
    try:
        return schema.model_validate(first_json_object(answer))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:8])
        raise ValueError(f"the JSON does not match the schema: {problems}") from exc


def fill_with_repair(schema: type[Schema], ask, system: str, user: str, who: str) -> Schema:
    """Ask, validate, and on a bad answer ask again with the problem stated; then give up clearly."""
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    problem = ""
    for _ in range(REPAIR_ATTEMPTS):
        answer = ask(messages)
        try:
            return validate_answer(schema, answer)
        except ValueError as exc:
            problem = str(exc)
            messages = messages + [
                {"role": "assistant", "content": answer[:4000]},
                {"role": "user", "content": f"That answer was not usable: {problem}. Reply with one JSON object "
                                            f"matching the schema, and nothing else."},
            ]
    raise LLMOutputError(f"{who} did not return a valid {schema.__name__} after {REPAIR_ATTEMPTS} tries ({problem}); "
                         "rephrase the message, or set llm = \"rules\" to use the offline parser")


def get_backend(settings: Settings) -> Backend:
    if settings.llm == "openai":
        from chatdit.llm.openai import OpenAIBackend

        return OpenAIBackend(settings.llm_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout)
    if settings.llm == "local":
        from chatdit.llm.local import LocalBackend

        return LocalBackend(settings.llm_model)
    return RulesBackend()
