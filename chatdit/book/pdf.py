"""The printed book as a PDF (reportlab): a cover with the title and a picture, the story pages
with their text set in the embedded font (selectable, searchable), an end page with how the
pictures were made, and the document's metadata.

Layouts: the text under the picture (default), over the picture in a box, or on the facing page
(each story page becomes a spread: text on the left, picture on the right). With bleed, every
page is 1/8 in larger on each side and pictures that touch the edge run into it; the TrimBox
says where the printer cuts.
"""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from PIL import Image, ImageStat
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from chatdit.book import fonts
from chatdit.book.pictures import jpeg, open_picture, print_size
from chatdit.book.spec import POINTS_PER_INCH, Book, BookOptions, BookPage
from chatdit.errors import BookTextError

MARGIN = 0.6 * POINTS_PER_INCH
MIN_TEXT_HEIGHT = 130.0
INK = (0.16, 0.14, 0.13)
TEXT_SIZES = (26, 24, 22, 20, 18, 16, 14, 13, 12, 11, 10, 9, 8)
REGULAR, BOLD = "chatdit-DejaVuSerif", "chatdit-DejaVuSerif-Bold"


def register_fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(fonts.REGULAR)))
        pdfmetrics.registerFont(TTFont(BOLD, str(fonts.BOLD)))


def style(size: float, bold: bool = False) -> ParagraphStyle:
    return ParagraphStyle("book", fontName=BOLD if bold else REGULAR, fontSize=size, leading=size * 1.35,
                          alignment=TA_CENTER, textColor=INK)


def fitted(text: str, width: float, height: float, sizes: tuple[int, ...] = TEXT_SIZES, bold: bool = False,
           where: str = "") -> Paragraph:
    """The text as a paragraph at the largest size that fits the box; BookTextError if none does."""
    markup = escape(text).replace("\n", "<br/>")
    for size in sizes:
        paragraph = Paragraph(markup, style(size, bold))
        if paragraph.wrap(width, height)[1] <= height:
            return paragraph
    raise BookTextError(f"{where or 'a text'} is too long to fit its page even at {sizes[-1]} pt; shorten it")


def draw_paragraph(canvas: Canvas, paragraph: Paragraph, x: float, top: float, width: float, height: float,
                   centred: bool = True) -> None:
    """Draw a fitted paragraph in the box whose top edge is at `top`: centred vertically, or from the top."""
    _, used = paragraph.wrap(width, height)
    paragraph.drawOn(canvas, x, top - ((height - used) / 2 if centred else 0) - used)


