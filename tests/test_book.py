"""The exported book: a PDF whose text a PDF reader gets back letter for letter in every script,
print options, the HTML reader, the slideshows, and the files' permissions."""

import os
import re
import unicodedata

import pytest
from PIL import Image
from pypdf import PdfReader

from chatdit.book.export import export_book
from chatdit.book.pictures import enlarged
from chatdit.book.spec import Book, BookOptions, BookPage
from chatdit.errors import BookTextError, ChatditError

TEXTS = {
    1: "Der kleine Fuchs schaut in die Abendsonne – und träumt von großen Reisen.",
    2: "Ночью лисёнок смотрит на луну и считает звёзды.",
    3: "Η μικρή αλεπού βλέπει δύο βάρκες στη θάλασσα.",
    4: "Żółć, façade, naïve, øre: “quotes” and an em dash — too.",
}


def flat(text: str) -> str:
    """Text as a reader sees it: the same letters, line breaks and runs of spaces as one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pdf_texts(path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(path).pages]


@pytest.fixture
def book(tmp_path) -> Book:
    pages = []
    for number, color in zip(TEXTS, ("orange", "navy", "teal", "white")):
        path = tmp_path / f"p{number}.png"
        picture = Image.new("RGB", (64, 64), color)
        picture.paste((200, 60, 20), (20, 36, 44, 52))
        picture.save(path)
        pages.append(BookPage(number=number, image_path=path, text=TEXTS[number], provenance=f"chatdit-nano, seed {number}"))
    return Book(title="The Little Orange Fox", author="Anna Müller", pages=pages)


def test_pdf_text_is_set_in_an_embedded_font_and_read_back_letter_for_letter(book, tmp_path):
    path = export_book(book, tmp_path / "book.pdf")
    texts = pdf_texts(path)
    assert len(texts) == 1 + 4 + 1  # cover, four pages, the end
    assert "The Little Orange Fox" in texts[0] and "Anna Müller" in texts[0]
    for number, text in TEXTS.items():
        assert flat(text) in texts[number]
    assert "The End" in texts[-1]
    reader = PdfReader(path)
    assert reader.metadata.title == "The Little Orange Fox" and reader.metadata.author == "Anna Müller"
    assert reader.metadata.creator == "chatdit" and "page 3: chatdit-nano, seed 3" in reader.metadata["/Keywords"]
    fonts = {font["/BaseFont"]: font for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and all(f["/FontDescriptor"].get("/FontFile2") for f in (v.get_object() for v in fonts.values()))
    assert all("DejaVuSerif" in name for name in fonts)  # no unembedded Helvetica either


def test_a_character_the_font_lacks_is_named_instead_of_printed_as_a_box(book, tmp_path):
    book.pages[1].text = "The fox says 你好 🦊"
    with pytest.raises(BookTextError, match=r"page 2's text has '你' \(cjk unified ideograph-4f60\)"):
        export_book(book, tmp_path / "book.pdf")
    assert not list(tmp_path.glob("book.pdf*")) and not list(tmp_path.glob(".book*"))


@pytest.mark.parametrize("size, bleed, expected", [("a4", False, (595.28, 841.89)), ("letter", False, (612, 792)),
                                                   ("square", True, (630, 630))])
def test_page_sizes_and_bleed_set_the_media_and_trim_boxes(book, tmp_path, size, bleed, expected):
    path = export_book(book, tmp_path / "book.pdf", BookOptions(page_size=size, bleed=bleed))
    page = PdfReader(path).pages[1]
    assert [round(float(v), 2) for v in page.mediabox[2:]] == [round(v, 2) for v in expected]
    if bleed:
        assert [float(v) for v in page.trimbox] == [9, 9, 621, 621]


def test_layouts_under_over_and_facing(book, tmp_path):
    over = pdf_texts(export_book(book, tmp_path / "over.pdf", BookOptions(layout="over")))
    assert len(over) == 6 and flat(TEXTS[2]) in over[2]
    facing = pdf_texts(export_book(book, tmp_path / "facing.pdf", BookOptions(layout="facing")))
    assert len(facing) == 1 + 2 * 4 + 1  # each story page is a spread: text left, picture right
    assert flat(TEXTS[3]) in facing[5] and facing[6] == ""


def test_pictures_are_enlarged_with_a_smooth_filter_not_nearest_neighbour(book, tmp_path):
    checker = Image.new("RGB", (8, 8), "black")
    checker.paste("white", (0, 0, 4, 8))
    big = enlarged(checker, 64)
    assert big.size == (64, 64) and len(big.getcolors(maxcolors=1 << 16)) > 2  # nearest-neighbour would keep two colors
    assert enlarged(Image.new("RGB", (900, 600)), 512).size == (900, 600)  # large pictures stay native
    image = PdfReader(export_book(book, tmp_path / "book.pdf")).pages[1].images[0]
    assert image.image.width >= 1000  # a 64 px page printed about 7 in wide at 200 dpi, not 64 px


def test_exports_are_atomic_and_readable_by_others_through_the_umask(book, tmp_path):
    previous = os.umask(0o022)
    try:
        shared = export_book(book, tmp_path / "shared.html")
        os.umask(0o077)
        private = export_book(book, tmp_path / "private.html")
    finally:
        os.umask(previous)
    assert shared.stat().st_mode & 0o777 == 0o644 and private.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(ChatditError, match="ending in .pdf, .html, .gif, .mp4"):
        export_book(book, tmp_path / "book.docx")


def test_html_is_one_offline_file_with_the_title_texts_and_pictures(book, tmp_path):
    book.pages[0].text = "Fox & <b>friends</b>"
    page = export_book(book, tmp_path / "book.html").read_text(encoding="utf-8")
    assert "<title>The Little Orange Fox</title>" in page and "Fox &amp; &lt;b&gt;friends&lt;/b&gt;" in page
    assert all(flat(TEXTS[n]) in page for n in (2, 3, 4))
    assert page.count('src="data:image/jpeg;base64,') == 5 and "http" not in page.replace('"http-equiv', "")


def test_gif_and_mp4_show_a_title_each_page_with_its_caption_and_the_end(book, tmp_path):
    with Image.open(export_book(book, tmp_path / "book.gif")) as gif:
        assert gif.n_frames == 6
        gif.seek(2)
        caption = gif.convert("RGB").crop((0, 512, 512, 640))
        assert len(caption.getcolors(maxcolors=1 << 16)) > 4  # the text is drawn in the caption band
    import imageio.v2 as imageio

    with imageio.get_reader(export_book(book, tmp_path / "book.mp4")) as video:
        frames = [frame for frame in video]
        assert video.get_meta_data()["fps"] == 4
    assert len(frames) == 6 * 12 and frames[0].shape == (640, 512, 3)  # six frames, three seconds each
