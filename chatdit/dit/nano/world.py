"""The storybook world the nano model is trained on: scene specs, a Pillow renderer, captions.

Everything the nano model can draw is described here, and nothing else: the renderer keeps the
ground truth (every instance's kind, color, center and box) so the detector, the bench and the
critic can check pictures against the spec that asked for them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

PANEL_SIZE = 64
HORIZON = 0.62  # fraction of the height where sky meets ground

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (215, 35, 35),
    "orange": (250, 140, 20),
    "yellow": (250, 220, 30),
    "green": (30, 150, 40),
    "blue": (40, 80, 225),
    "purple": (135, 55, 185),
    "pink": (245, 120, 185),
    "brown": (125, 75, 35),
    "white": (255, 255, 255),
    "black": (15, 15, 15),
}
COLOR_NAMES = tuple(COLORS)

# (sky, ground) of every background; chosen far from every object color.
BACKGROUNDS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "day": ((160, 210, 250), (120, 200, 110)),
    "night": ((25, 30, 80), (50, 60, 75)),
    "sunset": ((250, 175, 125), (150, 90, 115)),
    "sea": ((175, 225, 250), (20, 140, 150)),
    "snow": ((150, 165, 190), (205, 220, 240)),
}
BACKGROUND_NAMES = tuple(BACKGROUNDS)

OBJECTS = ("circle", "square", "triangle", "star", "heart", "tree", "house", "sun", "moon", "cloud",
           "flower", "fish", "boat", "bird", "fox")
CHARACTER = "fox"
PLURALS = {kind: kind + "s" for kind in OBJECTS} | {"fish": "fish", "fox": "foxes"}
SIZES = {"small": 11, "medium": 15, "large": 20}
# width / height of each kind's bounding box
ASPECT = {"cloud": 1.6, "fish": 1.5, "fox": 1.4, "bird": 1.6, "boat": 1.2, "tree": 0.8, "flower": 0.8}

POSITIONS = ("left", "right", "top", "bottom", "center", "top left", "top right", "bottom left", "bottom right")
RELATIONS = ("left of", "right of", "above", "below", "in front of", "behind")
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}

Kind = Literal["circle", "square", "triangle", "star", "heart", "tree", "house", "sun", "moon", "cloud",
               "flower", "fish", "boat", "bird", "fox"]
Color = Literal["red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "white", "black"]
Background = Literal["day", "night", "sunset", "sea", "snow"]
Position = Literal["left", "right", "top", "bottom", "center", "top left", "top right", "bottom left", "bottom right"]
RelationName = Literal["left of", "right of", "above", "below", "in front of", "behind"]


class ObjectSpec(BaseModel):
    """A group of identical objects: `count` of one kind in one color and size."""

    kind: Kind
    color: Color
    count: int = Field(1, ge=1, le=4)
    size: Literal["small", "medium", "large"] = "medium"
    position: Position | None = None


class RelationSpec(BaseModel):
    """`objects[subject]` is `relation` `objects[target]` (indices into SceneSpec.objects)."""

    subject: int
    relation: RelationName
    target: int


class SceneSpec(BaseModel):
    background: Background = "day"
    objects: list[ObjectSpec] = Field(default_factory=list, max_length=4)
    relations: list[RelationSpec] = Field(default_factory=list)


class Instance(BaseModel):
    """Ground truth of one drawn object (pixels, in the panel it was drawn in)."""

    group: int
    kind: Kind
    color: Color
    center: tuple[int, int]
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive)


# ---------------------------------------------------------------- shapes


def object_box(kind: str, size: str | int) -> tuple[int, int]:
    """Width and height in pixels of one object of this kind and size."""
    s = SIZES[size] if isinstance(size, str) else size
    aspect = ASPECT.get(kind, 1.0)
    if aspect >= 1:
        return round(s * aspect), s
    return s, round(s / aspect)


def draw_shape(draw, kind: str, cx: int, cy: int, w: int, h: int, fill=255) -> None:
    """Draw one silhouette (a single color) into a Pillow ImageDraw, box centered at (cx, cy)."""
    x0, y0 = cx - w // 2, cy - h // 2
    x1, y1 = x0 + w - 1, y0 + h - 1

    def px(fx: float, fy: float) -> tuple[float, float]:
        return x0 + fx * (w - 1), y0 + fy * (h - 1)

    if kind == "circle":
        draw.ellipse([x0, y0, x1, y1], fill=fill)
    elif kind == "square":
        draw.rectangle([x0, y0, x1, y1], fill=fill)
    elif kind == "triangle":
        draw.polygon([px(0.5, 0), px(1, 1), px(0, 1)], fill=fill)
    elif kind == "star":
        import math

        points = []
        for i in range(10):
            r = 0.5 if i % 2 == 0 else 0.22
            a = -math.pi / 2 + i * math.pi / 5
            points.append(px(0.5 + r * math.cos(a), 0.55 + r * 1.05 * math.sin(a)))
        draw.polygon(points, fill=fill)
    elif kind == "heart":
        draw.ellipse([*px(0, 0), *px(0.55, 0.55)], fill=fill)
        draw.ellipse([*px(0.45, 0), *px(1, 0.55)], fill=fill)
        draw.polygon([px(0.02, 0.38), px(0.98, 0.38), px(0.5, 1)], fill=fill)
    elif kind == "tree":
        draw.polygon([px(0.5, 0), px(1, 0.72), px(0, 0.72)], fill=fill)
        draw.rectangle([*px(0.38, 0.7), *px(0.62, 1)], fill=fill)
    elif kind == "house":
        draw.polygon([px(0.5, 0), px(1, 0.42), px(0, 0.42)], fill=fill)
        draw.rectangle([*px(0.12, 0.42), *px(0.88, 1)], fill=fill)
    elif kind == "sun":
        draw.ellipse([*px(0.22, 0.22), *px(0.78, 0.78)], fill=fill)
        lw = max(2, w // 7)  # rays of 1 px do not survive a 4x VAE; 2 px do, and read better at 64 px
        for a, b in (((0.5, 0), (0.5, 1)), ((0, 0.5), (1, 0.5)), ((0.12, 0.12), (0.88, 0.88)), ((0.12, 0.88), (0.88, 0.12))):
            draw.line([px(*a), px(*b)], fill=fill, width=lw)
    elif kind == "moon":
        draw.ellipse([x0, y0, x1, y1], fill=fill)
        draw.ellipse([*px(0.38, -0.12), *px(1.25, 0.78)], fill=0)
    elif kind == "cloud":
        draw.ellipse([*px(0, 0.35), *px(0.45, 1)], fill=fill)
        draw.ellipse([*px(0.22, 0), *px(0.72, 0.85)], fill=fill)
        draw.ellipse([*px(0.55, 0.3), *px(1, 1)], fill=fill)
    elif kind == "flower":
        draw.rectangle([*px(0.44, 0.5), *px(0.56, 1)], fill=fill)
        for fx, fy in ((0.5, 0.1), (0.12, 0.35), (0.88, 0.35), (0.25, 0.62), (0.75, 0.62)):
            draw.ellipse([*px(fx - 0.24, fy - 0.17), *px(fx + 0.24, fy + 0.17)], fill=fill)
        draw.ellipse([*px(0.38, 0.3), *px(0.62, 0.48)], fill=0)
    elif kind == "fish":
        draw.ellipse([*px(0, 0.1), *px(0.72, 0.9)], fill=fill)
        draw.polygon([px(0.6, 0.5), px(1, 0), px(1, 1)], fill=fill)
        draw.ellipse([*px(0.14, 0.35), *px(0.24, 0.5)], fill=0)
    elif kind == "boat":
        draw.polygon([px(0, 0.68), px(1, 0.68), px(0.8, 1), px(0.2, 1)], fill=fill)
        draw.polygon([px(0.52, 0), px(0.52, 0.6), px(0.15, 0.6)], fill=fill)
        draw.polygon([px(0.58, 0.1), px(0.9, 0.6), px(0.58, 0.6)], fill=fill)
    elif kind == "bird":
        draw.polygon([px(0, 0), px(0.5, 0.55), px(1, 0), px(1, 0.35), px(0.5, 1), px(0, 0.35)], fill=fill)
    elif kind == "fox":
        draw.ellipse([*px(0.2, 0.4), *px(0.8, 1)], fill=fill)  # body
        draw.ellipse([*px(0, 0.45), *px(0.35, 0.8)], fill=fill)  # tail
        draw.ellipse([*px(0.6, 0.15), *px(1, 0.6)], fill=fill)  # head
        draw.polygon([px(0.62, 0.3), px(0.68, 0), px(0.78, 0.2)], fill=fill)  # ears
        draw.polygon([px(0.84, 0.2), px(0.94, 0), px(0.99, 0.3)], fill=fill)
    else:
        raise ValueError(f"unknown object kind {kind!r}; expected one of {', '.join(OBJECTS)}")


# ---------------------------------------------------------------- layout

_REGIONS = {
    None: (0.0, 1.0, 0.0, 1.0),
    "left": (0.0, 0.45, 0.1, 0.9), "right": (0.55, 1.0, 0.1, 0.9),
    "top": (0.1, 0.9, 0.0, 0.45), "bottom": (0.1, 0.9, 0.55, 1.0),
    "center": (0.28, 0.72, 0.28, 0.72),
    "top left": (0.0, 0.48, 0.0, 0.48), "top right": (0.52, 1.0, 0.0, 0.48),
    "bottom left": (0.0, 0.48, 0.52, 1.0), "bottom right": (0.52, 1.0, 0.52, 1.0),
    "left half": (0.0, 0.5, 0.0, 1.0), "right half": (0.5, 1.0, 0.0, 1.0),
    "top half": (0.0, 1.0, 0.0, 0.5), "bottom half": (0.0, 1.0, 0.5, 1.0),
}
_RELATION_REGIONS = {
    "left of": ("left half", "right half"), "right of": ("right half", "left half"),
    "above": ("top half", "bottom half"), "below": ("bottom half", "top half"),
}


def _boxes_apart(a, b, gap: int = 2) -> bool:
    return a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1]


def layout(spec: SceneSpec, rng: random.Random, size: int = PANEL_SIZE) -> list[Instance] | None:
    """Place every instance; None when the spec does not fit without touching objects."""
    regions = {i: obj.position for i, obj in enumerate(spec.objects)}
    overlaps: dict[int, int] = {}
    for rel in spec.relations:
        if rel.relation in _RELATION_REGIONS:
            sub, tgt = _RELATION_REGIONS[rel.relation]
            regions[rel.subject] = regions[rel.subject] or sub
            regions[rel.target] = regions[rel.target] or tgt
        else:
            overlaps[rel.subject] = rel.target
    placed: list[Instance] = []
    order = [i for i in range(len(spec.objects)) if i not in overlaps] + list(overlaps)
    for gi in order:
        obj = spec.objects[gi]
        w, h = object_box(obj.kind, obj.size)
        for _ in range(obj.count):
            box = _place(obj, gi, w, h, regions[gi], overlaps, placed, rng, size)
            if box is None:
                return None
            x0, y0 = box
            placed.append(Instance(group=gi, kind=obj.kind, color=obj.color,
                                   center=(x0 + w // 2, y0 + h // 2), bbox=(x0, y0, x0 + w, y0 + h)))
    return placed


def _place(obj, gi, w, h, region, overlaps, placed, rng, size):
    if gi in overlaps:  # in front of / behind: overlap the target's first instance by a third
        target = next(p for p in placed if p.group == overlaps[gi])
        tx, ty = target.center
        dx = rng.choice([-1, 1]) * max(3, (w + target.bbox[2] - target.bbox[0]) // 3)
        x0, y0 = tx + dx - w // 2, ty + rng.randint(-2, 3) - h // 2
        x0, y0 = min(max(x0, 1), size - w - 1), min(max(y0, 1), size - h - 1)
        return x0, y0
    rx0, rx1, ry0, ry1 = _REGIONS[region]
    lo_x, hi_x = int(rx0 * size) + 1, int(rx1 * size) - w - 1
    lo_y, hi_y = int(ry0 * size) + 1, int(ry1 * size) - h - 1
    if hi_x < lo_x or hi_y < lo_y:
        return None
    for _ in range(300):
        x0, y0 = rng.randint(lo_x, hi_x), rng.randint(lo_y, hi_y)
        if all(_boxes_apart((x0, y0, x0 + w, y0 + h), p.bbox) for p in placed):
            return x0, y0
    return None


# ---------------------------------------------------------------- rendering


def render_background(background: str, width: int = PANEL_SIZE, height: int = PANEL_SIZE):
    from PIL import Image, ImageDraw

    sky, ground = BACKGROUNDS[background]
    image = Image.new("RGB", (width, height), sky)
    ImageDraw.Draw(image).rectangle([0, int(HORIZON * height), width, height], fill=ground)
    return image


def instance_mask(inst: Instance, size: int = PANEL_SIZE):
    """The instance's silhouette as a size x size Pillow "L" mask (255 inside)."""
    from PIL import Image, ImageDraw

    mask = Image.new("L", (size, size), 0)
    x0, y0, x1, y1 = inst.bbox
    draw_shape(ImageDraw.Draw(mask), inst.kind, inst.center[0], inst.center[1], x1 - x0, y1 - y0)
    return mask


