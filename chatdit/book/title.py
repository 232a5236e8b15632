"""A book's title from its story ("The Little Orange Fox"), never the request it was asked with."""

from __future__ import annotations

import re

from chatdit.schema import CharacterCard, Instruction

SMALL_WORDS = {"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "by", "for", "with", "from", "into"}
CLAUSE = re.compile(r"\b(?:who|that|which)\s+((?:\w+\s*){1,5})", re.IGNORECASE)
MAX_WORDS = 8


def title_case(words: str) -> str:
    """'the red fox and the blue bird' -> 'The Red Fox and the Blue Bird'."""
    out = []
    for i, word in enumerate(words.split()):
        lower = word.lower()
        out.append(lower if i and lower in SMALL_WORDS else word[:1].upper() + word[1:])
    return " ".join(out)


def story_title(instruction: Instruction, cards: list[CharacterCard]) -> str | None:
    """The story's characters as a title, with what the request says they do ('The Red Fox Who
    Learns to Fly'); None when the request names nothing to title a story after."""
    from chatdit.book.story import cast_of
    from chatdit.llm.subjects import noun_phrase

    cast = cast_of(cards) or instruction.subjects[:2]
    if cast:
        names = [s.character or ("the " + noun_phrase(s) if s.count == 1 else noun_phrase(s) + "s") for s in cast]
        title = " and ".join(names)
        if len(cast) == 1 and cast[0].character:
            title += f" the {cast[0].name}"  # 'Finn the Fox'
        clause = CLAUSE.search(instruction.prompt)
        if len(cast) == 1 and clause:
            title += " who " + clause.group(1).strip()
    else:
        words = re.sub(r"^(?:an?|the)\s+", "", instruction.prompt.strip(), flags=re.IGNORECASE)
        title = re.split(r"[,.;:!?#\n]", words)[0].strip()
    words = title.split()[:MAX_WORDS]
    return title_case(" ".join(words)) if words else None


def book_file_name(title: str, fmt: str = "pdf") -> str:
    """'The Red Fox' -> 'the-red-fox.pdf': the export name when the person names none."""
    stem = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:40] or "book"
    return f"{stem}.{fmt}"
