"""Pictures at print size: read once, enlarged with a Lanczos filter when the model drew them
smaller than the page needs (never nearest-neighbour), kept at their native size otherwise."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from chatdit.errors import ChatditError

PRINT_DPI = 200
"""Pixels per inch a picture is enlarged to (at least 150 is print quality for a picture book)."""


def open_picture(path: Path, number: int) -> Image.Image:
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (OSError, ValueError) as exc:
        raise ChatditError(f"page {number}'s picture {path} cannot be read: {exc}; redo the page") from exc


def enlarged(image: Image.Image, side_px: int) -> Image.Image:
    """The picture with its longer side at least `side_px` (Lanczos), or as it is if already larger."""
    longest = max(image.size)
    if longest >= side_px:
        return image
    scale = side_px / longest
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)


def print_size(image: Image.Image, inches: float) -> Image.Image:
    """The picture for a place `inches` wide on paper, at PRINT_DPI."""
    return enlarged(image, round(inches * PRINT_DPI))


def jpeg(image: Image.Image, quality: int = 92) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, subsampling=0, optimize=True)
    return buffer.getvalue()
