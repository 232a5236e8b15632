"""Counterfactual scenes: the changed picture shows the changed spec (by the world's own detector),
and nothing else moves."""

import random

import numpy as np

from chatdit.dit.nano.counterfactual import counterfactual, drop_one, mirror, swap_kind
from chatdit.storybook import ObjectSpec, RelationSpec, SceneSpec, render_instances, render_scene
from chatdit.storybook.detector import check_spec


def _scene(spec, seed=4):
    image, instances = render_scene(spec, seed=seed)
    return image, instances


def _passed(image, spec, category):
    return [r.passed for r in check_spec(image, spec) if r.category == category]


def test_a_kind_swap_redraws_one_group_in_place_and_the_detector_sees_the_new_kind():
    spec = SceneSpec(background="day", objects=[ObjectSpec(kind="star", color="red", count=2, size="medium"),
                                                ObjectSpec(kind="house", color="blue", size="large")])
    image, instances = _scene(spec)
    changed_spec, changed = swap_kind(spec, instances, random.Random(0))
    (group,) = [g for g in range(2) if changed_spec.objects[g].kind != spec.objects[g].kind]
    assert [o.model_dump(exclude={"kind"}) for o in changed_spec.objects] == [o.model_dump(exclude={"kind"}) for o in spec.objects]
    assert [i.center for i in changed] == [i.center for i in instances]
    picture = render_instances(spec.background, changed)
    assert all(_passed(picture, changed_spec, "kind")) and all(_passed(picture, changed_spec, "count"))
    other = 1 - group  # the other group's pixels are untouched
    x0, y0, x1, y1 = next(i.bbox for i in instances if i.group == other)
    assert np.array_equal(np.asarray(picture)[y0:y1, x0:x1], np.asarray(image)[y0:y1, x0:x1])


def test_dropping_one_instance_lowers_that_groups_count_by_one():
    spec = SceneSpec(background="night", objects=[ObjectSpec(kind="circle", color="yellow", count=3, size="small")])
    image, instances = _scene(spec)
    changed_spec, changed = drop_one(spec, instances, random.Random(1))
    assert changed_spec.objects[0].count == 2 and len(changed) == 2
    assert all(_passed(render_instances("night", changed), changed_spec, "count"))
    single = SceneSpec(objects=[ObjectSpec(kind="fox", color="orange")])
    assert drop_one(single, _scene(single)[1], random.Random(1)) is None  # nothing to drop


def test_a_mirror_swaps_left_and_right_in_the_spec_and_the_picture():
    spec = SceneSpec(background="sea", objects=[ObjectSpec(kind="boat", color="red", size="large"),
                                                ObjectSpec(kind="sun", color="yellow")],
                     relations=[RelationSpec(subject=0, relation="left of", target=1)])
    image, instances = _scene(spec)
    changed_spec, changed = mirror(spec, instances, random.Random(2))
    assert changed_spec.relations[0].relation == "right of"
    picture = render_instances("sea", changed)
    assert all(_passed(picture, changed_spec, "left_right")) and not any(_passed(image, changed_spec, "left_right"))
    assert all(_passed(picture, changed_spec, "kind"))  # shapes are drawn as always, only their places move
    above = SceneSpec(objects=[ObjectSpec(kind="sun", color="yellow", position="top")])
    assert mirror(above, _scene(above)[1], random.Random(2)) is None  # says nothing about left or right


def test_every_counterfactual_of_held_out_specs_is_read_as_its_changed_spec():
    from chatdit.storybook import sample_spec

    rng = random.Random(7)
    made = {}
    for _ in range(60):
        spec = sample_spec(rng)
        _, instances = _scene(spec, seed=rng.randrange(1000))
        changed_spec, _, picture, change = counterfactual(spec, instances, rng)
        made[change] = made.get(change, 0) + 1
        assert changed_spec != spec
        results = [r for r in check_spec(picture, changed_spec) if r.category in ("kind", "color", "left_right")]
        assert sum(r.passed for r in results) >= len(results) - 1, (change, changed_spec, results)
    assert set(made) == {"kind", "count", "mirror"}
