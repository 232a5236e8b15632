"""Does a page show the hero of a photo card? The identity check of the critic.

In the storybook world a hero is its kind, its colour and its silhouette, so the photo's subject
and every object on the page are read by the world detector and compared by three statistics:
the mean colour of their pixels, the silhouette (each scaled to its own box, so size and place do
not matter) and the kind the detector names. The best match on the page gives the score. Outside
the world there is no offline check: a person's photo would need a face-embedding model, and none
ships with chatdit (the shipped BlazeFace only finds faces), so those read "unknown", with why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel

from chatdit.schema import CharacterCard, RequirementCheck

if TYPE_CHECKING:
    from chatdit.critics.base import Judgement
    from chatdit.schema import Critique
    from chatdit.store import SessionStore

PASS_SCORE = 0.75
"""Score from which the page's best match is the photo's hero (bench/heroes.py: renderer truth)."""
COLOR_SCALE = 90.0
"""RGB distance at which two colours stop being alike: the world's nearest colours are 98 apart."""
GRID = 16
"""Side of the grid a silhouette is scaled to before two are compared."""
WEIGHTS = {"color": 0.4, "shape": 0.3, "kind": 0.3}
PHOTO_DISTANCE = 60.0
"""RGB distance within which a photo's pixel counts as the card's colour (the world's are 98+ apart)."""
NO_FACE_MODEL = "no face-embedding model ships with chatdit (BlazeFace only finds faces), so a person's likeness is not checked"


@dataclass(frozen=True)
class Look:
    """What identifies an object in the storybook world: kind, colour name, mean colour, silhouette."""

    kind: str
    color: str
    rgb: np.ndarray
    silhouette: np.ndarray


class Match(BaseModel):
    """The page's object most like the photo's hero, and how alike (0..1)."""

    score: float
    kind: str
    color: str


def looks(image) -> list[Look]:
    """Every object the world detector finds on a picture, biggest first, with its pixels' statistics."""
    from PIL import Image

    from chatdit.storybook import COLORS
    from chatdit.storybook.detector import detect_scene, label_pixels

    small = image.convert("RGB").resize((64, 64), Image.BILINEAR)
    pixels = np.asarray(small, dtype=np.float32)
    scene = detect_scene(small)
    labels = label_pixels(pixels, scene.background)
    found = []
    for obj in sorted(scene.objects, key=lambda o: -o.area):
        x0, y0, x1, y1 = obj.bbox
        mask = labels[y0:y1, x0:x1] == list(COLORS).index(obj.color)
        rgb = pixels[y0:y1, x0:x1][mask].mean(axis=0)
        found.append(Look(kind=obj.kind, color=obj.color, rgb=rgb, silhouette=_scaled(mask)))
    return found


def _scaled(mask: np.ndarray) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(mask.astype(np.uint8) * 255).resize((GRID, GRID), Image.BILINEAR)) >= 128


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.logical_and(a, b).sum() / max(1, np.logical_or(a, b).sum()))


def similarity(hero: Look, other: Look) -> float:
    """0..1: colour closeness, silhouette overlap (either way round) and the same kind, weighted."""
    color = max(0.0, 1.0 - float(np.linalg.norm(hero.rgb - other.rgb)) / COLOR_SCALE)
    shape = max(_iou(hero.silhouette, other.silhouette), _iou(hero.silhouette, other.silhouette[:, ::-1]))
    kind = float(hero.kind == other.kind)
    return WEIGHTS["color"] * color + WEIGHTS["shape"] * shape + WEIGHTS["kind"] * kind


def hero_look(photo, description: str = "") -> Look | None:
    """The photo's subject: with the card's words ('a purple fox'), the biggest patch of that world
    colour, taken as that kind (the stored photo is a crop, whose sky and ground the detector's
    horizon rule misreads); without them, the biggest object the detector finds."""
    import cv2
    from PIL import Image

    from chatdit.storybook import COLORS, world_color, world_kind

    words = description.lower().split()
    color = next((world_color(w) for w in words if world_color(w)), None)
    kind = next((world_kind(w) for w in reversed(words) if world_kind(w)), None)
    if not (color and kind):
        found = looks(photo)
        return found[0] if found else None
    pixels = np.asarray(photo.convert("RGB").resize((64, 64), Image.BILINEAR), dtype=np.float32)
    palette = np.array(list(COLORS.values()), np.float32)
    nearest = np.linalg.norm(pixels[:, :, None] - palette[None, None], axis=-1).argmin(-1)
    close = np.linalg.norm(pixels - palette[list(COLORS).index(color)], axis=-1) < PHOTO_DISTANCE
    mask = ((nearest == list(COLORS).index(color)) & close).astype(np.uint8)
    count, parts, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h = (int(v) for v in stats[biggest][:4])
    part = parts[y:y + h, x:x + w] == biggest
    return Look(kind=kind, color=color, rgb=pixels[y:y + h, x:x + w][part].mean(axis=0), silhouette=_scaled(part))