def render_instances(background: str, instances: list[Instance], size: int = PANEL_SIZE):
    """Draw instances in list order (later ones in front) onto a background."""
    image = render_background(background, size, size)
    for inst in instances:
        image.paste(COLORS[inst.color], (0, 0), instance_mask(inst, size))
    return image


def draw_order(spec: SceneSpec, instances: list[Instance]) -> list[Instance]:
    """Instances sorted so that 'in front of' subjects are drawn after their targets."""
    front = {r.subject for r in spec.relations if r.relation == "in front of"}
    front |= {r.target for r in spec.relations if r.relation == "behind"}
    return sorted(instances, key=lambda inst: inst.group in front)


def render_scene(spec: SceneSpec, seed: int = 0, size: int = PANEL_SIZE):
    """(PIL image, ground-truth instances) for one panel; raises ValueError if it cannot fit."""
    rng = random.Random(seed)
    for _ in range(50):
        instances = layout(spec, rng, size)
        if instances is not None:
            instances = draw_order(spec, instances)
            return render_instances(spec.background, instances, size), instances
    raise ValueError("the objects in this scene do not fit in one panel: ask for fewer or smaller objects")


def render_row(specs: list[SceneSpec], seed: int = 0, size: int = PANEL_SIZE):
    """A left-to-right row of panels on one canvas, and each panel's ground truth."""
    from PIL import Image

    canvas = Image.new("RGB", (size * len(specs), size))
    truths = []
    for i, spec in enumerate(specs):
        panel, instances = render_scene(spec, seed=seed * 7919 + i, size=size)
        canvas.paste(panel, (i * size, 0))
        truths.append(instances)
    return canvas, truths


