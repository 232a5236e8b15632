"""Numbers as people mean them, or a clear no: page numbers, page counts and subject counts.

"page -1:", "page 1e9:", "page 0:", "a -3-page book", "a 1e6-page book", "a million-page book",
"10000 red foxes": each is refused with the limit that applies, never read as something else
(page 1, 4 pages, 100 foxes). The rules parser calls these before it reads the words.
"""

from __future__ import annotations

import re

from chatdit.errors import InstructionError, PageReferenceError
from chatdit.llm.vocab import NUMBER_WORDS
from chatdit.schema import MAX_PAGES, Subject

ODD_PAGE_COUNT = re.compile(
    r"(?<![\w.])(-\s*\d[\d.]*|\d+(?:\.\d+|e[-+]?\d+)|(?:an? |one )?(?:thousand|million|billion|trillion|zillion)s?)"
    r"[- ](?:page|panel|shot|frame|scene|image|picture)s?\b", re.IGNORECASE)
PAGE_REFERENCE = re.compile(r"^\s*(?:on\s+|for\s+|in\s+)?(?:page|panel|shot|picture|image)s?\s+#?([-+]?\d[\w.]*)", re.IGNORECASE)
BIG_COUNT = re.compile(r"(?<![\w.])(\d{4,9}|[2-9]\d\d|1\d[1-9]|1[1-9]\d|(?:an? |one )?(?:thousand|million|billion|trillion)s?)"
                       r"\s+((?:[a-z-]+\s+){0,3}[a-z-]+)", re.IGNORECASE)
LONG_NUMBER = re.compile(r"\d{10,}")
MAX_SUBJECT_COUNT = 100
"""What the subject reader keeps of a count (schema.Subject.count's bound)."""


def number_of(word: str) -> int:
    """A count in digits or words; absurdly long digit strings read as 10^9 (refused by the caller)."""
    if word.isdigit():
        return int(word) if len(word) <= 9 else 10**9
    return NUMBER_WORDS[word.lower()]


def page_number(word: str) -> int:
    """A page a message names: a whole number from 1, or a PageReferenceError saying so."""
    number = number_of(word) if word.isdigit() or word.lower() in NUMBER_WORDS else None
    if number is None or number < 1 or number > 10**6:
        raise PageReferenceError(f"page {word[:12]} is not a page number; pages count 1, 2, 3, ... up to the last page")
    return number


def check_subject_counts(text: str, subjects: list[Subject]) -> None:
    """'10000 red foxes': more than a picture shows is refused with the limit, not capped silently."""
    names = {s.name.lower() for s in subjects}
    for match in BIG_COUNT.finditer(text):
        words = re.split(r"\b(?:of|in|on|at|from|for|with|and|to|by|the|an?)\b", match.group(2).lower())[0].split()
        if any(word.startswith(name) or name.startswith(word.rstrip("s")) for word in words for name in names):
            raise InstructionError(f"{match.group(1)} {match.group(2)} is more than one picture shows "
                                   f"(at most {MAX_SUBJECT_COUNT} of a kind); ask for fewer")


def check_long_numbers(message: str) -> None:
    if LONG_NUMBER.search(message):
        raise InstructionError("the message holds a number of 10 or more digits, beyond anything chatdit counts or "
                               "sizes; write the number you mean")


def check_page_count_words(lowered: str) -> None:
    """'a -3-page book', 'a 1e6-page book', 'a million-page book': no page count chatdit can make."""
    odd = ODD_PAGE_COUNT.search(lowered)
    if odd:
        raise InstructionError(f"{odd.group(1).strip()!r} is not a number of pages chatdit can make: "
                               f"ask for a whole number from 1 to {MAX_PAGES}")


def check_page_reference(text: str) -> None:
    """A message that starts by naming a page ('page -1: ...') names a real page number."""
    named = PAGE_REFERENCE.match(text)
    if named:
        page_number(named.group(1).rstrip(".,"))
