"""The book as a slideshow (animated GIF, or MP4 through imageio-ffmpeg): a title frame, one
frame per page with its text as a caption set in the book's font, and an end frame."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from chatdit.book import fonts
from chatdit.book.pdf import cover_tint
from chatdit.book.pictures import enlarged, open_picture
from chatdit.book.spec import Book, BookOptions, BookPage
from chatdit.errors import BookTextError

WIDTH, CAPTION = 512, 128
"""Frame width (the picture is square above the caption) and the caption band's height: both
multiples of 16, as video encoders want."""
INK, PAPER = (42, 36, 33), (255, 253, 248)
SECONDS = 3.0
FPS = 4


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.BOLD if bold else fonts.REGULAR), size)


def wrapped(text: str, width: int, height: int, sizes: tuple[int, ...], bold: bool = False) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """The text broken into lines that fit `width`, at the largest size whose lines fit `height`."""
    for size in sizes:
        face = font(size, bold)
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line = ""
            for word in paragraph.split():
                candidate = f"{line} {word}".strip()
                if face.getlength(candidate) <= width or not line:
                    line = candidate
                else:
                    lines.append(line)
                    line = word
            lines.append(line)
        if len(lines) * size * 1.3 <= height and all(face.getlength(line) <= width for line in lines):
            return lines, face
    raise BookTextError(f"{text[:40]!r}... is too long for a slideshow caption; shorten it")


def draw_lines(draw: ImageDraw.ImageDraw, lines: list[str], face: ImageFont.FreeTypeFont, top: int, height: int,
               fill=INK) -> None:
    """Lines centred horizontally and vertically in the band from `top`, `height` high."""
    step = face.size * 1.3
    y = top + (height - step * len(lines)) / 2 + step / 2
    for line in lines:
        draw.text((WIDTH / 2, y), line, font=face, fill=fill, anchor="mm")
        y += step


def page_frame(page: BookPage) -> Image.Image:
    frame = Image.new("RGB", (WIDTH, WIDTH + CAPTION), PAPER)
    picture = enlarged(open_picture(page.image_path, page.number), WIDTH)
    picture.thumbnail((WIDTH, WIDTH), Image.Resampling.LANCZOS)
    frame.paste(picture, ((WIDTH - picture.width) // 2, (WIDTH - picture.height) // 2))
    if page.text:
        lines, face = wrapped(page.text, WIDTH - 40, CAPTION - 16, (24, 22, 20, 18, 16, 14, 12))
        draw_lines(ImageDraw.Draw(frame), lines, face, WIDTH, CAPTION)
    return frame


def title_frame(book: Book) -> Image.Image:
    first = book.pages[0]
    cover = open_picture(first.image_path, first.number)
    frame = Image.new("RGB", (WIDTH, WIDTH + CAPTION), tuple(round(c * 255) for c in cover_tint(cover)))
    draw = ImageDraw.Draw(frame)
    lines, face = wrapped(book.title, WIDTH - 48, 150, (44, 40, 36, 32, 28, 24), bold=True)
    draw_lines(draw, lines, face, 16, 150)
    picture = enlarged(cover, 360)
    picture.thumbnail((360, 360), Image.Resampling.LANCZOS)
    frame.paste(picture, ((WIDTH - picture.width) // 2, 180))
    if book.author:
        lines, face = wrapped(f"by {book.author}", WIDTH - 48, 60, (22, 20, 18, 16))
        draw_lines(draw, lines, face, 560, 60)
    return frame


def end_frame() -> Image.Image:
    frame = Image.new("RGB", (WIDTH, WIDTH + CAPTION), PAPER)
    draw_lines(ImageDraw.Draw(frame), ["The End"], font(48, bold=True), 0, WIDTH + CAPTION)
    return frame


def frames(book: Book) -> list[Image.Image]:
    fonts.check_printable(book)
    return [title_frame(book), *(page_frame(page) for page in book.pages), end_frame()]


def render_gif(book: Book, options: BookOptions) -> bytes:
    shown = frames(book)
    buffer = io.BytesIO()
    shown[0].save(buffer, "GIF", save_all=True, append_images=shown[1:], duration=int(SECONDS * 1000), loop=0,
                  comment=book.title.encode("utf-8"))
    return buffer.getvalue()


def render_mp4(book: Book, options: BookOptions) -> bytes:
    import imageio.v2 as imageio
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="chatdit-mp4-") as folder:
        target = Path(folder) / "book.mp4"
        with imageio.get_writer(target, fps=FPS, codec="libx264", quality=8, macro_block_size=16) as writer:
            for frame in frames(book):
                pixels = np.asarray(frame)
                for _ in range(int(SECONDS * FPS)):
                    writer.append_data(pixels)
        return target.read_bytes()