# ---------------------------------------------------------------- captions

_BG_PHRASES = {
    "day": ["on a sunny day", "in the daytime", "under a blue sky", "day", "on a bright day", "on the grass"],
    "night": ["at night", "under the night sky", "night", "in the dark night", "at nighttime"],
    "sunset": ["at sunset", "sunset", "in the evening glow", "at dusk", "under a sunset sky"],
    "sea": ["by the sea", "at sea", "over the sea", "sea", "on the water"],
    "snow": ["in the snow", "on a snowy day", "snow", "in winter snow", "on snowy ground"],
}
_POS_PHRASES = {
    "left": ["on the left", "at the left", "left"], "right": ["on the right", "at the right", "right"],
    "top": ["at the top", "up high", "top"], "bottom": ["at the bottom", "down low", "bottom"],
    "center": ["in the middle", "in the center", "center"],
    "top left": ["in the top left corner", "at the top left", "top left"],
    "top right": ["in the top right corner", "at the top right", "top right"],
    "bottom left": ["in the bottom left corner", "at the bottom left", "bottom left"],
    "bottom right": ["in the bottom right corner", "at the bottom right", "bottom right"],
}
_REL_PHRASES = {
    "left of": ["left of", "to the left of", "on the left of"],
    "right of": ["right of", "to the right of", "on the right of"],
    "above": ["above", "over"], "below": ["below", "under", "beneath"],
    "in front of": ["in front of"], "behind": ["behind"],
}


