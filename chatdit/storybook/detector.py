"""Detector for the storybook world: what a panel shows, and whether it matches a spec.

Pixels are labelled by the nearest palette color (the background's sky and ground, or one of
the world's object colors), each object color's connected components become objects, and a
component's kind is the rendered silhouette it overlaps best. The critic builds on
`detect_scene` and `check_spec`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pydantic import BaseModel

from chatdit.storybook.scene import HORIZON, SceneSpec
from chatdit.storybook.shapes import draw_shape, object_box
from chatdit.storybook.vocabulary import BACKGROUNDS, COLORS, OBJECTS, SIZES

MIN_AREA = 14  # pixels of a 64x64 panel; smaller specks are noise


class DetectedObject(BaseModel):
    kind: str
    color: str
    center: tuple[float, float]  # pixels
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)
    area: int
    score: float  # silhouette IoU of the chosen kind, 0..1


class DetectedScene(BaseModel):
    background: str
    width: int
    height: int
    objects: list[DetectedObject]

    def find(self, kind: str | None = None, color: str | None = None) -> list[DetectedObject]:
        return [o for o in self.objects if (kind is None or o.kind == kind) and (color is None or o.color == color)]

    def count(self, kind: str | None = None, color: str | None = None) -> int:
        return len(self.find(kind, color))


class Requirement(BaseModel):
    """One checkable claim of a spec: category is kind, color, count, left_right, position,
    relation or background."""

    category: str
    description: str
    passed: bool
    detail: str = ""
    subject: str = ""  # the object kind a claim about one group is about (benches break results down by it)


# ---------------------------------------------------------------- detection


def _to_array(image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.float32)


def detect_background(pixels: np.ndarray) -> str:
    """The background whose (sky, ground) colors are nearest the image's median sky and ground."""
    h = pixels.shape[0]
    cut = int(HORIZON * h)
    sky = np.median(pixels[: max(1, cut - 2)].reshape(-1, 3), axis=0)
    ground = np.median(pixels[min(h - 1, cut + 2):].reshape(-1, 3), axis=0)
    return min(BACKGROUNDS, key=lambda b: np.linalg.norm(sky - BACKGROUNDS[b][0]) + np.linalg.norm(ground - BACKGROUNDS[b][1]))


def label_pixels(pixels: np.ndarray, background: str) -> np.ndarray:
    """Per pixel: index into COLORS, or -1 for background."""
    h = pixels.shape[0]
    sky, ground = (np.array(c, np.float32) for c in BACKGROUNDS[background])
    palette = np.array(list(COLORS.values()), np.float32)
    dist = np.linalg.norm(pixels[:, :, None, :] - palette[None, None], axis=-1)  # H W C
    rows = np.arange(h)[:, None, None] < int(HORIZON * h)
    bg = np.where(rows, sky, ground)  # H 1 3
    bg_dist = np.linalg.norm(pixels - bg, axis=-1)
    labels = dist.argmin(-1)
    labels[bg_dist <= dist.min(-1)] = -1
    return labels


