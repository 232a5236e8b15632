"""What the pictures of a session look like in the UI: page views built from a Session.

Called from worker threads (reading the book state touches the checkpoint database).
"""

from __future__ import annotations

from chatdit.schema import Turn
from chatdit.session import Session
from chatdit.tui.widgets.pages import PageView


def book_texts(session: Session) -> dict[int, str]:
    """Page number -> page text of the book as it stands now."""
    return {number: entry.text or "" for number, entry in session.pages().items()}


def turn_pages(session: Session, turn: Turn, texts: dict[int, str] | None = None) -> list[PageView]:
    """The turn's output pictures, each with its page number and the text asked for it; after a
    book operation (pages added, removed, moved), the whole book as that turn left it."""
    if turn.instruction and turn.instruction.book_op and turn.status == "done":
        return whole_book(session, after=turn.id)
    asked = {p.number: p.text or "" for p in turn.instruction.pages} if turn.instruction else {}
    texts = texts if texts is not None else (book_texts(session) if any(a.page for a in turn.assets) else {})
    views = []
    for asset in turn.assets:
        if asset.kind != "image":
            continue
        heading = f"page {asset.page}" if asset.page else "image"
        text = asked.get(asset.page) or texts.get(asset.page, "") if asset.page else ""
        views.append(PageView(session.asset_path(asset), heading, text))
    return views


def whole_book(session: Session, after: str | None = None) -> list[PageView]:
    """Every page of the current book (or of the book right after the turn `after`) in order."""
    pages = session.pages(after)
    return [PageView(session.asset_path(asset), f"page {number}", pages[number].text or "")
            for number, asset in session.book(after).items()]
