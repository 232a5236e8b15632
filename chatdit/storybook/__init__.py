"""The storybook world: the one place that knows what nano can draw and how to check it.

Its words (`vocabulary`), scene specs (`scene`), silhouettes (`shapes`), layout, renderer,
captions, random scenes (`sampling`), the reading of a scene from words (`reading`) and the
detector that reads a picture back (`detector`, which needs numpy and OpenCV). The model, its
training, the critic and the benches all import it; it imports nothing of chatdit above it.
The common names are re-exported here; the detector is imported from its module.
"""

from __future__ import annotations

from chatdit.storybook.captions import caption, describe_object
from chatdit.storybook.layout import boxes_apart, draw_order, layout, place_scene
from chatdit.storybook.reading import read_scene, world_background, world_color, world_kind
from chatdit.storybook.renderer import instance_mask, render_background, render_instances, render_row, render_scene
from chatdit.storybook.sampling import sample_object, sample_row, sample_spec
from chatdit.storybook.scene import HORIZON, PANEL_SIZE, Instance, ObjectSpec, RelationSpec, SceneSpec
from chatdit.storybook.shapes import ASPECT, draw_shape, object_box
from chatdit.storybook.vocabulary import (
                                          BACKGROUND_NAMES,
                                          BACKGROUNDS,
                                          CHARACTER,
                                          COLOR_NAMES,
                                          COLORS,
                                          NOUNS,
                                          OBJECTS,
                                          PLURALS,
                                          POSITIONS,
                                          RELATIONS,
                                          SIZES,
                                          WORLD_WORDS,
                                          words,
)

__all__ = [
                                          "ASPECT",
                                          "BACKGROUNDS",
                                          "BACKGROUND_NAMES",
                                          "CHARACTER",
                                          "COLORS",
                                          "COLOR_NAMES",
                                          "HORIZON",
                                          "NOUNS",
                                          "OBJECTS",
                                          "PANEL_SIZE",
                                          "PLURALS",
                                          "POSITIONS",
                                          "RELATIONS",
                                          "SIZES",
                                          "WORLD_WORDS",
                                          "Instance",
                                          "ObjectSpec",
                                          "RelationSpec",
                                          "SceneSpec",
                                          "boxes_apart",
                                          "caption",
                                          "describe_object",
                                          "draw_order",
                                          "draw_shape",
                                          "instance_mask",
                                          "layout",
                                          "object_box",
                                          "place_scene",
                                          "read_scene",
                                          "render_background",
                                          "render_instances",
                                          "render_row",
                                          "render_scene",
                                          "sample_object",
                                          "sample_row",
                                          "sample_spec",
                                          "words",
                                          "world_background",
                                          "world_color",
                                          "world_kind",
]
