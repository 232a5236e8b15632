"""Book operations in a person's words: pages added after the last, removed, moved or swapped,
and a new book begun in the same session.

The rules backend reads these before anything else (a "remove page 3" is not an inpaint of page
3, and "page 7: the fox in the snow" on a six-page book is a new page, not an edit of a missing
one). `settle_book_op` then checks any backend's BookOp against the pages the session has and
numbers the new pages after the last, so every backend's book operation means the same thing.
"""

from __future__ import annotations

import re

from chatdit.errors import InstructionError, PageReferenceError
from chatdit.llm import rules
from chatdit.llm.scenery import find_background, without_settings
from chatdit.llm.subjects import parse_subjects
from chatdit.llm.vocab import NUMBER_WORDS
from chatdit.schema import BookOp, Instruction, PageSpec, Subject

N = rules.ANY_NUMBER
PAGE_LIST = rf"pages?\s+(?P<list>{N}(?:\s*(?:,|and|&)\s*(?:page\s+)?{N})*)"
POLITE = r"^\s*(?:(?:ok|okay|now|then|and|also|next)[,!]?\s+)*(?:please\s+)?(?:(?:can|could|would) you\s+)?(?:let'?s\s+)?"
END = r"\s*(?:from|of|in|to)?\s*(?:the|this)?\s*(?:book|story)?\s*(?:,?\s*please)?\s*[.!]?\s*$"
REMOVE = re.compile(rf"{POLITE}(?:remove|delete|drop|cut|take out|get rid of)\s+(?:the\s+)?"
                    rf"(?:(?P<end>last|final|first)\s+(?:(?P<many>{N})\s+pages|page)|{PAGE_LIST}){END}", re.IGNORECASE)
MOVE = re.compile(rf"{POLITE}(?:move|put|place)\s+page\s+(?P<page>{N})\s+(?:(?P<rel>before|after|in front of|behind)\s+page\s+"
                  rf"(?P<other>{N})|to\s+the\s+(?P<where>start|beginning|front|end|back))(?:\s+of\s+the\s+book)?\s*[.!]?\s*$",
                  re.IGNORECASE)
SWAP = re.compile(rf"{POLITE}(?:swap|switch|exchange)\s+pages?\s+(?P<a>{N})\s+(?:and|with)\s+(?:page\s+)?(?P<b>{N})\s*[.!]?\s*$",
                  re.IGNORECASE)
NEW_BOOK = re.compile(rf"{POLITE}(?:(?:start|begin|make|create|write)\s+(?:a|another)\s+new\s+|new\s+)"
                      r"(?P<kind>(?:[\w-]+\s+){0,3}?(?:book|storybook|story))\b\s*[:,.-]?\s*(?P<rest>.*)$",
                      re.IGNORECASE | re.DOTALL)
