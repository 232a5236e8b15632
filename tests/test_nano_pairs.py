"""Counterfactual pairs: the changed picture shows the changed spec (by the world's own detector),
nothing else moves, and the pair loss measures the predicted difference."""

import random

import numpy as np
import pytest

from chatdit.dit.nano.pairs import counterfactual, drop_one, mirror, swap_kind
from chatdit.dit.nano.world import ObjectSpec, RelationSpec, SceneSpec, render_instances, render_scene
from chatdit.vision.nano_world import check_spec


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
    from chatdit.dit.nano.world import sample_spec

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


def test_the_pair_loss_is_the_relative_error_of_the_predicted_difference():
    torch = pytest.importorskip("torch")
    from chatdit.dit.nano.train import pair_loss

    target = torch.randn(4, 8, 3)
    captions = ["a red star", "a red circle", "two blue fish", "one blue fish"]
    assert pair_loss(target.clone(), target, captions).item() == pytest.approx(0.0)
    same = target.clone()
    same[1::2] = same[0::2]  # a model that ignores what the captions change
    assert pair_loss(same, target, captions).item() == pytest.approx(1.0)
    dropped = ["", "", "two blue fish", "one blue fish"]  # a pair whose caption was dropped is left out
    wrong_first = target.clone()
    wrong_first[0] += 5
    assert pair_loss(wrong_first, target, dropped).item() == pytest.approx(0.0)
    assert pair_loss(wrong_first, target, ["", "", "", ""]).item() == 0.0


def test_a_row_pair_changes_one_panel_and_its_caption_alone():
    from chatdit.dit.nano.pairs import counterfactual_row
    from chatdit.dit.nano.world import render_row, sample_row

    rng = random.Random(3)
    changes = set()
    for _ in range(12):
        specs = sample_row(rng, 3)
        canvas, truths = render_row(specs, seed=rng.randrange(1000))
        new_specs, new_truths, changed, change = counterfactual_row(specs, truths, canvas, rng)
        changes.add(change)
        (k,) = [i for i in range(3) if new_specs[i] != specs[i]]
        diff = (np.asarray(changed) != np.asarray(canvas)).any(-1)
        assert diff[:, k * 64:(k + 1) * 64].any() and not np.delete(diff, np.s_[k * 64:(k + 1) * 64], axis=1).any()
        if change == "background":
            assert new_specs[k].background != specs[k].background and new_truths[k] == truths[k]
            assert check_spec(changed.crop((k * 64, 0, k * 64 + 64, 64)), new_specs[k])[0].passed
    assert "background" in changes


def test_paired_batches_hold_pairs_of_one_scene_with_one_thing_changed():
    torch = pytest.importorskip("torch")
    from chatdit.dit.nano.train import make_loader

    loader = make_loader(5, 8, 0, pairs=1.0, pair_rows=1.0)
    widths = set()
    for images, _, captions, paired in (next(loader) for _ in range(10)):
        widths.add(images.shape[3])
        assert paired and len(captions) % 2 == 0
        for k in range(0, len(captions), 2):
            assert captions[k] != captions[k + 1]
            differs = (images[k] != images[k + 1]).any(0).float().mean().item()
            assert 0 < differs < 0.5  # the same scene (row), a part of it changed
    assert 64 in widths and len(widths) > 1  # single panels and rows
    singles_only = make_loader(5, 8, 0, pairs=1.0)
    assert all(p == (images.shape[3] == 64) for images, *_, p in (next(singles_only) for _ in range(8)))
    assert not any(p for *_, p in (next(make_loader(5, 8, 0)) for _ in range(4)))


def test_the_pair_loss_leaves_out_pairs_noised_too_little_to_hide_the_difference():
    torch = pytest.importorskip("torch")
    from chatdit.dit.nano.train import pair_loss

    target = torch.randn(4, 8, 3)
    pred = target.clone()
    pred[0] += 1  # the first pair's difference is wrong
    captions = ["a red star", "a red circle", "two blue fish", "one blue fish"]
    t = torch.tensor([0.2, 0.2, 0.9, 0.9])
    assert pair_loss(pred, target, captions, t, min_t=0.5).item() == pytest.approx(0.0)
    assert pair_loss(pred, target, captions, t, min_t=0.1).item() > 0