def describe_object(obj: ObjectSpec, rng: random.Random, with_size: bool | None = None) -> str:
    """'a red circle', 'two big blue stars', 'the pink fox'."""
    size_word = ""
    if with_size if with_size is not None else rng.random() < 0.25:
        size_word = {"small": rng.choice(["small", "little"]), "medium": "", "large": rng.choice(["big", "large"])}[obj.size]
    noun = obj.kind if obj.count == 1 else PLURALS[obj.kind]
    if obj.count == 1:
        article = "the" if obj.kind == CHARACTER and rng.random() < 0.5 else rng.choice(["a", "one"]) if rng.random() < 0.2 else "a"
        words = [article, size_word, obj.color, noun]
    else:
        number = NUMBER_WORDS[obj.count] if rng.random() < 0.85 else str(obj.count)
        words = [number, size_word, obj.color, noun]
    return " ".join(w for w in words if w)


def caption(spec: SceneSpec, rng: random.Random | None = None) -> str:
    """One natural caption of a scene, phrased differently per rng draw."""
    rng = rng or random.Random(0)
    phrases = [describe_object(obj, rng) for obj in spec.objects]
    for i, obj in enumerate(spec.objects):
        if obj.position:
            phrases[i] += " " + rng.choice(_POS_PHRASES[obj.position])
    used: set[int] = set()
    clauses = []
    for rel in spec.relations:
        if rel.subject in used or rel.target in used:
            continue
        clauses.append(f"{phrases[rel.subject]} {rng.choice(_REL_PHRASES[rel.relation])} {phrases[rel.target]}")
        used |= {rel.subject, rel.target}
    clauses += [p for i, p in enumerate(phrases) if i not in used]
    rng.shuffle(clauses)
    if not clauses:
        body = ""
    elif len(clauses) == 1:
        body = clauses[0]
    else:
        body = ", ".join(clauses[:-1]) + rng.choice([" and ", ", "]) + clauses[-1]
    bg = rng.choice(_BG_PHRASES[spec.background])
    if not body:
        return rng.choice(["an empty scene ", "nothing ", ""]) + bg
    return rng.choice([f"{body} {bg}", f"{body}, {bg}", f"{bg}: {body}", f"{body} {bg}"]).strip()


