"""Picture-book export: the session's pages as a PDF (one sheet per page with its text), a
self-contained HTML page, or an animated GIF.

Every format is rendered in memory and written atomically, so an interrupted export never
leaves half a file where the previous one was.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pydantic import BaseModel, Field

from chatdit.errors import ChatditError
from chatdit.store import write_atomic

SHEET = (1200, 1500)
"""PDF sheet in pixels at 150 dpi (8 x 10 in): room for a large picture and a few lines of text."""
MARGIN = 80
GIF_SIDE = 512
FORMATS = (".pdf", ".html", ".gif")


class BookPage(BaseModel):
    number: int = Field(ge=1)
    image_path: Path
    text: str | None = None


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _picture(page: BookPage, side: int) -> Image.Image:
    """The page's picture scaled to `side` (nearest-neighbour when enlarging tiny model output,
    so 64 px pages stay crisp instead of blurred)."""
    try:
        with Image.open(page.image_path) as image:
            image = image.convert("RGB")
    except (OSError, ValueError) as exc:
        raise ChatditError(f"page {page.number}'s picture {page.image_path} cannot be read: {exc}") from exc
    scale = side / max(image.size)
    resample = Image.Resampling.NEAREST if scale >= 4 else Image.Resampling.LANCZOS
    return image.resize((round(image.width * scale), round(image.height * scale)), resample)


def _sheet(page: BookPage, title: str | None) -> Image.Image:
    sheet = Image.new("RGB", SHEET, "white")
    draw = ImageDraw.Draw(sheet)
    picture = _picture(page, SHEET[0] - 2 * MARGIN)
    sheet.paste(picture, ((SHEET[0] - picture.width) // 2, MARGIN))
    y = MARGIN + picture.height + 50
    for line in textwrap.wrap(page.text or "", width=44)[:8]:
        draw.text((MARGIN, y), line, fill="black", font=_font(40))
        y += 52
    footer = f"{title} - {page.number}" if title else str(page.number)
    draw.text((SHEET[0] // 2, SHEET[1] - MARGIN // 2), footer, fill="gray", font=_font(28), anchor="ms")
    return sheet


def _title_sheet(title: str) -> Image.Image:
    sheet = Image.new("RGB", SHEET, "white")
    draw = ImageDraw.Draw(sheet)
    y = SHEET[1] // 3
    for line in textwrap.wrap(title, width=24)[:4]:
        draw.text((SHEET[0] // 2, y), line, fill="black", font=_font(72), anchor="ms")
        y += 90
    return sheet


def render_pdf(pages: list[BookPage], title: str | None) -> bytes:
    sheets = ([_title_sheet(title)] if title else []) + [_sheet(page, title) for page in pages]
    buffer = io.BytesIO()
    sheets[0].save(buffer, "PDF", save_all=True, append_images=sheets[1:], resolution=150.0,
                   title=title or "chatdit picture book", creator="chatdit")
    return buffer.getvalue()


def render_html(pages: list[BookPage], title: str | None) -> bytes:
    heading = html.escape(title or "Picture book")
    sections = []
    for page in pages:
        buffer = io.BytesIO()
        _picture(page, 768).save(buffer, "PNG")
        data = base64.b64encode(buffer.getvalue()).decode()
        text = f"<p>{html.escape(page.text)}</p>" if page.text else ""
        sections.append(f'<section><img src="data:image/png;base64,{data}" alt="page {page.number}">'
                        f"{text}<footer>{page.number}</footer></section>")
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{heading}</title>
<style>body{{font-family:Georgia,serif;max-width:820px;margin:auto;padding:2em}}
section{{margin:3em 0;page-break-after:always}}img{{width:100%;image-rendering:pixelated;border-radius:6px}}
p{{font-size:1.4em;line-height:1.5}}footer{{text-align:center;color:#888}}</style></head>
<body><h1>{heading}</h1>
{chr(10).join(sections)}
</body></html>
"""
    return document.encode()


def render_gif(pages: list[BookPage], title: str | None) -> bytes:
    frames = []
    for page in pages:
        picture = _picture(page, GIF_SIDE)
        frame = Image.new("RGB", (GIF_SIDE, GIF_SIDE + 64), "white")
        frame.paste(picture, ((GIF_SIDE - picture.width) // 2, 0))
        caption = textwrap.shorten(page.text or f"page {page.number}", width=48, placeholder="...")
        ImageDraw.Draw(frame).text((GIF_SIDE // 2, GIF_SIDE + 40), caption, fill="black", font=_font(22), anchor="ms")
        frames.append(frame)
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=1500, loop=0, comment=(title or "").encode())
    return buffer.getvalue()


RENDERERS = {".pdf": render_pdf, ".html": render_html, ".gif": render_gif}


def export_book(pages: list[BookPage], path: Path, title: str | None = None) -> Path:
    """Write the pages to `path`; the suffix picks the format."""
    suffix = path.suffix.lower()
    if suffix not in RENDERERS:
        raise ChatditError(f"cannot export to {path.name!r}: use a name ending in {', '.join(FORMATS)}")
    if not pages:
        raise ChatditError("the book has no pages to export yet")
    try:
        write_atomic(path, RENDERERS[suffix](sorted(pages, key=lambda p: p.number), title))
    except OSError as exc:
        raise ChatditError(f"cannot write {path}: {exc.strerror or exc}; pick a folder you can write to") from exc
    return path
