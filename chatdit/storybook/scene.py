"""What a storybook picture is asked to show (a scene spec) and what was drawn (instances).

The renderer keeps the ground truth (every instance's kind, color, center and box), so the
detector, the benches and the critic can check pictures against the spec that asked for them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from chatdit.storybook.vocabulary import Background, Color, Kind, Position, RelationName

PANEL_SIZE = 64
HORIZON = 0.62  # fraction of the height where sky meets ground


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
