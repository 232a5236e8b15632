"""The book as one HTML file a person can open anywhere, offline: the cover, every page with its
picture (inlined) and text, the end; arrow keys turn the pages."""

from __future__ import annotations

import base64
import html

from chatdit.book.pdf import pictures_made_by
from chatdit.book.pictures import enlarged, jpeg, open_picture
from chatdit.book.spec import Book, BookOptions, BookPage

SIDE = 900
"""Pixels of each inlined picture's longer side (Lanczos-enlarged from the model's size)."""

STYLE = """
:root{--paper:#fffdf8;--ink:#2a2421;--desk:#efe7da}
*{box-sizing:border-box}html{scroll-snap-type:y proximity;scroll-behavior:smooth}
body{margin:0;background:var(--desk);color:var(--ink);font-family:Georgia,"DejaVu Serif","Noto Serif",serif}
.sheet{scroll-snap-align:center;max-width:720px;margin:32px auto;padding:40px 44px 28px;background:var(--paper);
border-radius:10px;box-shadow:0 2px 14px rgba(60,40,20,.16)}
.cover{text-align:center;background:var(--tint)}
h1{font-size:2.6em;margin:.1em 0 .6em;line-height:1.15}.author{font-size:1.25em;margin:.8em 0 0;font-style:italic}
img{display:block;width:100%;height:auto;border-radius:6px}
p.text{font-size:1.5em;line-height:1.5;text-align:center;margin:1.1em .3em .4em;white-space:pre-line}
.number{text-align:center;color:#8a7f76;font-size:.9em;margin-top:1em}
.end{text-align:center}.end h2{font-size:2.2em;margin:.4em 0}.end p{color:#6d635b;font-size:.95em}
nav{position:fixed;right:16px;bottom:16px;color:#8a7f76;font:13px sans-serif}
@media print{body{background:#fff}.sheet{box-shadow:none;page-break-after:always;margin:0 auto}nav{display:none}}
"""

SCRIPT = """
document.addEventListener('keydown', e => {
  const sheets = [...document.querySelectorAll('.sheet')];
  const now = sheets.findIndex(s => s.getBoundingClientRect().bottom > window.innerHeight / 2);
  const step = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1}[e.key];
  if (step === undefined) return;
  e.preventDefault();
  sheets[Math.max(0, Math.min(sheets.length - 1, now + step))].scrollIntoView({block: 'center'});
});
"""


def data_uri(page: BookPage) -> str:
    picture = enlarged(open_picture(page.image_path, page.number), SIDE)
    return "data:image/jpeg;base64," + base64.b64encode(jpeg(picture, quality=90)).decode()


def page_section(page: BookPage, picture: str) -> str:
    text = f'<p class="text">{html.escape(page.text)}</p>' if page.text else ""
    return (f'<section class="sheet" id="page-{page.number}"><img src="{picture}" alt="page {page.number}">'
            f'{text}<div class="number">{page.number}</div></section>')


def render_html(book: Book, options: BookOptions) -> bytes:
    from chatdit.book.pdf import cover_tint

    pictures = {page.number: data_uri(page) for page in book.pages}
    first = book.pages[0]
    tint = "rgb({},{},{})".format(*(round(c * 255) for c in cover_tint(open_picture(first.image_path, first.number))))
    title = html.escape(book.title)
    author = f'<p class="author">by {html.escape(book.author)}</p>' if book.author else ""
    made = html.escape(pictures_made_by(book))
    pages = "\n".join(page_section(page, pictures[page.number]) for page in book.pages)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="chatdit">{f'<meta name="author" content="{html.escape(book.author)}">' if book.author else ''}
<title>{title}</title><style>{STYLE}</style></head>
<body>
<section class="sheet cover" style="--tint:{tint}"><h1>{title}</h1><img src="{pictures[first.number]}" alt="cover">{author}</section>
{pages}
<section class="sheet end"><h2>The End</h2><p>{title}{f' by {html.escape(book.author)}' if book.author else ''}<br>
Made with chatdit. Pictures: {made}.</p></section>
<nav>← → turn the pages</nav>
<script>{SCRIPT}</script>
</body></html>
""".encode()
