"""Pixel-level edits of storybook-world pictures: what the nano model's flat two-tone world lets a
tool do exactly, where redrawing through the model would also redraw what should stay.

- tone: the sky's (or ground's) background pixels moved toward black, white or a color by a
  levels step, as strong as keeps the picture readable as the world it is;
- remove: an object's pixels refilled with the background behind them;
- move: an object's pixels cut out, the hole filled, and pasted shifted (drag-style editing);
- resize: an object scaled about its center, the hole filled.

Objects come from the world detector (`chatdit.storybook.detector.detect_scene`); the critic
(`chatdit.critics.world.edit_checks`) measures each change with the same detector.
"""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image

from chatdit.storybook import BACKGROUNDS, COLORS, HORIZON
from chatdit.storybook.detector import DetectedObject, DetectedScene, detect_background, detect_scene, label_pixels

TONE_STEPS = (0.35, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05)
"""Levels strengths tried, strongest first: the first that leaves the picture the same world
scene (background and objects) is used. The critic asks for at least `TONE_MARGIN`."""
MOVE_SHARE = 0.25
"""A move drags an object by this share of the picture's side (16 px of 64), less at the edge."""
SCALE = {"bigger": 1.5, "smaller": 0.6}
"""A resize scales an object's side by this (its area by 2.25 or 0.36)."""
_STEP = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


def _pixels(image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.float32)


def part_mask(pixels: np.ndarray, part: str) -> np.ndarray:
    """Background pixels (no object on them) of the sky, the ground, or both ('picture')."""
    labels = label_pixels(pixels, detect_background(pixels))
    rows = np.arange(pixels.shape[0])[:, None] < int(HORIZON * pixels.shape[0])
    region = {"sky": rows, "ground": ~rows}.get(part, np.ones_like(rows))
    return (labels == -1) & region


def luminance(pixels: np.ndarray) -> np.ndarray:
    """Rec. 709 luma of RGB pixels, 0..255."""
    return pixels[..., 0] * 0.2126 + pixels[..., 1] * 0.7152 + pixels[..., 2] * 0.0722


def _same_world(scene: DetectedScene, other: DetectedScene) -> bool:
    def kinds(scene_: DetectedScene) -> list[tuple[str, str]]:
        return sorted((o.kind, o.color) for o in scene_.objects)

    return scene.background == other.background and kinds(scene) == kinds(other)


def tone(image, part: str, target: tuple[int, int, int]) -> tuple[Image.Image, float]:
    """(picture, strength): the part's background pixels moved `strength` of the way to `target`,
    at the strongest of TONE_STEPS that the world detector still reads as the same scene."""
    from chatdit.critics.world import applies

    pixels = _pixels(image)
    mask = part_mask(pixels, part)
    before = detect_scene(image)
    goal = np.array(target, np.float32)
    result = image
    for strength in TONE_STEPS:
        moved = pixels.copy()
        moved[mask] += (goal - moved[mask]) * strength
        result = Image.fromarray(np.clip(moved, 0, 255).round().astype(np.uint8))
        if applies(result) and _same_world(before, detect_scene(result)):
            return result, strength
    return result, TONE_STEPS[-1]


RIM = 2
"""Pixels around an object's own color that go with it: the soft rim the model draws (1 px left a
faint outline where a removed house stood)."""


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    import cv2

    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)) > 0


def _box_mask(shape: tuple[int, int], obj: DetectedObject, scene: DetectedScene, pad: int) -> np.ndarray:
    """The object's detector box grown by `pad` detector pixels, at the picture's size."""
    height, width = shape
    sx, sy = width / scene.width, height / scene.height
    x0, y0, x1, y1 = obj.bbox
    box = np.zeros((height, width), bool)
    box[max(0, int((y0 - pad) * sy)):min(height, int(np.ceil((y1 + pad) * sy))),
        max(0, int((x0 - pad) * sx)):min(width, int(np.ceil((x1 + pad) * sx)))] = True
    return box


def object_mask(pixels: np.ndarray, obj: DetectedObject, scene: DetectedScene) -> np.ndarray:
    """The object's pixels at the picture's size: its color inside its box and everything within
    RIM of it (the soft rim the model draws, whose blended pixels read as other colors and were
    left behind as fragments when only background-colored ones went with it), never another
    detected object's pixels."""
    box = _box_mask(pixels.shape[:2], obj, scene, RIM)
    labels = label_pixels(pixels, detect_background(pixels))
    own = (labels == list(COLORS).index(obj.color)) & box
    others = np.zeros_like(box)
    for other in scene.objects:
        if other is not obj:
            others |= (labels == list(COLORS).index(other.color)) & _box_mask(box.shape, other, scene, 0)
    return _dilate(own, RIM) & box & ~(others & ~own)