def best_match(page, photo, description: str = "") -> Match | None:
    """The page's object closest to the photo's subject; None when the photo shows no world
    object. A page with no object at all matches nothing (score 0)."""
    hero = hero_look(photo, description)
    if hero is None:
        return None
    scored = [(similarity(hero, other), other) for other in looks(page)]
    if not scored:
        return Match(score=0.0, kind="", color="")
    score, other = max(scored, key=lambda pair: pair[0])
    return Match(score=round(score, 3), kind=other.kind, color=other.color)


def check_identity(page, photo, card: CharacterCard) -> RequirementCheck:
    """Pass, fail or unknown for '<name>: identity', the score and what was compared in its detail."""
    from chatdit.critics.world import applies
    from chatdit.heroes import is_storybook_picture, world_words

    name = f"{card.name}: identity"
    if not is_storybook_picture(photo):
        from chatdit.vision.faces import count_faces

        return RequirementCheck(name=name, kind="identity", verdict="unknown", detail=f"could not check: {NO_FACE_MODEL}"
                                if count_faces(photo) else
                                "could not check: the photo is not a storybook-world picture, and nothing offline compares others")
    if not applies(page):
        return RequirementCheck(name=name, kind="identity", verdict="unknown",
                                detail="could not check: the page is not drawn in the storybook world")
    match = best_match(page, photo, card.description)
    if match is None:
        return RequirementCheck(name=name, kind="identity", verdict="unknown", detail="could not check: the photo shows no world object")
    if match.score >= PASS_SCORE:
        return RequirementCheck(name=name, kind="identity", verdict="pass", detail=f"matches the photo ({match.score:.2f})")
    closest = f"the closest is {world_words(match.color, match.kind)}" if match.kind else "nothing is drawn"
    return RequirementCheck(name=name, kind="identity", verdict="fail",
                            detail=f"does not match the photo ({match.score:.2f}): {closest}, the photo shows {card.description}")


# ---------------------------------------------------------------- the hook into the loop


def judge_heroes(judged: list["Judgement"], cards: dict[str, CharacterCard], store: "SessionStore",
                 threshold: float) -> list["Judgement"]:
    """The critic's judgements with every photo hero's identity checked against its photo (the
    critics leave '<name>: identity' unknown: they never see the photo)."""
    from chatdit.critics.base import CritiqueContext, make_critique

    photos = {f"{name}: identity": (card, path) for name, card in cards.items() if (path := photo_path(store, card))}
    out = []
    for judgement in judged:
        critique = judgement.critique
        if not critique.asset_id or not any(c.name in photos for c in critique.checks):
            out.append(judgement)
            continue
        page = _open(store.image_path(critique.asset_id))
        checks = [_checked(c, page, *photos[c.name]) if c.name in photos else c for c in critique.checks]
        context = CritiqueContext(asset_id=critique.asset_id, page=critique.page, attempt=critique.attempt, threshold=threshold)
        remade = make_critique(checks, context, critique.critic).model_copy(update={"page": critique.page, "step_id": critique.step_id})
        failed = [c.name for c in checks if c.name in photos and c.verdict == "fail"]
        out.append(judgement.model_copy(update={"critique": remade, "unlocalised": [*judgement.unlocalised, *failed]}))
    return out


def _checked(check: RequirementCheck, page, card: CharacterCard, path: Path) -> RequirementCheck:
    photo = _open(path)
    if page is None or photo is None:
        return check.model_copy(update={"verdict": "unknown", "detail": "could not check: the page or the photo is unreadable"})
    return check_identity(page, photo, card).model_copy(update={"required": check.required})


def _open(path: Path):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            return opened.convert("RGB")
    except (OSError, UnidentifiedImageError):
        return None


def identity_line(critiques: list["Critique"]) -> str:
    """'Heroes: page 1: Rex matches the photo (0.95), Mia matches ...; page 3: ...' for the reply."""
    said = []
    for critique in sorted(critiques, key=lambda c: c.page or 0):
        heroes = [f"{c.name.removesuffix(': identity')} {c.detail}" for c in critique.checks
                  if c.kind == "identity" and c.name.endswith(": identity") and c.name != "face: identity"]
        if heroes:
            said.append((f"page {critique.page}: " if critique.page else "") + ", ".join(heroes))
    return ("Heroes: " + "; ".join(said) + ".") if said else ""


def photo_path(store, card: CharacterCard) -> Path | None:
    """Where the card's photo is stored, or None when it has none or it is gone."""
    if not card.photo:
        return None
    path = Path(store.image_path(card.photo))
    return path if path.is_file() else None
