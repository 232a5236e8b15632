"""Panel canvases: a row of equal panels that one DiT call draws jointly, and back again.

Group generation and reference/fill both work on a left-to-right row; keeping the geometry in
one place means the mask, the crop and the caption's panel order can never disagree.
"""

from __future__ import annotations

from PIL import Image, ImageOps


def panel_boxes(count: int, width: int, height: int) -> list[tuple[int, int, int, int]]:
    return [(i * width, 0, (i + 1) * width, height) for i in range(count)]


def split_panels(canvas: Image.Image, count: int) -> list[Image.Image]:
    width = canvas.width // count
    return [canvas.crop(box) for box in panel_boxes(count, width, canvas.height)]


def fit_panel(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale and centre-crop a picture to fill one panel (references come in any size)."""
    return ImageOps.fit(image.convert("RGB"), (width, height), Image.Resampling.LANCZOS)


def known_and_mask(known: list[Image.Image], generated: int, width: int, height: int) -> tuple[Image.Image, Image.Image]:
    """The canvas with the known panels first (the rest grey) and a mask white where panels are drawn."""
    count = len(known) + generated
    canvas = Image.new("RGB", (count * width, height), (127, 127, 127))
    mask = Image.new("L", canvas.size, 0)
    for box, image in zip(panel_boxes(count, width, height), known):
        canvas.paste(fit_panel(image, width, height), box[:2])
    for box in panel_boxes(count, width, height)[len(known):]:
        mask.paste(255, box)
    return canvas, mask
