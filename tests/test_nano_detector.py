"""The world's detector reads rendered ground truth back (the critic builds on it)."""

import collections
import random

from chatdit.storybook import ObjectSpec, SceneSpec, render_row, render_scene, sample_spec
from chatdit.storybook.detector import check_spec, detect_scene, panels


def test_detector_meets_098_per_requirement_on_rendered_scenes():
    rng = random.Random(11)
    met = collections.defaultdict(list)
    for seed in range(150):
        spec = sample_spec(rng)
        image, _ = render_scene(spec, seed=seed)
        for r in check_spec(image, spec):
            met[r.category].append(r.passed)
    for category in ("kind", "color", "count", "left_right", "background"):
        assert sum(met[category]) / len(met[category]) >= 0.98, (category, sum(met[category]), len(met[category]))


def test_detect_scene_reports_kind_color_count_and_place():
    spec = SceneSpec(background="snow", objects=[ObjectSpec(kind="star", color="blue", count=3, size="small", position="left"),
                                                 ObjectSpec(kind="fox", color="orange", size="medium", position="right")])
    image, truth = render_scene(spec, seed=2)
    scene = detect_scene(image)
    assert scene.background == "snow"
    assert scene.count("star", "blue") == 3
    fox = scene.find("fox", "orange")
    assert len(fox) == 1 and fox[0].center[0] > 32
    assert all(o.center[0] < 32 for o in scene.find("star"))


def test_panels_of_a_canvas_are_checked_one_by_one():
    specs = [SceneSpec(background=bg, objects=[ObjectSpec(kind="fox", color="red", size="large")])
             for bg in ("day", "night")]
    canvas, _ = render_row(specs, seed=0)
    scenes = [detect_scene(p) for p in panels(canvas, 2)]
    assert [s.background for s in scenes] == ["day", "night"]
    assert all(s.count("fox", "red") == 1 for s in scenes)


def test_each_group_requirement_names_the_kind_it_is_about():
    spec = SceneSpec(background="day", objects=[ObjectSpec(kind="sun", color="yellow", size="large", position="left"),
                                                ObjectSpec(kind="boat", color="red", count=2, size="small")])
    image, _ = render_scene(spec, seed=1)
    subjects = collections.defaultdict(set)
    for r in check_spec(image, spec):
        subjects[r.category].add(r.subject)
    assert subjects["kind"] == subjects["count"] == {"sun", "boat"}
    assert subjects["left_right"] == {"sun"} and subjects["background"] == {""}
