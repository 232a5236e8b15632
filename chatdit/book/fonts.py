"""The book's typeface, shipped with the package (DejaVu Serif, see fonts/LICENSE): Latin with
diacritics, Greek and Cyrillic. A text with a character the font lacks is refused with the
page and the characters named, instead of printing boxes."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from chatdit.book.spec import Book
from chatdit.errors import BookTextError

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR = FONT_DIR / "DejaVuSerif.ttf"
BOLD = FONT_DIR / "DejaVuSerif-Bold.ttf"
FAMILY = "DejaVu Serif"


@cache
def covered() -> frozenset[int]:
    """Every code point the regular face has a glyph for (the bold face covers the same scripts)."""
    from reportlab.pdfbase.ttfonts import TTFont

    return frozenset(TTFont("chatdit-book-cmap", str(REGULAR)).face.charToGlyph)


def missing_characters(text: str) -> list[str]:
    """The characters of `text` the font cannot print, once each, in order (spacing aside)."""
    have = covered()
    missing = []
    for char in text:
        if ord(char) not in have and not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf") and char not in missing:
            missing.append(char)
    return missing


def describe_character(char: str) -> str:
    return f"{char!r} ({unicodedata.name(char, f'U+{ord(char):04X}').lower()})"


def check_printable(book: Book) -> None:
    """BookTextError naming every page whose text (or the title) the font cannot print."""
    problems = []
    for where, text in [("the title", book.title), ("the author", book.author or "")] + \
            [(f"page {p.number}'s text", p.text or "") for p in book.pages]:
        missing = missing_characters(text)
        if missing:
            shown = ", ".join(describe_character(c) for c in missing[:4]) + (" and more" if len(missing) > 4 else "")
            problems.append(f"{where} has {shown}")
    if problems:
        raise BookTextError(f"the book's font ({FAMILY}: Latin, Greek, Cyrillic) cannot print: {'; '.join(problems)}; "
                            "change those texts (e.g. 'page 2 text: ...' or /title) and export again")
