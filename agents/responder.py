"""Close a turn: keep the best attempt per output, update the book and the character cards, and
write the reply a person reads."""

from __future__ import annotations

from typing import Any

from chatdit.agents.planner import cards_for, pages_of
from chatdit.critics.base import failing_checks
from chatdit.schema import Asset, CharacterCard, Critique, Instruction, PageEntry, Plan

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
        result[asset.page] = PageEntry(asset_id=asset.id, prompt=asset.prompt or "", text=text)
    return result


def updated_cards(instruction: Instruction, known: dict[str, CharacterCard], chosen: list[Asset]) -> dict[str, CharacterCard]:
    """Cards gain the picture that first showed their character, and keep it afterwards."""
    cards = cards_for(instruction, known)
    for name, card in cards.items():
        if card.asset_id:
            continue
        showing = [a for a in chosen if a.page and name.lower() in (a.prompt or "").lower()] or [a for a in chosen if a.page]
        if showing:
            cards[name] = card.model_copy(update={"asset_id": showing[0].id, "page": showing[0].page})
    return cards


def failing_summary(critique: Critique, page: int | None) -> str:
    """'page 2: fox: red, bird: present' (the full feedback is on each critique)."""
    names = [c.name for c in failing_checks(critique.checks)]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{f'page {page}' if page else 'output'}: {shown}"


def reply_text(instruction: Instruction, plan: Plan, chosen: list[Asset], critiques: list[Critique], rounds: int) -> str:
    pages = [a.page for a in chosen if a.page]
    if instruction.targets:
        what = "Redid " + (", ".join(f"page {p}" for p in pages) if pages else "the picture")
    elif pages:
        noun = {"book": "page", "storyboard": "shot"}.get(instruction.collection, "picture")
        what = f"Made {len(pages)} {noun}{'s' if len(pages) != 1 else ''}"
    else:
        noun = "video" if chosen and all(a.kind == "video" for a in chosen) else "picture"
        what = f"Made {len(chosen)} {noun}{'s' if len(chosen) != 1 else ''}"
    judged = [c for c in critiques if c.asset_id in {a.id for a in chosen}]
    page_of = {a.id: a.page or 0 for a in chosen}
    failed = sorted((c for c in judged if c.verdict == "fail"), key=lambda c: page_of.get(c.asset_id, 0))
    unchecked = [c for c in judged if c.verdict == "unchecked"]
    if failed:
        verdict = f"{len(failed)} output(s) still fail the critic: " + "; ".join(
            failing_summary(c, page_of.get(c.asset_id)) for c in failed[:4]) + ("; ..." if len(failed) > 4 else "")
        if unchecked:
            verdict += f"; it could not check {len(unchecked)} other(s)"
    elif unchecked:
        verdict = f"nothing failed, but the critic could not check what {len(unchecked)} of them show"
    elif missed := sorted((c for c in judged if failing_checks(c.checks)), key=lambda c: page_of.get(c.asset_id, 0)):
        verdict = "passed the critic's threshold, short of " + "; ".join(failing_summary(c, page_of.get(c.asset_id)) for c in missed[:4])
    else:
        verdict = "every check passed"
    tries = f" after {rounds} rounds" if rounds > 1 else ""
    return f"{what}{tries}; {verdict}."


def finish_turn(state: dict[str, Any]) -> dict[str, Any]:
    instruction = Instruction.model_validate(state["instruction"])
    assets = [Asset.model_validate(a) for a in state.get("assets") or []]
    critiques = [Critique.model_validate(c) for c in state.get("critiques") or []]
    chosen = best_assets(assets, critiques)
    book = updated_book(instruction, chosen, {int(p): PageEntry.model_validate(e) for p, e in (state.get("book") or {}).items()})
    known = {n: CharacterCard.model_validate(c) for n, c in (state.get("cards") or {}).items()}
    cards = updated_cards(instruction, known, chosen)
    last = chosen[-1] if chosen else None
    return {
        "book": {str(p): e.model_dump(mode="json") for p, e in book.items()},
        "cards": {n: c.model_dump(mode="json") for n, c in cards.items()},
        "last": {"asset_id": last.id, "prompt": last.prompt or "", "page": last.page} if last else state.get("last"),
        "reply": reply_text(instruction, Plan.model_validate(state["plan"]), chosen, critiques, state.get("round", 0) + 1),
        "turn_count": state.get("turn_count", 0) + 1,
    }
