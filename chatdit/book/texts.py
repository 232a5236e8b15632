"""Page texts through a turn: which texts a person wrote (printed as written, never rewritten),
which ones chatdit owes (a new page, or a page redrawn whose text chatdit wrote), and the title
a new book gets from its story.

The graph's respond node passes its update through `story_update`; `Session.set_page_text` and
the "page 2 text: ..." chat command set a person's text without drawing anything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from chatdit.config import Settings
from chatdit.schema import CharacterCard, Instruction, PageEntry

PAGE_TEXT_COMMAND = re.compile(
    r"^\s*(?:(?:the\s+)?text\s+(?:of|on|for|under)\s+page\s+(\d+)|page\s+(\d+)(?:'s)?\s+text)\s*[:=]\s*(.*?)\s*\Z",
    re.IGNORECASE | re.DOTALL)


def page_text_command(message: str) -> tuple[int, str | None] | None:
    """'page 2 text: Der Fuchs schläft.' -> (2, 'Der Fuchs schläft.'); a blank text removes it."""
    match = PAGE_TEXT_COMMAND.match(message)
    if match is None:
        return None
    text = match.group(3).strip().strip("\"“”„«»")
    return int(match.group(1) or match.group(2)), text or None


def comparable(text: str) -> str:
    """A text as it can be found in a message: its letters and digits, with case, spacing and
    punctuation set aside (a language model may tidy those when it copies a person's text)."""
    return "".join(c for c in unicodedata.normalize("NFC", text).casefold() if c.isalnum())


def person_texts(instruction: Instruction, message: str, approved: dict[str, str | None] | None = None) -> dict[int, str | None]:
    """The page texts this turn's person wrote: those found in their message (the parser's own
    story texts are not) and those set at plan approval."""
    said = comparable(message)
    found: dict[int, str | None] = {page.number: page.text for page in instruction.pages
                                    if page.text and comparable(page.text) and comparable(page.text) in said}
    found.update({int(number): (text or "").strip() or None for number, text in (approved or {}).items()})
    return found


def is_new_book(instruction: Instruction) -> bool:
    return not instruction.targets and instruction.collection in ("book", "storyboard")


def settle_texts(before: dict[int, PageEntry], after: dict[int, PageEntry], person: dict[int, str | None],
                 story: bool = True) -> tuple[dict[int, PageEntry], set[int]]:
    """The book with every page this turn made given its person's text or its kept one, and the
    pages whose text chatdit still owes: redone pages whose text chatdit wrote, and new pages
    without a person's text when they make a `story` (a picture book, not variations)."""
    settled, owed = {}, set()
    kept = {entry.asset_id: entry for entry in before.values()}  # a moved page keeps its text
    for number, entry in after.items():
        old = before.get(number)
        if entry.asset_id in kept:
            settled[number] = kept[entry.asset_id]
        elif number in person:
            settled[number] = entry.model_copy(update={"text": person[number], "text_source": "person"})
        elif old is not None and old.text_source != "chatdit" and old.text:
            settled[number] = entry.model_copy(update={"text": old.text, "text_source": old.text_source})
        elif not story and (old is None or old.text_source != "chatdit"):
            settled[number] = entry.model_copy(update={"text": None, "text_source": None})
        else:
            settled[number] = entry.model_copy(update={"text": None, "text_source": "chatdit"})
            owed.add(number)
    return settled, owed | (ending_moved(before, settled) if story else set())


def ending_moved(before: dict[int, PageEntry], after: dict[int, PageEntry]) -> set[int]:
    """Pages whose chatdit-written text is owed again because the book's end moved: the page that
    ended the book and no longer does (pages appended after it, or it was moved), and the page
    that ends it now. Only the real last page ends the story; a person's text is never touched."""
    if not before or not after:
        return set()
    old_end, new_last = before[max(before)].asset_id, max(after)
    return {number for number, entry in after.items()
            if entry.text_source == "chatdit" and entry.text and (entry.asset_id == old_end) != (number == new_last)}


def story_update(state: dict[str, Any], update: dict[str, Any], settings: Settings,
                 notify: Callable[[str], None]) -> dict[str, Any]:
    """The responder's update with the book's texts written and their sources set, and the story's
    title when this turn made a new book."""
    from chatdit.book.title import story_title
    from chatdit.book.writer import BookSoFar, write_texts

    instruction = Instruction.model_validate(state["instruction"])
    before = {int(p): PageEntry.model_validate(e) for p, e in (state.get("book") or {}).items()}
    after = {int(p): PageEntry.model_validate(e) for p, e in (update.get("book") or {}).items()}
    person = person_texts(instruction, state.get("message", ""), state.get("person_texts"))
    book, owed = settle_texts(before, after, person, story=instruction.collection == "book" or bool(instruction.targets))
    cards = [CharacterCard.model_validate(c) for c in (update.get("cards") or {}).values()]
    pages = [BookSoFar(number=n, shows=e.prompt, text=e.text) for n, e in sorted(book.items())]
    written, model_title = write_texts(pages, owed, cards, settings, notify)
    for number, text in written.items():
        book[number] = book[number].model_copy(update={"text": text})
    result = {**update, "book": {str(p): e.model_dump(mode="json") for p, e in book.items()}}
    if is_new_book(instruction) or not before:
        result["story_title"] = model_title or story_title(instruction, cards)
    return result


def with_page_text(book: dict[int, PageEntry], number: int, text: str | None) -> dict[int, PageEntry]:
    """The book with a person's text on page `number` (None: no text on that page)."""
    from chatdit.errors import PageReferenceError

    if number not in book:
        pages = ", ".join(map(str, sorted(book))) or "none yet"
        raise PageReferenceError(f"the book has no page {number} (its pages: {pages}); name one of them")
    return {**book, number: book[number].model_copy(update={"text": text, "text_source": "person"})}