@lru_cache(maxsize=4096)
def _template(kind: str, w: int, h: int) -> np.ndarray:
    """Boolean silhouette of `kind` drawn in a w x h box, cropped to what was drawn."""
    from PIL import Image, ImageDraw

    mask = Image.new("L", (w + 4, h + 4), 0)
    draw_shape(ImageDraw.Draw(mask), kind, (w + 4) // 2, (h + 4) // 2, w, h)
    arr = np.asarray(mask) > 0
    ys, xs = np.nonzero(arr)
    return arr[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]


def _box_for(kind: str, bw: int, bh: int) -> tuple[int, int]:
    """The drawing box whose rendered silhouette is about bw x bh."""
    best, best_err = (bw, bh), 1e9
    for s in range(6, 40):
        w, h = object_box(kind, s)
        t = _template(kind, w, h)
        err = abs(t.shape[1] - bw) + abs(t.shape[0] - bh)
        if err < best_err:
            best, best_err = (w, h), err
    return best


def _resize_bool(mask: np.ndarray, w: int, h: int) -> np.ndarray:
    from PIL import Image

    img = Image.fromarray(mask.astype(np.uint8) * 255).resize((w, h), Image.BILINEAR)
    return np.asarray(img) >= 128


def classify_kind(component: np.ndarray) -> tuple[str, float]:
    """Best-matching kind of a cropped boolean component, and its IoU."""
    bh, bw = component.shape
    scores = {}
    for kind in OBJECTS:
        t = _template(kind, *_box_for(kind, bw, bh))
        if t.shape != component.shape:
            t = _resize_bool(t, bw, bh)
        inter = np.logical_and(t, component).sum()
        scores[kind] = inter / max(1, np.logical_or(t, component).sum())
    kind = max(scores, key=scores.get)
    return kind, float(scores[kind])


def detect_scene(image) -> DetectedScene:
    """Background and objects of one panel (a PIL image, any size; judged at 64 x 64)."""
    import cv2
    from PIL import Image

    if image.size != (64, 64):
        image = image.convert("RGB").resize((64, 64), Image.BILINEAR)
    pixels = _to_array(image)
    background = detect_background(pixels)
    labels = label_pixels(pixels, background)
    objects = []
    for ci, color in enumerate(COLORS):
        mask = (labels == ci).astype(np.uint8)
        if mask.sum() < MIN_AREA:
            continue
        n, comp, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for k in range(1, n):
            x, y, w, h, area = (int(v) for v in stats[k])
            if area < MIN_AREA:
                continue
            crop = comp[y: y + h, x: x + w] == k
            kind, score = classify_kind(crop)
            objects.append(DetectedObject(kind=kind, color=color, center=(x + w / 2, y + h / 2),
                                          bbox=(x, y, x + w, y + h), area=area, score=round(score, 3)))
    objects.sort(key=lambda o: (o.center[0], o.center[1]))
    return DetectedScene(background=background, width=64, height=64, objects=objects)


# ---------------------------------------------------------------- checking

_SIDES = {"left": ("x", "<"), "right": ("x", ">"), "top": ("y", "<"), "bottom": ("y", ">")}


def side_ok(center: tuple[float, float], position: str, size: int = 64) -> bool:
    """Whether a center (pixels) lies on the side a position names ('top left', 'center')."""
    ok = True
    for word in position.split():
        if word == "center":
            ok &= abs(center[0] - size / 2) < size * 0.25 and abs(center[1] - size / 2) < size * 0.25
            continue
        axis, op = _SIDES[word]
        v = center[0] if axis == "x" else center[1]
        ok &= v < size / 2 if op == "<" else v > size / 2
    return ok


def _matches(scene: DetectedScene, obj) -> list[DetectedObject]:
    """Detected objects standing for a spec group: same kind and color, else same color."""
    return scene.find(obj.kind, obj.color) or scene.find(None, obj.color)


def check_spec(image, spec: SceneSpec, scene: DetectedScene | None = None) -> list[Requirement]:
    """Every requirement of a spec, checked on one panel."""
    scene = scene or detect_scene(image)
    results = [Requirement(category="background", description=f"background {spec.background}",
                           passed=scene.background == spec.background, detail=f"saw {scene.background}")]
    for obj in spec.objects:
        name = f"{obj.color} {obj.kind}"
        kinds = scene.find(obj.kind)
        colors = scene.find(None, obj.color)
        exact = scene.find(obj.kind, obj.color)
        results.append(Requirement(category="kind", description=f"a {obj.kind} is present", passed=bool(kinds),
                                   detail=f"{len(kinds)} found", subject=obj.kind))
        results.append(Requirement(category="color", description=f"something {obj.color} is present",
                                   passed=bool(colors), detail=f"{len(colors)} found", subject=obj.kind))
        results.append(Requirement(category="count", description=f"{obj.count} x {name}",
                                   passed=len(exact) == obj.count, detail=f"{len(exact)} found", subject=obj.kind))
        if obj.position:
            found = _matches(scene, obj)
            cx = (sum(o.center[0] for o in found) / len(found), sum(o.center[1] for o in found) / len(found)) if found else None
            category = "left_right" if obj.position in ("left", "right") else "position"
            results.append(Requirement(category=category, description=f"{name} {obj.position}",
                                       passed=bool(found) and side_ok(cx, obj.position), detail=f"center {cx}",
                                       subject=obj.kind))
    for rel in spec.relations:
        a, b = spec.objects[rel.subject], spec.objects[rel.target]
        fa, fb = _matches(scene, a), _matches(scene, b)
        passed = False
        if fa and fb:
            ax = sum(o.center[0] for o in fa) / len(fa)
            bx = sum(o.center[0] for o in fb) / len(fb)
            ay = sum(o.center[1] for o in fa) / len(fa)
            by = sum(o.center[1] for o in fb) / len(fb)
            passed = {"left of": ax < bx, "right of": ax > bx, "above": ay < by, "below": ay > by}.get(rel.relation, True)
        category = "left_right" if rel.relation in ("left of", "right of") else "relation"
        results.append(Requirement(category=category, description=f"{a.color} {a.kind} {rel.relation} {b.color} {b.kind}",
                                   passed=passed))
    return results


def panels(canvas, n: int) -> list:
    """Split a row canvas into its n panels."""
    w, h = canvas.size
    pw = w // n
    return [canvas.crop((i * pw, 0, (i + 1) * pw, h)) for i in range(n)]


__all__ = [
    "SIZES",
    "DetectedObject",
    "DetectedScene",
    "Requirement",
    "check_spec",
    "detect_background",
    "detect_scene",
    "panels",
    "side_ok",
]
