"""Book operations, planned and applied: new pages after the last drawn with the book's
characters, pages removed or reordered (pictures and texts move together, nothing is deleted
from the session folder), and a new book begun while the old one stays in history.

The book lives in the graph state, so undo and branch bring back any earlier book as it was.
"""

from __future__ import annotations

from typing import Any

from chatdit.agents.planner import (
    PlanContext,
    _ref_prompts,
    _reference_step,
    _size_args,
    card_references,
    pages_of,
    plan_new_images,
    updated_cards,
)
from chatdit.agents.reply import span
from chatdit.tools.reference import AssetRef

from chatdit.llm.story import carry_descriptions
from chatdit.llm.subjects import parse_subjects
from chatdit.schema import Asset, BookOp, CharacterCard, Instruction, PageEntry, PageSpec, Plan


def plan_book_op(instruction: Instruction, ctx: PlanContext) -> Plan:
    """The plan for a book operation: pictures only for new pages; a reorder draws nothing."""
    op = instruction.book_op
    assert op is not None
    if op.kind == "append":
        return plan_append(instruction, ctx)
    if op.kind == "new_book":
        if not instruction.pages:
            return Plan(steps=[], rationale="start a new, empty book; the old one stays in history")
        made = plan_new_images(instruction, ctx.model_copy(update={"book": {}, "cards": {}, "last": None}))
        return made.model_copy(update={"rationale": f"a new book: {made.rationale}"})
    order = new_order(op, sorted(ctx.book))
    return Plan(steps=[], rationale=f"{op.kind} pages; nothing is drawn: {renumbered(order) or 'no page moves'}")


def plan_append(instruction: Instruction, ctx: PlanContext) -> Plan:
    """New pages drawn like pages 5+ of a long book: `reference` canvases conditioned on the
    character cards' pictures (the book's last page when it has no cards), with each page's
    'the fox' given the card's words ('the red fox')."""
    pages = with_card_words(pages_of(instruction), ctx.cards)
    instruction = instruction.model_copy(update={"pages": pages})  # the panels' scenes carry the cards' colors too
    last = ctx.book[max(ctx.book)] if ctx.book else None
    fallback = AssetRef(asset_id=last.asset_id) if last else None
    pictured = {n: c for n, c in ctx.cards.items() if c.asset_id}
    if not pictured and fallback is None:
        return plan_new_images(instruction.model_copy(update={"pages": pages}), ctx)
    size = _size_args(ctx, instruction)
    steps, index = [], 0
    while index < len(pages):
        refs = card_references(pages[index], pictured, fallback=fallback)
        prompts = _ref_prompts(refs, pictured)
        prompts = [p if p != "the earlier page" or last is None else last.prompt for p in prompts]
        chunk = max(1, ctx.max_panels - len(refs))
        group = pages[index: index + chunk]
        steps.append(_reference_step(len(steps), refs, prompts, group, instruction, {}, True, size, ctx))
        index += chunk
    numbers = [p.number for p in pages]
    return Plan(steps=steps, rationale=f"add page{'s' if len(numbers) > 1 else ''} {span(numbers)} after the last, "
                                       f"conditioned on the book's characters in {len(steps)} canvas(es)")


def with_card_words(pages: list[PageSpec], cards: dict[str, CharacterCard]) -> list[PageSpec]:
    """A new page's 'the fox' is the book's red fox: the character card's words carried into its
    prompt and its color into the page's subject, which nano draws from and the critic checks."""
    described = {s.name: s for card in cards.values() for s in parse_subjects(card.description)[:1] if s.name == card.name}
    carried = carry_descriptions(pages, list(described.values()))
    for page in carried:
        page.subjects = [s.model_copy(update={"color": described[s.name].color}) if s.name in described and not s.color
                         else s for s in page.subjects]
    return carried


def new_order(op: BookOp, pages: list[int]) -> list[int]:
    """The book's old page numbers in their new order after a remove, move or swap."""
    if op.kind == "remove":
        return [p for p in pages if p not in op.pages]
    if op.kind == "swap":
        a, b = op.pages
        return [b if p == a else a if p == b else p for p in pages]
    if op.kind == "move":
        moved = op.pages[0]
        rest = [p for p in pages if p != moved]
        at = rest.index(op.before) if op.before in rest else len(rest)
        return rest[:at] + [moved] + rest[at:]
    return list(pages)


