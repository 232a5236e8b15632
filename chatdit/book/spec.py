"""What an export is made of: the book (title, author, pages) and how it is printed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

PageSize = Literal["a4", "letter", "square"]
TextLayout = Literal["under", "over", "facing"]

POINTS_PER_INCH = 72.0
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a4": (595.28, 841.89),
    "letter": (612.0, 792.0),
    "square": (612.0, 612.0),  # 8.5 x 8.5 in, a common print-on-demand picture-book trim
}
BLEED = 0.125 * POINTS_PER_INCH
"""The printers' usual bleed: pictures run 1/8 in past the trim on every side."""


class BookPage(BaseModel):
    number: int = Field(ge=1)
    image_path: Path
    text: str | None = None
    provenance: str = Field(default="", description="how the picture was made: model, seed, steps")


class Book(BaseModel):
    title: str
    author: str | None = None
    pages: list[BookPage]


class BookOptions(BaseModel):
    """How the book is printed; defaults come from the session's settings (book_*)."""

    page_size: PageSize = "a4"
    layout: TextLayout = "under"
    bleed: bool = False

    def trim(self) -> tuple[float, float]:
        """The finished page in points, without bleed."""
        return PAGE_SIZES[self.page_size]

    def bleed_points(self) -> float:
        return BLEED if self.bleed else 0.0
