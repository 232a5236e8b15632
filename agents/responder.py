"""Close a turn: keep the best attempt per output, update the book and the character cards, and
write the reply a person reads."""

from __future__ import annotations

from typing import Any

from chatdit.agents.planner import pages_of, updated_cards
from chatdit.agents.reply import ReplyFacts, reply_text

from chatdit.scenes import edited
from chatdit.schema import Asset, CharacterCard, Critique, Instruction, PageEntry, Scene

Slot = tuple[str, int | None]


def best_assets(assets: list[Asset], critiques: list[Critique]) -> list[Asset]:
    """One asset per output slot (page, or step for unnumbered outputs): the best-scored attempt,
    the earliest among equals, in page order."""
    score = {c.asset_id: c.score for c in critiques if c.asset_id}
    best: dict[Slot, Asset] = {}
    for asset in assets:
        slot: Slot = ("page", asset.page) if asset.page else (asset.step_id or asset.id, None)
        current = best.get(slot)
        if current is None or score.get(asset.id, 0.0) > score.get(current.id, 0.0):
            best[slot] = asset
    return sorted(best.values(), key=lambda a: (a.page or 0, a.step_id or "", a.created_at))


def updated_book(instruction: Instruction, chosen: list[Asset], book: dict[int, PageEntry]) -> dict[int, PageEntry]:
    """A new multi-page request starts a new book; a redo replaces only the pages it made."""
    texts = {page.number: page.text for page in pages_of(instruction)}
    is_redo = bool(instruction.targets)
    result = dict(book) if is_redo else ({} if any(a.page for a in chosen) else dict(book))
    for asset in chosen:
        if asset.page is None:
            continue
        kept = book[asset.page].text if is_redo and asset.page in book else None
        text = texts.get(asset.page) or kept  # a redo keeps the page's text unless this turn gives one
        before = book[asset.page].scene if asset.page in book else None
        result[asset.page] = PageEntry(asset_id=asset.id, prompt=asset.prompt or "", text=text,
                                       scene=drawn_scene(instruction, asset.page, before))
    return result


def drawn_scene(instruction: Instruction, page: int | None, before: Scene | None) -> Scene | None:
    """What an output was asked to show, understood, kept so a later edit or redo draws from it:
    the page's scene, or for a redo the scene it had, changed as the edit asked."""
    if not instruction.targets:
        return instruction.page_scene(page)
    spec = instruction.edit_spec
    return edited(before, spec) if before is not None and spec is not None else before


def last_output(instruction: Instruction, last: Asset, book: dict[int, PageEntry], before: dict | None) -> dict[str, Any]:
    """The picture a later 'make it brighter' changes, with what it was asked to show."""
    if last.page in book:
        scene = book[last.page].scene
    else:
        scene = drawn_scene(instruction, last.page, Scene.model_validate(before["scene"]) if (before or {}).get("scene") else None)
    return {"asset_id": last.id, "prompt": last.prompt or "", "page": last.page,
            "scene": scene.model_dump(mode="json") if scene else None}


def finish_turn(state: dict[str, Any], facts: ReplyFacts | None = None) -> dict[str, Any]:
    instruction = Instruction.model_validate(state["instruction"])
    assets = [Asset.model_validate(a) for a in state.get("assets") or []]
    critiques = [Critique.model_validate(c) for c in state.get("critiques") or []]
    chosen = best_assets(assets, critiques)
    if instruction.book_op:
        from chatdit.agents.book_ops import finish_book_op

        generic = reply_text(instruction, chosen, critiques, state.get("round", 0) + 1, facts)
        return finish_book_op(state, instruction, chosen, generic)
    book = updated_book(instruction, chosen, {int(p): PageEntry.model_validate(e) for p, e in (state.get("book") or {}).items()})
    known = {n: CharacterCard.model_validate(c) for n, c in (state.get("cards") or {}).items()}
    cards = updated_cards(instruction, known, chosen)
    last = chosen[-1] if chosen else None
    return {
        "book": {str(p): e.model_dump(mode="json") for p, e in book.items()},
        "cards": {n: c.model_dump(mode="json") for n, c in cards.items()},
        "last": last_output(instruction, last, book, state.get("last")) if last else state.get("last"),
        "reply": reply_text(instruction, chosen, critiques, state.get("round", 0) + 1, facts),
        "turn_count": state.get("turn_count", 0) + 1,
    }
