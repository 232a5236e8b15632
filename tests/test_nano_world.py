"""The storybook world: specs render with exact ground truth, captions say what was drawn."""

import random

import numpy as np
import pytest

from chatdit.dit.captions import joint_caption, split_joint_caption
from chatdit.storybook import (
    BACKGROUNDS,
    COLORS,
    OBJECTS,
    ObjectSpec,
    SceneSpec,
    caption,
    render_row,
    render_scene,
    sample_row,
    sample_spec,
)


def test_vocabulary_covers_the_issue():
    assert {"red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "white", "black"} <= set(COLORS)
    assert {"circle", "square", "triangle", "star", "heart", "tree", "house", "sun", "moon", "cloud", "flower",
            "fish", "boat", "bird", "fox"} <= set(OBJECTS)
    assert {"day", "night", "sunset", "sea", "snow"} <= set(BACKGROUNDS)


def test_every_drawn_instance_keeps_its_ground_truth():
    rng = random.Random(5)
    for seed in range(60):
        spec = sample_spec(rng)
        image, instances = render_scene(spec, seed=seed)
        assert image.size == (64, 64)
        assert sum(o.count for o in spec.objects) == len(instances)
        pixels = np.asarray(image)
        for inst in instances:
            x0, y0, x1, y1 = inst.bbox
            assert 0 <= x0 < x1 <= 64 and 0 <= y0 < y1 <= 64
            box = pixels[y0:y1, x0:x1].reshape(-1, 3)
            assert (box == COLORS[inst.color]).all(axis=1).any(), inst


def test_relations_place_objects_where_the_caption_says():
    spec = SceneSpec(background="night", objects=[ObjectSpec(kind="star", color="yellow"), ObjectSpec(kind="house", color="red")],
                     relations=[{"subject": 0, "relation": "left of", "target": 1}])
    for seed in range(10):
        _, instances = render_scene(spec, seed=seed)
        star = next(i for i in instances if i.kind == "star")
        house = next(i for i in instances if i.kind == "house")
        assert star.center[0] < house.center[0]


def test_captions_name_color_kind_count_and_background_in_varied_phrasing():
    spec = SceneSpec(background="sunset", objects=[ObjectSpec(kind="circle", color="red", count=2, position="left")])
    captions = {caption(spec, random.Random(i)) for i in range(30)}
    assert len(captions) > 5
    for text in captions:
        assert "red" in text and "circles" in text and ("two" in text or "2" in text)


def test_rows_keep_the_fox_color_across_panels_and_use_the_joint_caption_format():
    rng = random.Random(3)
    rows = [sample_row(rng, 4) for _ in range(20)]
    for row in rows:
        fox_colors = {o.color for spec in row for o in spec.objects if o.kind == "fox"}
        assert len(fox_colors) <= 1
    canvas, truths = render_row(rows[0], seed=1)
    assert canvas.size == (256, 64) and len(truths) == 4
    text = joint_caption([caption(s, rng) for s in rows[0]])
    assert text.startswith("4 panels, left to right. [PANEL-1]")
    assert len(split_joint_caption(text)) == 4


def test_kind_weights_make_a_kind_commoner_in_scenes_and_rows_and_leave_the_uniform_draw_alone():
    import collections

    def kinds(draw) -> collections.Counter:
        rng = random.Random(3)
        return collections.Counter(o.kind for _ in range(300) for spec in draw(rng) for o in spec.objects)

    plain, weighted = kinds(lambda rng: [sample_spec(rng)]), kinds(lambda rng: [sample_spec(rng, kind_weights={"moon": 4})])
    assert weighted["moon"] > 2.5 * plain["moon"]
    assert kinds(lambda rng: [sample_spec(rng, kind_weights={})]) == plain  # no weights: the same random stream
    rows = kinds(lambda rng: sample_row(rng, 2, kind_weights={"moon": 4}))
    assert rows["moon"] > 2 * kinds(lambda rng: sample_row(rng, 2))["moon"]


def test_a_spec_that_cannot_fit_says_what_to_do():
    spec = SceneSpec(objects=[ObjectSpec(kind="fox", color="red", count=4, size="large", position="top left")])
    with pytest.raises(ValueError, match="fewer or smaller"):
        render_scene(spec)