APPEND = re.compile(rf"{POLITE}(?P<verb>add|append|make|draw|create|give (?:me|us|it))\s+(?P<count>{N}|an?|another)?\s*"
                    r"(?P<more>more\s+|new\s+|extra\s+|further\s+)?pages?\b(?:\s+(?:to|at the end of)\s+(?:the\s+)?(?:book|story))?"
                    r"\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
CONTINUE = re.compile(rf"{POLITE}(?:continue|extend|go on with)\s+(?:the\s+)?(?:book|story)"
                      rf"(?:\s+with\s+(?P<count>{N}|an?|another)\s+(?:more\s+|new\s+)?pages?\b)?\s*(?P<rest>.*)$",
                      re.IGNORECASE | re.DOTALL)
LEAD_IN = re.compile(r"^\s*[:,;.-]*\s*(?:where|in which|showing|that shows|with|of|about|:)?\s*", re.IGNORECASE)
LEADING_PAGE = re.compile(r"^\s*(?:page|panel)\s*#?(\d+)\s*[:.)-]?\s+", re.IGNORECASE)
NAMING_WORDS = {"a", "an", "the", "some", "his", "her", "their", "its", "this", "that", "these", "those", "many", "several"}
"""A page that starts so names what it shows; one that starts 'asleep', 'in the snow' is about the hero."""
PRONOUN = re.compile(r"^(?:he|she|it|they)\b", re.IGNORECASE)
EDIT_START = re.compile(rf"^\s*{rules.EDIT_VERBS}\b", re.IGNORECASE)


def read_book_op(text: str, pages: list[int], characters: list[str]) -> Instruction | None:
    """The Instruction for a book operation, or None when the message is something else."""
    message = text.strip()
    if match := REMOVE.match(message):
        return _remove(match, pages, message)
    if match := MOVE.match(message):
        page = rules.number_of(match["page"])
        if match["where"]:
            before = 1 if match["where"].lower() in ("start", "beginning", "front") else max(pages, default=0) + 1
        else:
            other = rules.number_of(match["other"])
            before = other if match["rel"].lower() in ("before", "in front of") else other + 1
        return _op(message, BookOp(kind="move", pages=[page], before=before))
    if match := SWAP.match(message):
        return _op(message, BookOp(kind="swap", pages=[rules.number_of(match["a"]), rules.number_of(match["b"])]))
    if match := NEW_BOOK.match(message):
        return _new_book(match["kind"], match["rest"].strip())
    match = APPEND.match(message)
    if match and match["verb"].lower() not in ("add", "append") and not match["more"] and match["count"] != "another":
        match = None  # 'make two pages of a fox' is a new set of pictures; 'make two more pages' adds
    if match := match or CONTINUE.match(message):
        return _append(match["rest"], _count(match["count"]), characters, len(pages))
    return _next_free_page(message, pages, characters)


def _op(message: str, op: BookOp) -> Instruction:
    return Instruction(task="generate", collection="book", prompt=message, book_op=op)


def _count(word: str | None) -> int | None:
    if word is None:
        return None
    return 1 if word.lower() in ("a", "an", "another") else rules.check_count(rules.number_of(word), "page")


def _remove(match: re.Match, pages: list[int], message: str) -> Instruction:
    if match["end"]:
        if not pages:
            raise PageReferenceError("the book has no pages yet, so there is nothing to remove")
        many = min(rules.number_of(match["many"]), len(pages)) if match["many"] else 1
        named = pages[-many:] if match["end"].lower() in ("last", "final") else pages[:many]
    else:
        named = [rules.number_of(n) for n in re.findall(N, match["list"], flags=re.IGNORECASE)]
    return _op(message, BookOp(kind="remove", pages=sorted(set(named))))


def _new_book(kind: str, rest: str) -> Instruction:
    """'start a new book' (an empty book) or 'start a new book about a green frog' (its pages)."""
    op = BookOp(kind="new_book")
    if not rest.strip(" .!"):
        return Instruction(task="generate", collection="book", prompt="a new book", book_op=op)
    if re.match(r"(?i)(?:about|of|on|showing|starring|featuring|where|with)\b", rest):
        asked = f"a {kind} {rest}"
    else:
        asked = f"a {kind}: {rest}"
    if kind.lower() in ("book", "story") and not rules.find_listed(rest).pages:
        asked = re.sub(r"^a (?:book|story)\b", "a picture book", asked, flags=re.IGNORECASE)
    made = rules.parse_rules(asked)
    return made.model_copy(update={"book_op": op, "collection": "book"})


def _append(rest: str, count: int | None, characters: list[str], known: int = 0) -> Instruction:
    """New pages after the last, as listed ('page 7 ..., page 8 ...', one per line or ';'), as one
    scene ('add a page where the fox sleeps') or, with no words, the story going on."""
    body = LEAD_IN.sub("", rest, count=1).strip()
    numbers, scenes = _listed_scenes(body)
    if not scenes:
        scenes = _scenes(body, count)
    if not scenes:
        return _story_goes_on(count or 1, characters, known)
    if count is not None and count != len(scenes):
        if count == 1:
            scenes = ["; ".join(scenes)]
        else:
            raise InstructionError(f"{count} new pages were asked for but {len(scenes)} described; say what each shows, "
                                   f"e.g. 'add {count} more pages: page 7 the fox at sea, page 8 the fox at home'")
    pages = [_page(i, scene, characters) for i, scene in enumerate(scenes, start=1)]
    return _appended(pages, numbers)


SCENE_BREAKS = (r"[;\n]+", rules.SENTENCE_BREAK, r",?\s+(?:and\s+)?then\s+", r",\s*(?:and\s+)?")
"""How people part new pages: by line or ';', by sentence, by 'then', by comma: the first that gives as
many scenes as pages asked is used."""


def _scenes(body: str, count: int | None) -> list[str]:
    """'the fox finds a blue bird, then they fly a kite' for two pages: one scene each."""
    return (rules.split_into(body, count, SCENE_BREAKS) if count is not None else None) or rules.parts_of(body, SCENE_BREAKS[0])


def _listed_scenes(body: str) -> tuple[list[int], list[str]]:
    """Pages the body lists with their own numbers: (the numbers, what each shows)."""
    markers = list(rules.INLINE_PAGE_MARKER.finditer(body)) or list(rules.PAGE_MARKER.finditer(body))
    if not markers or markers[0].start() > 0:
        return [], []
    numbers = [int(m.group(1)) for m in markers]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise PageReferenceError(f"new pages are numbered one after another; got pages {', '.join(map(str, numbers))}")
    ends = [m.start() for m in markers[1:]] + [len(body)]
    return numbers, [body[m.end(): end].strip(" ,;.\n") for m, end in zip(markers, ends, strict=True)]


def _page(number: int, scene: str, characters: list[str]) -> PageSpec:
    """A new page: what it shows (the hero when it names no one: 'asleep under a tree' is the
    fox asleep), its text after '#', its subjects and setting."""
    prompt, _, caption = scene.partition("#")
    prompt = prompt.strip(" ,;.")
    hero = next((c for c in characters if c[:1].islower()), None)
    if hero:
        prompt = PRONOUN.sub(f"the {hero}", prompt)
    background, rest = find_background(prompt)
    subjects = parse_subjects(without_settings(rest)) if rest else []
    first = prompt.split()[0].lower() if prompt.split() else ""
    named = first in NAMING_WORDS or first in NUMBER_WORDS or first.isdigit() or any(first == s.name.split()[0] for s in subjects)
    if hero and not named and all(s.name != hero for s in subjects):
        prompt = f"the {hero} {prompt}"  # 'asleep under a tree' is the fox asleep under a tree
        subjects = [Subject(name=hero), *subjects]
    for subject in subjects:
        subject.hero = subject.name == hero
    return PageSpec(number=number, prompt=prompt, text=caption.strip() or None, subjects=subjects, background=background)


def _story_goes_on(count: int, characters: list[str], known: int) -> Instruction:
    """'add two more pages' with nothing said: the book's characters go on with the story, its
    beats taken where a book of the new length has them (the last page ends it)."""
    cast = [c for c in characters if c[:1].islower()][:2]
    if not cast:
        raise InstructionError("say what the new pages show, e.g. 'add two more pages: page 7 the fox at sea, "
                               "page 8 the fox at home'")
    subjects = [Subject(name=name, hero=i == 0) for i, name in enumerate(cast)]
    beats = rules.story_pages(subjects, " and ".join(f"a {name}" for name in cast), known + count, None, "book")[known:]
    pages = [beat.model_copy(update={"number": i, "subjects": subjects}) for i, beat in enumerate(beats, start=1)]
    return _appended(pages, [])


def _appended(pages: list[PageSpec], numbers: list[int]) -> Instruction:
    subjects = list({s.name: s for page in pages for s in page.subjects}.values())
    return Instruction(task="group" if len(pages) > 1 else "generate", collection="book",
                       prompt="; ".join(p.prompt for p in pages), output_count=len(pages), subjects=subjects,
                       pages=pages, book_op=BookOp(kind="append", pages=numbers))


def _next_free_page(message: str, pages: list[int], characters: list[str]) -> Instruction | None:
    """'page 7: the fox in the snow' on a six-page book is a new page; 'page 9: ...' is an error
    naming the next free page. Pages that exist are edits (not a book operation)."""
    match = LEADING_PAGE.match(message)
    if not pages or match is None or int(match.group(1)) in pages:
        return None
    listed = rules.find_listed(message)
    if listed.pages and listed.pages[0].number == 1:
        return None  # a new book listed page by page
    number, free = int(match.group(1)), max(pages) + 1
    if number != free:
        raise PageReferenceError(f"there is no page {number}: the book has {len(pages)} pages, so the next free page "
                                 f"is {free} ('page {free}: ...' adds it)")
    if EDIT_START.match(message[match.end():]):
        raise PageReferenceError(f"there is no page {number} to change yet; to add it, say what it shows "
                                 f"('page {number}: the fox in the snow')")
    return _append(message, None, characters)


def settle_book_op(instruction: Instruction, pages: list[int]) -> Instruction:
    """Check a book operation against the session's pages and number new pages after the last,
    whatever backend read the words; errors say which pages exist."""
    op = instruction.book_op
    if op is None:
        return instruction
    have = ", ".join(map(str, pages)) or "none yet"
    if op.kind in ("remove", "move", "swap"):
        missing = [p for p in op.pages if p not in pages]
        if missing or not op.pages:
            raise PageReferenceError(f"there is no page {missing[0] if missing else '?'} in the book; its pages: {have}")
    if op.kind == "move":
        if op.before is None or not 1 <= op.before <= max(pages) + 1:
            raise PageReferenceError(f"there is no page {op.before} to move page {op.pages[0]} before; the book's pages: {have}")
        if op.before in (op.pages[0], op.pages[0] + 1):
            raise InstructionError(f"page {op.pages[0]} is already there; nothing to move")
    if op.kind == "swap" and len(set(op.pages)) != 2:
        raise InstructionError("name two different pages to swap, e.g. 'swap pages 1 and 2'")
    if op.kind != "append":
        return instruction
    free = max(pages, default=0) + 1
    if op.pages and op.pages[0] != free:
        raise PageReferenceError(f"the book has {len(pages)} pages, so new pages start at page {free}, not {op.pages[0]}")
    if not instruction.pages:
        raise InstructionError("say what the new pages show, e.g. 'add a page where the fox sleeps'")
    ordered = sorted(instruction.pages, key=lambda page: page.number)
    numbered = [page.model_copy(update={"number": free + i}) for i, page in enumerate(ordered)]
    return instruction.model_copy(update={"pages": numbered, "output_count": len(numbered),
                                          "book_op": op.model_copy(update={"pages": [p.number for p in numbered]})})
