"""Export a book: the file name's suffix picks the format; the file is rendered in memory and
written atomically, readable by others like any file a person saves (0644 under the usual umask)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from chatdit.book.spec import Book, BookOptions
from chatdit.errors import ChatditError
from chatdit.files import write_atomic
from chatdit.schema import Asset

if TYPE_CHECKING:
    from chatdit.session import Session

Renderer = Callable[[Book, BookOptions], bytes]


def renderers() -> dict[str, Renderer]:
    from chatdit.book.html import render_html
    from chatdit.book.pdf import render_pdf
    from chatdit.book.slideshow import render_gif, render_mp4

    return {".pdf": render_pdf, ".html": render_html, ".gif": render_gif, ".mp4": render_mp4}


FORMATS = (".pdf", ".html", ".gif", ".mp4")


def export_book(book: Book, path: Path, options: BookOptions | None = None) -> Path:
    """Write the book to `path` in the format its suffix names."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ChatditError(f"cannot export to {path.name!r}: use a name ending in {', '.join(FORMATS)}")
    if not book.pages:
        raise ChatditError("the book has no pages to export yet")
    ordered = book.model_copy(update={"pages": sorted(book.pages, key=lambda p: p.number)})
    data = renderers()[suffix](ordered, options or BookOptions())
    try:
        write_atomic(path, data, mode=0o666)
    except OSError as exc:
        raise ChatditError(f"cannot write {path}: {exc.strerror or exc}; pick a folder you can write to") from exc
    return path


def session_book(session: Session, **options: Any) -> tuple[Book, BookOptions]:
    """The session's book as it stands (or the last turn's pictures when it has no book), and how
    to print it: the session's book_* settings with `options` (page_size, layout, bleed, author)
    on top."""
    from chatdit.book.spec import BookPage
    from chatdit.errors import SessionError, SettingsError

    unknown = set(options) - {"page_size", "layout", "bleed", "author"}
    if unknown:
        raise SettingsError(f"unknown export option(s) {', '.join(sorted(unknown))}; use page_size, layout, bleed or author")
    settings = session.settings
    entries = {n: (e.asset_id, e.text) for n, e in session.pages().items()}
    if not entries:
        last = session.history()[-1].assets if session.history() else []
        entries = {i: (a.id, None) for i, a in enumerate((a for a in last if a.kind == "image"), start=1)}
    if not entries:
        raise SessionError("nothing to export yet: make some pictures first")
    assets = session.assets()
    pages = [BookPage(number=n, image_path=session.store.asset_path(assets[asset_id]), text=text,
                      provenance=provenance(assets[asset_id])) for n, (asset_id, text) in sorted(entries.items())]
    author = options.get("author", settings.book_author)
    try:
        chosen = BookOptions(page_size=options.get("page_size", settings.book_page_size),
                             layout=options.get("layout", settings.book_layout), bleed=options.get("bleed", settings.book_bleed))
    except ValidationError as exc:
        raise SettingsError(f"invalid export option ({exc.errors()[0]['msg']}); page_size is a4, letter or square, "
                            "layout under, over or facing") from exc
    return Book(title=session.title, author=author or None, pages=pages), chosen


def provenance(asset: Asset) -> str:
    """'chatdit-nano, seed 7919, 16 steps, asset 37f7ea23d3f5cdc3': how a picture was made."""
    model = {"nano": "chatdit-nano", "tiny": "chatdit-tiny (random weights)"}.get(asset.model or "", asset.model or "unknown model")
    parts = [model] + ([f"seed {asset.seed}"] if asset.seed is not None else []) + \
        ([f"{asset.steps} steps"] if asset.steps else []) + [f"asset {asset.id}"]
    return ", ".join(parts)