# ---------------------------------------------------------------- sampling


def sample_object(rng: random.Random, kinds=OBJECTS, colors=COLOR_NAMES, max_count: int = 4,
                  kind_weights: Mapping[str, float] | None = None) -> ObjectSpec:
    """One object group; `kind_weights` (kind -> relative weight, 1 where absent) makes some kinds
    commoner than the uniform draw, e.g. to give training more of a kind the model draws badly."""
    if kind_weights:
        kind = rng.choices(kinds, weights=[kind_weights.get(k, 1.0) for k in kinds])[0]
    else:  # the uniform draw keeps the random stream of the runs made before kind weights
        kind = rng.choice(kinds)
    count = 1 if kind == CHARACTER else rng.randint(1, max_count)
    size_choices = ["small", "medium"] if count >= 3 else ["small", "medium", "medium", "large"]
    if kind == CHARACTER:
        size_choices = ["medium", "large", "large"]
    return ObjectSpec(kind=kind, color=rng.choice(colors), count=count, size=rng.choice(size_choices))


def sample_spec(rng: random.Random, max_groups: int = 3, max_instances: int = 6,
                kind_weights: Mapping[str, float] | None = None) -> SceneSpec:
    """A random scene that fits in one panel, with no two groups of the same kind and color."""
    while True:
        n_groups = min(rng.choice([1, 1, 2, 2, 2, 3]), max_groups)
        objects: list[ObjectSpec] = []
        for _ in range(n_groups):
            obj = sample_object(rng, kind_weights=kind_weights)
            if any((o.kind, o.color) == (obj.kind, obj.color) for o in objects):
                continue
            if obj.kind == CHARACTER and any(o.kind == CHARACTER for o in objects):
                continue
            objects.append(obj)
        if sum(o.count for o in objects) > max_instances:
            continue
        spec = SceneSpec(background=rng.choice(BACKGROUND_NAMES), objects=objects)
        _add_placement(spec, rng)
        if _fits(spec, rng):
            return spec