def _painted(pixels: np.ndarray) -> np.ndarray:
    """Pixels that are not the background: what a cut-out object carries with it (its grown mask
    also holds a rim of background, which pasted elsewhere would show as a halo)."""
    return label_pixels(pixels, detect_background(pixels)) != -1


MIN_SIDE = 6
"""Detector pixels (of 64) an added object's longest side needs to be kept: smaller ones are
fragments of the fill's drawing that the detector reads as one more bird, not a bird a person sees."""


def _backdrop_like(pixels: np.ndarray) -> np.ndarray:
    """Pixels nearer some world sky or ground than every object color: the backdrop the fill
    path draws behind what it adds (its own day sky on a sunset page), or a pale rim."""
    objects = np.array(list(COLORS.values()), np.float32)
    backdrops = np.array([c for pair in BACKGROUNDS.values() for c in pair], np.float32)
    nearest = [np.linalg.norm(pixels[..., None, :] - palette, axis=-1).min(-1) for palette in (objects, backdrops)]
    return nearest[1] < nearest[0]


def keep_drawn(drawn, image, spot, kind: str | None = None) -> Image.Image:
    """`image` with only what the model drew inside `spot` (a Pillow "L" mask) taken from
    `drawn`: the new object's pixels and their rim, not the model's own rendering of the sky or
    ground around it, which would show as a patch where the picture's background was changed.
    With `kind`, only whole objects the detector reads as that kind, in an object color, nothing
    when there is none (the fill path often draws a day sky or a glow behind a sun added to a
    sunset page: kept, it showed as a patch)."""
    new, old = _pixels(drawn), _pixels(image)
    inside = np.asarray(spot.convert("L").resize(image.size)) > 0
    keep = _painted(new) & inside
    if kind is not None:
        scene, labels, backdrop = detect_scene(drawn), label_pixels(new, detect_background(new)), _backdrop_like(new)
        keep = np.zeros_like(inside)
        for obj in scene.find(kind):
            own = (labels == list(COLORS).index(obj.color)) & _box_mask(inside.shape, obj, scene, 1) & inside
            whole = max(obj.bbox[2] - obj.bbox[0], obj.bbox[3] - obj.bbox[1]) >= MIN_SIDE
            if whole and own.any() and backdrop[own].mean() < 0.5:  # not a fragment, not the fill's backdrop
                keep |= own
        return _to_image(np.where(keep[..., None], new, old))  # no rim: a pale rim reads as a second, white bird
    grown = _dilate(keep, 1) & inside
    old[grown] = new[grown]
    return _to_image(old)


HALO = 2
"""Background pixels this near a hole are refilled with it: the model draws a pale halo around an
object, which left alone outlined where a moved fox had stood."""


