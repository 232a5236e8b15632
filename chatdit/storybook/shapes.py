"""The silhouette of every object kind, and the box it is drawn in.

The renderer paints these in an object's color; the detector draws the same silhouettes as the
templates it matches components against, so the two can never disagree about a shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from chatdit.storybook.vocabulary import OBJECTS, SIZES

# width / height of each kind's bounding box
ASPECT = {"cloud": 1.6, "fish": 1.5, "fox": 1.4, "bird": 1.6, "boat": 1.2, "tree": 0.8, "flower": 0.8}

Point = Callable[[float, float], tuple[float, float]]
Corners = tuple[int, int, int, int]


def object_box(kind: str, size: str | int) -> tuple[int, int]:
    """Width and height in pixels of one object of this kind and size."""
    s = SIZES[size] if isinstance(size, str) else size
    aspect = ASPECT.get(kind, 1.0)
    if aspect >= 1:
        return round(s * aspect), s
    return s, round(s / aspect)


def _circle(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.ellipse(list(box), fill=fill)


def _square(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.rectangle(list(box), fill=fill)


def _triangle(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.polygon([px(0.5, 0), px(1, 1), px(0, 1)], fill=fill)


def _star(draw, px: Point, box: Corners, w: int, fill) -> None:
    points = []
    for i in range(10):
        r = 0.5 if i % 2 == 0 else 0.22
        a = -math.pi / 2 + i * math.pi / 5
        points.append(px(0.5 + r * math.cos(a), 0.55 + r * 1.05 * math.sin(a)))
    draw.polygon(points, fill=fill)


def _heart(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.ellipse([*px(0, 0), *px(0.55, 0.55)], fill=fill)
    draw.ellipse([*px(0.45, 0), *px(1, 0.55)], fill=fill)
    draw.polygon([px(0.02, 0.38), px(0.98, 0.38), px(0.5, 1)], fill=fill)


def _tree(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.polygon([px(0.5, 0), px(1, 0.72), px(0, 0.72)], fill=fill)
    draw.rectangle([*px(0.38, 0.7), *px(0.62, 1)], fill=fill)


def _house(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.polygon([px(0.5, 0), px(1, 0.42), px(0, 0.42)], fill=fill)
    draw.rectangle([*px(0.12, 0.42), *px(0.88, 1)], fill=fill)


def _sun(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.ellipse([*px(0.22, 0.22), *px(0.78, 0.78)], fill=fill)
    lw = max(2, w // 7)  # rays of 1 px do not survive a 4x VAE; 2 px do, and read better at 64 px
    for a, b in (((0.5, 0), (0.5, 1)), ((0, 0.5), (1, 0.5)), ((0.12, 0.12), (0.88, 0.88)), ((0.12, 0.88), (0.88, 0.12))):
        draw.line([px(*a), px(*b)], fill=fill, width=lw)


def _moon(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.ellipse(list(box), fill=fill)
    draw.ellipse([*px(0.38, -0.12), *px(1.25, 0.78)], fill=0)


def _cloud(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.ellipse([*px(0, 0.35), *px(0.45, 1)], fill=fill)
    draw.ellipse([*px(0.22, 0), *px(0.72, 0.85)], fill=fill)
    draw.ellipse([*px(0.55, 0.3), *px(1, 1)], fill=fill)


def _flower(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.rectangle([*px(0.44, 0.5), *px(0.56, 1)], fill=fill)
    for fx, fy in ((0.5, 0.1), (0.12, 0.35), (0.88, 0.35), (0.25, 0.62), (0.75, 0.62)):
        draw.ellipse([*px(fx - 0.24, fy - 0.17), *px(fx + 0.24, fy + 0.17)], fill=fill)
    draw.ellipse([*px(0.38, 0.3), *px(0.62, 0.48)], fill=0)


def _fish(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.ellipse([*px(0, 0.1), *px(0.72, 0.9)], fill=fill)
    draw.polygon([px(0.6, 0.5), px(1, 0), px(1, 1)], fill=fill)
    draw.ellipse([*px(0.14, 0.35), *px(0.24, 0.5)], fill=0)


def _boat(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.polygon([px(0, 0.68), px(1, 0.68), px(0.8, 1), px(0.2, 1)], fill=fill)
    draw.polygon([px(0.52, 0), px(0.52, 0.6), px(0.15, 0.6)], fill=fill)
    draw.polygon([px(0.58, 0.1), px(0.9, 0.6), px(0.58, 0.6)], fill=fill)


def _bird(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.polygon([px(0, 0), px(0.5, 0.55), px(1, 0), px(1, 0.35), px(0.5, 1), px(0, 0.35)], fill=fill)


def _fox(draw, px: Point, box: Corners, w: int, fill) -> None:
    draw.ellipse([*px(0.2, 0.4), *px(0.8, 1)], fill=fill)  # body
    draw.ellipse([*px(0, 0.45), *px(0.35, 0.8)], fill=fill)  # tail
    draw.ellipse([*px(0.6, 0.15), *px(1, 0.6)], fill=fill)  # head
    draw.polygon([px(0.62, 0.3), px(0.68, 0), px(0.78, 0.2)], fill=fill)  # ears
    draw.polygon([px(0.84, 0.2), px(0.94, 0), px(0.99, 0.3)], fill=fill)


SHAPES = {"circle": _circle, "square": _square, "triangle": _triangle, "star": _star, "heart": _heart,
          "tree": _tree, "house": _house, "sun": _sun, "moon": _moon, "cloud": _cloud, "flower": _flower,
          "fish": _fish, "boat": _boat, "bird": _bird, "fox": _fox}
"""Every kind's drawing, in box-relative coordinates (0..1 across and down the box)."""


def draw_shape(draw, kind: str, cx: int, cy: int, w: int, h: int, fill=255) -> None:
    """Draw one silhouette (a single color) into a Pillow ImageDraw, box centered at (cx, cy)."""
    if kind not in SHAPES:
        raise ValueError(f"unknown object kind {kind!r}; expected one of {', '.join(OBJECTS)}")
    x0, y0 = cx - w // 2, cy - h // 2
    x1, y1 = x0 + w - 1, y0 + h - 1

    def px(fx: float, fy: float) -> tuple[float, float]:
        return x0 + fx * (w - 1), y0 + fy * (h - 1)

    SHAPES[kind](draw, px, (x0, y0, x1, y1), w, fill)