class PdfBook:
    """One book being drawn; pages are added in reading order."""

    def __init__(self, book: Book, options: BookOptions):
        register_fonts()
        self.book, self.options = book, options
        self.width, self.height = options.trim()
        self.bleed = options.bleed_points()
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=(self.width + 2 * self.bleed, self.height + 2 * self.bleed),
                             initialFontName=REGULAR)  # no unembedded Helvetica in a print file
        self.pictures: dict[int, Image.Image] = {}
        self.started = False

    def new_page(self, background: tuple[float, float, float] = (1, 1, 1)) -> Canvas:
        """A fresh page whose coordinates are the trimmed page's (bleed lies below 0 and above the size)."""
        canvas = self.canvas
        if self.started:
            canvas.showPage()
        self.started = True
        b = self.bleed
        if b:
            canvas.setTrimBox((b, b, self.width + b, self.height + b))
            canvas.setBleedBox((0, 0, self.width + 2 * b, self.height + 2 * b))
        canvas.translate(b, b)
        canvas.setFillColorRGB(*background)
        canvas.rect(-b, -b, self.width + 2 * b, self.height + 2 * b, stroke=0, fill=1)
        return canvas

    def picture(self, page: BookPage) -> Image.Image:
        if page.number not in self.pictures:
            self.pictures[page.number] = open_picture(page.image_path, page.number)
        return self.pictures[page.number]

    def place(self, page: BookPage, x: float, y: float, width: float, height: float, cover: bool = False) -> None:
        """Draw the page's picture fitted into the box (or covering it, cropped, when `cover`)."""
        image = self.picture(page)
        scale = (max if cover else min)(width / image.width, height / image.height)
        w, h = image.width * scale, image.height * scale
        drawn = print_size(image, max(w, h) / POINTS_PER_INCH)
        canvas = self.canvas
        canvas.saveState()
        if cover:
            clip = canvas.beginPath()
            clip.rect(x, y, width, height)
            canvas.clipPath(clip, stroke=0, fill=0)
        canvas.drawImage(ImageReader(io.BytesIO(jpeg(drawn))), x + (width - w) / 2, y + (height - h) / 2, w, h)
        canvas.restoreState()

    def folio(self, number: int) -> None:
        """The page number, small, at the foot of the page."""
        self.canvas.setFillColorRGB(*INK)
        self.canvas.setFont(REGULAR, 10)
        self.canvas.drawCentredString(self.width / 2, MARGIN / 2, str(number))

    def cover(self) -> None:
        first = self.book.pages[0]
        tint = cover_tint(self.picture(first))
        canvas = self.new_page(tint)
        inner = self.width - 2 * MARGIN
        title = fitted(self.book.title, inner, 150, sizes=(44, 40, 36, 32, 28, 24, 20), bold=True, where="the title")
        draw_paragraph(canvas, title, MARGIN, self.height - MARGIN, inner, 150)
        below = 60 if self.book.author else 0
        side = min(inner, self.height - 2 * MARGIN - 170 - below)
        self.place(first, (self.width - side) / 2, MARGIN + below, side, side)
        if self.book.author:
            author = fitted(self.book.author, inner, 40, sizes=(20, 18, 16, 14), where="the author")
            draw_paragraph(canvas, author, MARGIN, MARGIN + 45, inner, 40)

    def story_page(self, page: BookPage) -> None:
        """One story page in the chosen layout (two pages, a spread, for 'facing')."""
        layout = self.options.layout
        if layout == "facing":
            self.text_page(page)
            self.new_page()
            b = self.bleed
            self.place(page, -b, -b, self.width + 2 * b, self.height + 2 * b, cover=True)
            return
        canvas = self.new_page()
        inner = self.width - 2 * MARGIN
        if layout == "over":
            b = self.bleed
            self.place(page, -b, -b, self.width + 2 * b, self.height + 2 * b, cover=True)
            if page.text:
                self.text_box(page, inner)
            return
        side = min(inner, self.height - 2 * MARGIN - MIN_TEXT_HEIGHT)
        top = self.height - MARGIN
        self.place(page, (self.width - side) / 2, top - side, side, side)
        room = top - side - MARGIN - 44
        if page.text:
            paragraph = fitted(page.text, inner, room, where=f"page {page.number}'s text")
            draw_paragraph(canvas, paragraph, MARGIN, top - side - 28, inner, room, centred=False)
        self.folio(page.number)

    def text_box(self, page: BookPage, inner: float) -> None:
        """The text over the picture in a light rounded box, at the top or the foot of the page,
        whichever covers the quieter part of the picture."""
        pad = 14
        paragraph = fitted(page.text or "", inner - 2 * pad, self.height / 3, where=f"page {page.number}'s text")
        _, used = paragraph.wrap(inner - 2 * pad, self.height / 3)
        y = MARGIN if quieter_half(self.picture(page)) == "bottom" else self.height - MARGIN - used - 2 * pad
        canvas = self.canvas
        canvas.saveState()
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setFillAlpha(0.85)
        canvas.roundRect(MARGIN, y, inner, used + 2 * pad, 12, stroke=0, fill=1)
        canvas.restoreState()
        paragraph.drawOn(canvas, MARGIN + pad, y + pad)

    def text_page(self, page: BookPage) -> None:
        canvas = self.new_page()
        inner = self.width - 2 * MARGIN
        if page.text:
            paragraph = fitted(page.text, inner, self.height - 2 * MARGIN, sizes=(32, 28, *TEXT_SIZES),
                               where=f"page {page.number}'s text")
            draw_paragraph(canvas, paragraph, MARGIN, self.height - MARGIN, inner, self.height - 2 * MARGIN)
        self.folio(page.number)

    def end_page(self) -> None:
        canvas = self.new_page()
        inner = self.width - 2 * MARGIN
        draw_paragraph(canvas, Paragraph("The End", style(36, bold=True)), MARGIN, self.height * 0.62, inner, 60)
        lines = [escape(self.book.title) + (f" by {escape(self.book.author)}" if self.book.author else ""),
                 f"Made with chatdit on {date.today():%d %B %Y}.", "Pictures: " + escape(pictures_made_by(self.book)) + "."]
        colophon = Paragraph("<br/>".join(lines), style(10))
        draw_paragraph(canvas, colophon, MARGIN, MARGIN + 90, inner, 90)

    def finish(self) -> bytes:
        book, canvas = self.book, self.canvas
        canvas.setTitle(book.title)
        if book.author:
            canvas.setAuthor(book.author)
        canvas.setCreator("chatdit")
        canvas.setSubject(f"A picture book made with chatdit; pictures drawn by {pictures_made_by(book)}")
        canvas.setKeywords("; ".join(f"page {p.number}: {p.provenance}" for p in book.pages if p.provenance))
        canvas.showPage()
        canvas.save()
        return self.buffer.getvalue()


def cover_tint(image: Image.Image) -> tuple[float, float, float]:
    """A pale version of the cover picture's average color, for the cover's background."""
    mean = ImageStat.Stat(image.resize((16, 16), Image.Resampling.BOX)).mean
    return tuple(0.78 + 0.22 * (channel / 255) for channel in mean[:3])


def quieter_half(image: Image.Image) -> str:
    """'top' or 'bottom': the quarter of the picture with less going on (lower color spread),
    where a text box hides the least."""
    small = image.resize((32, 32), Image.Resampling.BOX)
    spread = {half: sum(ImageStat.Stat(small.crop(box)).stddev) for half, box in
              (("top", (0, 0, 32, 8)), ("bottom", (0, 24, 32, 32)))}
    return min(spread, key=spread.get)


def pictures_made_by(book: Book) -> str:
    """'chatdit-nano (4 pictures)': the models named in the pages' provenance."""
    models: dict[str, int] = {}
    for page in book.pages:
        model = page.provenance.split(",")[0].strip() or "an unknown model"
        models[model] = models.get(model, 0) + 1
    return ", ".join(f"{m} ({n} picture{'s' if n != 1 else ''})" for m, n in models.items())


def render_pdf(book: Book, options: BookOptions) -> bytes:
    fonts.check_printable(book)
    document = PdfBook(book, options)
    document.cover()
    for page in book.pages:
        document.story_page(page)
    document.end_page()
    return document.finish()
