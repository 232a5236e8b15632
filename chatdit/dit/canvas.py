"""Panel canvases: equal panels that one DiT call draws jointly, in a row or a 2x2 grid, and back.

Group generation and reference/fill both work on one canvas of panels read left to right, top
to bottom; keeping the geometry in one place means the mask, the crop and the caption's panel
order can never disagree. A canvas is kept to what the model draws well: FLUX.1 degrades past
about 2 megapixels and at wide aspect ratios, so four panels go in a 2x2 grid and panels shrink
until the canvas fits (2 pages at 1024², 3 at 832², 4 at 704² in a grid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageOps

SIDE_STEP = 64
"""Shrunk panel sides are multiples of 64 (FLUX.1's latent patches are 16 px; 64 keeps the usual sizes)."""


@dataclass(frozen=True)
class Grid:
    """Where the panels of one canvas sit: cols x rows panels of width x height each."""

    count: int
    cols: int
    rows: int
    width: int
    height: int

    @property
    def size(self) -> tuple[int, int]:
        return self.cols * self.width, self.rows * self.height

    def boxes(self) -> list[tuple[int, int, int, int]]:
        """Panel boxes in reading order (row by row, left to right)."""
        cells = [(index % self.cols, index // self.cols) for index in range(self.count)]
        return [(c * self.width, r * self.height, (c + 1) * self.width, (r + 1) * self.height) for c, r in cells]


def fit_grid(count: int, width: int, height: int, max_pixels: int | None = None, grid: bool = False) -> Grid:
    """The canvas for `count` panels of about width x height: four in a 2x2 grid when the model
    draws grids, else a row; panels shrunk (aspect kept, sides to SIDE_STEP) to fit max_pixels."""
    cols, rows = (2, 2) if grid and count == 4 else (count, 1)
    if max_pixels and cols * rows * width * height > max_pixels:
        scale = math.sqrt(max_pixels / (cols * rows * width * height))
        step = SIDE_STEP if min(width, height) * scale >= SIDE_STEP else 16
        width, height = (max(16, int(side * scale) // step * step) for side in (width, height))
    return Grid(count=count, cols=cols, rows=rows, width=width, height=height)


def row_grid(count: int, width: int, height: int) -> Grid:
    return Grid(count=count, cols=count, rows=1, width=width, height=height)


def panel_boxes(count: int, width: int, height: int) -> list[tuple[int, int, int, int]]:
    return row_grid(count, width, height).boxes()


def split_panels(canvas: Image.Image, count: int, grid: Grid | None = None) -> list[Image.Image]:
    """The panels of a drawn canvas in reading order (a row of `count` unless a grid is given)."""
    grid = grid or row_grid(count, canvas.width // count, canvas.height)
    return [canvas.crop(box) for box in grid.boxes()]


def fit_panel(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale and centre-crop a picture to fill one panel (references come in any size)."""
    return ImageOps.fit(image.convert("RGB"), (width, height), Image.Resampling.LANCZOS)


def known_and_mask(known: list[Image.Image], generated: int, width: int, height: int,
                   grid: Grid | None = None) -> tuple[Image.Image, Image.Image]:
    """The canvas with the known panels first (the rest grey) and a mask white where panels are drawn."""
    grid = grid or row_grid(len(known) + generated, width, height)
    canvas = Image.new("RGB", grid.size, (127, 127, 127))
    mask = Image.new("L", canvas.size, 0)
    boxes = grid.boxes()
    for box, image in zip(boxes, known):
        canvas.paste(fit_panel(image, grid.width, grid.height), box[:2])
    for box in boxes[len(known):]:
        mask.paste(255, box)
    return canvas, mask