def fill_background(pixels: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The hole, and the halo of background around it, refilled with the picture's own sky above
    the horizon and ground below it (the median of each part's background pixels)."""
    filled = pixels.copy()
    rows = np.arange(pixels.shape[0])[:, None] < int(HORIZON * pixels.shape[0])
    hole = hole | (_dilate(hole, HALO) & part_mask(pixels, "picture")) if HALO else hole
    for part, region in (("sky", rows), ("ground", ~rows)):
        behind = part_mask(pixels, part) & ~hole
        if behind.any():
            filled[hole & region] = np.median(pixels[behind], axis=0)
    return filled


def _to_image(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8))


def remove(image, objects: list[DetectedObject], scene: DetectedScene) -> Image.Image:
    """The objects gone, the background drawn where they were."""
    pixels = _pixels(image)
    hole = np.zeros(pixels.shape[:2], bool)
    for obj in objects:
        hole |= object_mask(pixels, obj, scene)
    return _to_image(fill_background(pixels, hole))


def move_offset(objects: list[DetectedObject], scene: DetectedScene, direction: str, size: tuple[int, int]) -> tuple[int, int]:
    """(dx, dy) in pixels of the picture: MOVE_SHARE of its side toward `direction`, cut short so
    every object stays inside the frame."""
    width, height = size
    ux, uy = _STEP[direction]
    room = {"left": min(o.bbox[0] for o in objects) * width / scene.width,
            "right": (scene.width - max(o.bbox[2] for o in objects)) * width / scene.width,
            "up": min(o.bbox[1] for o in objects) * height / scene.height,
            "down": (scene.height - max(o.bbox[3] for o in objects)) * height / scene.height}[direction]
    step = int(min(MOVE_SHARE * (width if ux else height), max(0.0, room)))
    return ux * step, uy * step


def move(image, objects: list[DetectedObject], scene: DetectedScene, offset: tuple[int, int]) -> Image.Image:
    """The objects dragged by `offset`: cut out, the hole filled, pasted at the new place."""
    pixels = _pixels(image)
    masks = [object_mask(pixels, obj, scene) for obj in objects]
    hole = np.logical_or.reduce(masks)
    out = fill_background(pixels, hole)
    dx, dy = offset
    shifted = np.zeros_like(hole)
    height, width = hole.shape
    ys, xs = np.nonzero(hole & _painted(pixels))
    keep = (xs + dx >= 0) & (xs + dx < width) & (ys + dy >= 0) & (ys + dy < height)
    shifted_pixels = out.copy()
    shifted_pixels[ys[keep] + dy, xs[keep] + dx] = pixels[ys[keep], xs[keep]]
    shifted[ys[keep] + dy, xs[keep] + dx] = True
    out[shifted] = shifted_pixels[shifted]
    return _to_image(out)


def resize(image, objects: list[DetectedObject], scene: DetectedScene, factor: float) -> Image.Image:
    """The objects scaled by `factor` about their centers (nearest-neighbour, so their colors stay
    the world's), the holes they leave filled."""
    pixels = _pixels(image)
    masks = [object_mask(pixels, obj, scene) for obj in objects]
    out = fill_background(pixels, np.logical_or.reduce(masks))
    height, width = pixels.shape[:2]
    painted = _painted(pixels)
    for hole in masks:
        mask = hole & painted
        ys, xs = np.nonzero(mask)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        w, h = max(1, round((x1 - x0) * factor)), max(1, round((y1 - y0) * factor))
        crop = np.asarray(Image.fromarray(pixels[y0:y1, x0:x1].astype(np.uint8)).resize((w, h), Image.NEAREST), np.float32)
        shape = np.asarray(Image.fromarray(mask[y0:y1, x0:x1].astype(np.uint8) * 255).resize((w, h), Image.NEAREST)) > 0
        left, top = round((x0 + x1 - w) / 2), round((y0 + y1 - h) / 2)
        rows, cols = np.nonzero(shape)
        inside = (top + rows >= 0) & (top + rows < height) & (left + cols >= 0) & (left + cols < width)
        out[top + rows[inside], left + cols[inside]] = crop[rows[inside], cols[inside]]
    return _to_image(out)


COPY_SCALES = (1.0, 0.8, 0.65)
"""A copy too big for any free place is tried smaller (a crowded picture has room for a smaller one)."""
GAP = 2
"""Pixels kept between a copied object and anything painted (the detector reads touching
objects of one color as one)."""


def _spot(painted: np.ndarray, shape: np.ndarray, box: tuple[float, float, float, float]) -> tuple[int, int] | None:
    """Top-left corner for `shape` (a boolean mask) where it and its GAP touch nothing painted,
    nearest the center of `box` (pixels xyxy); None when no such place exists in the picture."""
    import cv2

    height, width = painted.shape
    h, w = shape.shape
    kernel = cv2.dilate(np.pad(shape, GAP).astype(np.uint8), np.ones((2 * GAP + 1, 2 * GAP + 1), np.uint8))
    hits = cv2.filter2D(np.pad(painted, GAP).astype(np.float32), -1, kernel.astype(np.float32),
                        anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    free = hits[: height - h + 1, : width - w + 1] < 0.5
    ys, xs = np.nonzero(free)
    if not len(ys):
        return None
    cx, cy = (box[0] + box[2] - w) / 2, (box[1] + box[3] - h) / 2
    pick = int(np.argmin((xs - cx) ** 2 + (ys - cy) ** 2))
    return int(xs[pick]), int(ys[pick])


def _cut_out(obj: DetectedObject, scene: DetectedScene, drawn: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(shape, pixels) of `obj` cropped from the picture it was drawn in, or None when nothing of it is painted."""
    mask = object_mask(drawn, obj, scene) & _painted(drawn)
    ys, xs = np.nonzero(mask)
    if not len(ys):
        return None
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    return mask[y0:y1, x0:x1], drawn[y0:y1, x0:x1]


def _paste(pixels: np.ndarray, shape: np.ndarray, patch: np.ndarray, where: tuple[int, int]) -> np.ndarray:
    out = pixels.copy()
    rows, cols = np.nonzero(shape)
    out[where[1] + rows, where[0] + cols] = patch[rows, cols]
    return out


def copy_into(image, obj: DetectedObject, scene: DetectedScene, box: tuple[float, float, float, float],
              color: str | None = None, source=None, side: float | None = None) -> Image.Image | None:
    """One more of `obj` (the model's own drawing of it, recolored to `color` if given) pasted
    into free space nearest `box` (normalised xyxy): the count repair the critic's 'add' region
    asks for. `obj` and `scene` are of `source`, the
    picture it was drawn in (`image` itself by default; a drawing of the kind alone when the
    picture has none), its longest side at most `side` pixels when given. None when the picture
    has no free place for it."""
    pixels = _pixels(image)
    painted = _painted(pixels)
    cut = _cut_out(obj, scene, pixels if source is None else _pixels(source))
    if cut is None:
        return None
    height, width = painted.shape
    scale_box = lambda b: (b[0] * width, b[1] * height, b[2] * width, b[3] * height)  # noqa: E731
    fit = min(1.0, side / max(cut[0].shape)) if side else 1.0
    for scale in COPY_SCALES:
        shape, patch = _scaled(*cut, scale * fit)
        where = _spot(painted, shape, scale_box(box))
        if where is not None:
            break
    else:
        return None
    if color:
        patch = _recolored(patch, shape, obj.color, color)
    return _to_image(_paste(pixels, shape, patch, where))


OVERLAPS = (0.3, 0.22, 0.15)
"""Shares of the pasted object's width that overlap the one it stands in front of or behind, most
first (less overlap leaves more of one pasted behind in sight, for the detector to know it)."""


def paste_overlapping(image, obj: DetectedObject, scene: DetectedScene, target: DetectedObject, front: bool,
                      color: str | None = None, source=None, side: float | None = None) -> list[Image.Image]:
    """Pictures with one more of `obj` overlapping `target` (an object of `image`) at its left or
    right side, level with it or a third of its height up or down, each overlap of OVERLAPS: painted over it when `front`, under it (the target's own
    pixels put back on top) when behind. Places where the paste would touch a third object are
    skipped; `obj`, `scene`, `source`, `color` and `side` as for `copy_into`."""
    pixels = _pixels(image)
    cut = _cut_out(obj, scene, pixels if source is None else _pixels(source))
    here = detect_scene(image)
    if cut is None or (color or obj.color) == target.color:  # one color: the two would read as one object
        return []
    shape, patch = _scaled(*cut, min(1.0, side / max(cut[0].shape)) if side else 1.0)
    if color:
        patch = _recolored(patch, shape, obj.color, color)
    kept = object_mask(pixels, target, here) & _painted(pixels)
    others = _dilate(_painted(pixels) & ~_box_mask(kept.shape, target, here, GAP), GAP)  # its rim is the target's
    height, width = kept.shape
    sx = width / here.width
    h, w = shape.shape
    tx0, ty0, tx1, ty1 = (v * sx for v in target.bbox)
    out = []
    for share in OVERLAPS:
        for x, y in itertools.product((tx1 - share * w, tx0 - (1 - share) * w), (0, -h / 3, h / 3)):
            x0, y0 = int(round(min(max(x, 0), width - w))), int(round(min(max((ty0 + ty1 - h) / 2 + y, 0), height - h)))
            if (others[y0:y0 + h, x0:x0 + w] & shape).any():
                continue
            pasted = _paste(pixels, shape, patch, (x0, y0))
            if not front:
                pasted[kept] = pixels[kept]
            out.append(_to_image(pasted))
    return out


def put_back(image, obj: DetectedObject, scene: DetectedScene, source) -> Image.Image:
    """`image` with `obj`'s own pixels from `source` (the picture it was taken from) where they were."""
    pixels, drawn = _pixels(image), _pixels(source)
    mask = _dilate(object_mask(drawn, obj, scene), HALO) & _box_mask(pixels.shape[:2], obj, scene, RIM + HALO)
    pixels[mask] = drawn[mask]
    return _to_image(pixels)


def _scaled(mask: np.ndarray, patch: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """A cut-out and its pixels scaled by `scale` (nearest neighbour: the world's colors stay)."""
    if scale == 1.0:
        return mask, patch
    h, w = mask.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize(size, Image.NEAREST)) > 0
    return small, np.asarray(_to_image(patch).resize(size, Image.NEAREST), np.float32)


def _recolored(pixels: np.ndarray, mask: np.ndarray, old: str, new: str) -> np.ndarray:
    """The masked pixels shifted from one world color to another (rims keep their blend)."""
    out = pixels.copy()
    out[mask] += np.array(COLORS[new], np.float32) - np.array(COLORS[old], np.float32)
    return np.clip(out, 0, 255)


def recolor(image, obj: DetectedObject, scene: DetectedScene, color: str) -> Image.Image:
    """`obj` in another world color, its shape and everything else kept."""
    pixels = _pixels(image)
    mask = object_mask(pixels, obj, scene) & _painted(pixels)
    return _to_image(_recolored(pixels, mask, obj.color, color))
