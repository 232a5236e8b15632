"""Who writes the pages' texts chatdit owes: the configured language model (any `llm` backend but
the rules parser), or the offline story writer. A model that fails or answers badly costs the
turn nothing: the offline writer takes over and a warning says so."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files

from pydantic import BaseModel, Field

from chatdit.config import Settings
from chatdit.errors import ChatditError
from chatdit.schema import CharacterCard, Strict

MAX_TEXT = 400
"""Characters a page's text may have: a picture book prints a sentence or two."""


class PageText(Strict):
    number: int = Field(ge=1)
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class StoryText(Strict):
    """What the model answers: the title and the texts of the pages it was asked for."""

    title: str = Field(min_length=1, max_length=80)
    pages: list[PageText]


class BookSoFar(BaseModel):
    """One page as the writer sees it: what it shows and the text it has, if any."""

    number: int
    shows: str
    text: str | None = None


def system_prompt() -> str:
    template = files("chatdit.prompts").joinpath("story.md").read_text(encoding="utf-8")
    return template.replace("{schema}", json.dumps(StoryText.model_json_schema()))


def ask_model(settings: Settings, pages: list[BookSoFar], wanted: set[int]) -> StoryText:
    """The model's texts for the `wanted` pages; LLMOutputError when it leaves one out."""
    from chatdit.errors import LLMOutputError
    from chatdit.llm.base import get_backend

    user = json.dumps({"pages": [p.model_dump() for p in pages], "write": sorted(wanted)}, ensure_ascii=False)
    answer = get_backend(settings).fill(StoryText, system_prompt(), user)
    missing = wanted - {p.number for p in answer.pages}
    if missing:
        raise LLMOutputError(f"the model wrote no text for page(s) {', '.join(map(str, sorted(missing)))}")
    return answer


def write_texts(pages: list[BookSoFar], wanted: set[int], cards: list[CharacterCard], settings: Settings,
                notify: Callable[[str], None]) -> tuple[dict[int, str], str | None]:
    """Texts for the `wanted` pages and, from a model, a title; the offline writer when no model
    is configured or the model fails."""
    from chatdit.book.story import write_story

    if settings.llm != "rules" and wanted:
        try:
            answer = ask_model(settings, pages, wanted)
            return {p.number: p.text.strip() for p in answer.pages if p.number in wanted}, answer.title.strip()
        except ChatditError as exc:
            notify(f"the page texts were written offline: {exc}")
    written = write_story(cards, {p.number: p.shows for p in pages})
    return {number: written[number] for number in wanted if number in written}, None