def _fits(spec: SceneSpec, rng: random.Random) -> bool:
    """True when three independent layouts all succeed (so rendering it will too)."""
    return all(layout(spec, random.Random(rng.random()), PANEL_SIZE) is not None for _ in range(3))


def _add_placement(spec: SceneSpec, rng: random.Random) -> None:
    """Give some groups a position, or relate two groups, so captions teach where things go."""
    objs = spec.objects
    if len(objs) >= 2 and rng.random() < 0.5:
        a, b = rng.sample(range(len(objs)), 2)
        overlap_ok = objs[a].count == objs[b].count == 1 and objs[a].color != objs[b].color
        choices = list(RELATIONS) if overlap_ok and rng.random() < 0.3 else list(RELATIONS[:4])
        spec.relations.append(RelationSpec(subject=a, relation=rng.choice(choices), target=b))
        return
    for obj in objs:
        if rng.random() < 0.55:
            obj.position = rng.choice(POSITIONS if obj.count <= 2 else POSITIONS[:5])


def sample_row(rng: random.Random, n_panels: int, kind_weights: Mapping[str, float] | None = None) -> list[SceneSpec]:
    """Panels of one story: the fox keeps its color and size, some objects recur across panels."""
    fox = sample_object(rng, kinds=(CHARACTER,)) if rng.random() < 0.7 else None
    cast = [sample_object(rng, kinds=OBJECTS[:-1], max_count=2, kind_weights=kind_weights) for _ in range(2)]
    specs = []
    for _ in range(n_panels):
        while True:
            objects = [fox.model_copy()] if fox else []
            for obj in cast:
                if rng.random() < 0.5 and all((o.kind, o.color) != (obj.kind, obj.color) for o in objects):
                    objects.append(obj.model_copy())
            if not objects or rng.random() < 0.3:
                extra = sample_object(rng, kinds=OBJECTS[:-1], max_count=3, kind_weights=kind_weights)
                if all((o.kind, o.color) != (extra.kind, extra.color) for o in objects):
                    objects.append(extra)
            objects = objects[:3]
            if sum(o.count for o in objects) > 6:
                continue
            spec = SceneSpec(background=rng.choice(BACKGROUND_NAMES), objects=objects)
            _add_placement(spec, rng)
            if _fits(spec, rng):
                specs.append(spec)
                break
    return specs


# ---------------------------------------------------------------- vocabulary

_FUNCTION_WORDS = """a an the one two three four 1 2 3 4 and with of to on in at by under over above below beneath
left right top bottom middle center corner of front behind up high down low sunny day daytime blue sky bright grass
night dark nighttime sunset evening glow dusk sea water snowy snow winter ground small little big large medium
empty scene nothing panels panel is are there some picture image draw show me please""".split()

WORLD_WORDS: frozenset[str] = frozenset(
    set(_FUNCTION_WORDS) | set(COLORS) | set(OBJECTS) | set(PLURALS.values()) | set(BACKGROUNDS)
    | set(NUMBER_WORDS.values()))

_WORD_RE = re.compile(r"\[panel-\d+\]|[a-z0-9]+", re.IGNORECASE)


def words(prompt: str) -> list[str]:
    """Lower-cased words of a prompt, panel tags kept whole."""
    return [w.lower() for w in _WORD_RE.findall(prompt or "")]