def renumbered(order: list[int], skip: int | None = None) -> str:
    """What moved, as runs: 'pages 4-6 are now 3-5'; '' when nothing did."""
    moves = [(old, new) for new, old in enumerate(order, start=1) if old != new and old != skip]
    runs: list[list[tuple[int, int]]] = []
    for old, new in moves:
        if runs and old == runs[-1][-1][0] + 1 and new == runs[-1][-1][1] + 1:
            runs[-1].append((old, new))
        else:
            runs.append([(old, new)])
    said = []
    for run in runs:
        olds, news = [o for o, _ in run], [n for _, n in run]
        if len(run) == 1:
            said.append(f"page {olds[0]} is now {news[0]}")
        else:
            said.append(f"pages {olds[0]}-{olds[-1]} are now {news[0]}-{news[-1]}")
    return "; ".join(said)


def reordered_book(op: BookOp, book: dict[int, PageEntry]) -> tuple[dict[int, PageEntry], dict[int, int]]:
    """The book after a remove/move/swap, and old page -> new page for every page kept."""
    order = new_order(op, sorted(book))
    return {new: book[old] for new, old in enumerate(order, start=1)}, {old: new for new, old in enumerate(order, start=1)}


def reorder_reply(op: BookOp, order: list[int], count_before: int) -> str:
    """Exactly what a remove, move or swap did to the page numbers."""
    if op.kind == "remove":
        what = f"Removed page{'s' if len(op.pages) > 1 else ''} {span(op.pages)}"
        moved = renumbered(order)
        left = f"the book has {len(order)} page{'s' if len(order) != 1 else ''}"
        return f"{what}; {moved + '; ' if moved else ''}{left} (undo brings {'them' if len(op.pages) > 1 else 'it'} back)."
    if op.kind == "swap":
        return f"Swapped pages {op.pages[0]} and {op.pages[1]}."
    moved, now = op.pages[0], order.index(op.pages[0]) + 1
    where = f"before page {op.before}" if op.before and op.before <= count_before else "to the end"
    others = renumbered(order, skip=moved)
    return f"Moved page {moved} {where}: it is now page {now}{'; ' + others if others else ''}."


def finish_book_op(state: dict[str, Any], instruction: Instruction, chosen: list[Asset], generic: str) -> dict[str, Any]:
    """The session fields (book, cards, last) and reply after a book operation; `generic` is the
    reply about the pictures drawn (new pages), which a new book's reply follows."""

    op = instruction.book_op
    assert op is not None
    book = {int(p): PageEntry.model_validate(e) for p, e in (state.get("book") or {}).items()}
    cards = {n: CharacterCard.model_validate(c) for n, c in (state.get("cards") or {}).items()}
    last = state.get("last")
    if op.kind == "append":
        texts = {page.number: page.text for page in instruction.pages}
        for asset in (a for a in chosen if a.page):
            book[asset.page] = PageEntry(asset_id=asset.id, prompt=asset.prompt or "", text=texts.get(asset.page),
                                         scene=instruction.page_scene(asset.page))
        if cards:  # the book's characters stay as they are; a book that had none gets its first ones
            instruction = instruction.model_copy(update={"characters": [], "subjects": []})
        cards = updated_cards(instruction, cards, chosen)
        reply, last = generic, _last(chosen) or last
    elif op.kind == "new_book":
        book = {a.page: PageEntry(asset_id=a.id, prompt=a.prompt or "", text=t.text if (t := _page_spec(instruction, a.page)) else None,
                                  scene=instruction.page_scene(a.page)) for a in chosen if a.page}
        cards, last = updated_cards(instruction, {}, chosen), _last(chosen)
        reply = new_book_reply(state, generic if chosen else "")
    else:
        order = new_order(op, sorted(book))
        reply = reorder_reply(op, order, len(book))
        book, moved = reordered_book(op, book)
        if last and last.get("page"):
            last = {**last, "page": moved.get(last["page"])}
    return {
        "book": {str(p): e.model_dump(mode="json") for p, e in sorted(book.items())},
        "cards": {n: c.model_dump(mode="json") for n, c in cards.items()},
        "last": last,
        "reply": reply,
        "turn_count": state.get("turn_count", 0) + 1,
    }


def _last(chosen: list[Asset]) -> dict[str, Any] | None:
    if not chosen:
        return None
    return {"asset_id": chosen[-1].id, "prompt": chosen[-1].prompt or "", "page": chosen[-1].page}


def _page_spec(instruction: Instruction, number: int | None) -> PageSpec | None:
    return next((page for page in instruction.pages if page.number == number), None)


def new_book_reply(state: dict[str, Any], generic: str) -> str:
    """'Started a new book; the old one is kept in history (turn X)', with what was made."""
    old_pages = len(state.get("book") or {})
    parent = state.get("parent_id")
    if old_pages and parent:
        kept = f"the old one ({old_pages} page{'s' if old_pages != 1 else ''}) is kept in history (turn {parent}: /branch {parent})"
    else:
        kept = "there was no earlier book"
    if not generic:
        return f"Started a new book; {kept}. Its pages come next: say what they show."
    return f"Started a new book; {kept}. {generic}"

