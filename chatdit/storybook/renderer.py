"""Pillow pictures of storybook scenes: a sky, a ground, and flat-colored silhouettes.

Everything the nano model can draw is drawn here first, with its ground truth kept (each
instance's kind, color, center and box) for the detector, the benches and the critic.
"""

from __future__ import annotations

import random

from chatdit.storybook.layout import place_scene
from chatdit.storybook.scene import HORIZON, PANEL_SIZE, Instance, SceneSpec
from chatdit.storybook.shapes import draw_shape
from chatdit.storybook.vocabulary import BACKGROUNDS, COLORS


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


def render_scene(spec: SceneSpec, seed: int = 0, size: int = PANEL_SIZE):
    """(PIL image, ground-truth instances) for one panel; raises ValueError if it cannot fit."""
    instances = place_scene(spec, random.Random(seed), size)
    return render_instances(spec.background, instances, size), instances


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
