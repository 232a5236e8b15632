"""Grounded nano drawing: prompts read into scenes, scenes into boxes, and the text and mask the
model is trained with are the ones the hub draws with."""

import random

import pytest

from chatdit.dit.captions import joint_caption
from chatdit.dit.nano.grounding import GLOBAL_TEXT, grounded_length, group_phrase, plan_prompt, read_panels, scene_regions
from chatdit.storybook import ObjectSpec, SceneSpec, caption, read_scene, render_row, sample_row, sample_spec

torch = pytest.importorskip("torch")


def summary(spec: SceneSpec):
    """What a caption says of a scene (sizes are left to the boxes)."""
    return (spec.background, sorted((o.kind, o.color, o.count, o.position) for o in spec.objects),
            sorted((spec.objects[r.subject].kind, r.relation, spec.objects[r.target].kind) for r in spec.relations))


def test_every_caption_the_world_writes_is_read_back_as_its_scene():
    rng = random.Random(11)
    for _ in range(300):
        spec = sample_spec(rng)
        text = caption(spec, rng)
        assert summary(read_scene(text)) == summary(spec), text


def test_a_joint_caption_is_read_panel_by_panel():
    rng = random.Random(4)
    row = sample_row(rng, 3)
    scenes = read_panels(joint_caption([caption(s, rng) for s in row]))
    assert [summary(s) for s in scenes] == [summary(s) for s in row]


@pytest.mark.parametrize("prompt, expected", [
    ("three green trees on a snowy day", ("snow", [("tree", "green", 3, None)], [])),
    ("a red fox to the left of two yellow stars, at night",
     ("night", [("fox", "red", 1, None), ("star", "yellow", 2, None)], [("fox", "left of", "star")])),
    ("a blue boat over the sea and a white cloud up high",
     ("sea", [("boat", "blue", 1, None), ("cloud", "white", 1, "top")], [])),
    ("Two Purple Hearts in the top right corner", ("day", [("heart", "purple", 2, "top right")], [])),
    ("yellow stars", ("day", [("star", "yellow", 2, None)], [])),
])
def test_people_s_phrasings_are_read_too(prompt, expected):
    assert summary(read_scene(prompt)) == expected


def test_a_prompt_with_nothing_of_the_world_is_not_grounded_and_a_bare_background_is():
    assert read_scene("a dragon over a castle") is None
    assert plan_prompt("a dragon over a castle", seed=0) is None
    [night] = plan_prompt("a dragon at night", seed=0)
    assert night.backdrop and night.phrase == "night" and night.box == (0.0, 0.0, 1.0, 1.0)


def test_regions_hold_one_box_per_drawn_object_normalised_to_the_whole_canvas():
    row = [SceneSpec(objects=[ObjectSpec(kind="star", color="red", count=3)]),
           SceneSpec(objects=[ObjectSpec(kind="fox", color="orange"), ObjectSpec(kind="sun", color="yellow")])]
    _, truths = render_row(row, seed=2)
    regions = scene_regions(row, truths, 64)
    assert [r.phrase for r in regions if r.backdrop] == ["day", "day"]
    assert [r.box for r in regions if r.backdrop] == [(0.0, 0.0, 0.5, 1.0), (0.5, 0.0, 1.0, 1.0)]
    regions = [r for r in regions if not r.backdrop]
    assert sorted(r.phrase for r in regions) == ["a orange fox", "a yellow sun", "three red stars"]
    stars = next(r for r in regions if r.phrase == "three red stars")
    assert len(stars.boxes) == 3 and all(b[2] <= 0.5 for b in stars.boxes)  # panel 1 is the left half
    assert all(b[0] >= 0.5 for r in regions if r.phrase != "three red stars" for b in r.boxes)
    first = truths[0][0]
    assert (first.bbox[0] / 128, first.bbox[1] / 64, first.bbox[2] / 128, first.bbox[3] / 64) in stars.boxes


def test_planned_boxes_keep_the_places_the_prompt_asks_for():
    for seed in range(10):
        left, right = plan_prompt("a red circle on the left and a blue square on the right", seed)[:2]
        by_phrase = {r.phrase: r.box for r in (left, right)}
        assert (by_phrase["a red circle"][0] + by_phrase["a red circle"][2]) / 2 < 0.5
        assert (by_phrase["a blue square"][0] + by_phrase["a blue square"][2]) / 2 > 0.5
    assert group_phrase(ObjectSpec(kind="fish", color="black", count=2)) == "two black fish"


def test_training_encodes_a_grounded_prompt_exactly_as_the_hub_draws_it(tiny_pipe):
    from chatdit.dit.nano.grounding import grounded_kwargs
    from chatdit.dit.nano.train import encode_batch_text

    prompt = "two red stars left of a blue house at night"
    regions = plan_prompt(prompt, 5)
    drawn = grounded_kwargs(tiny_pipe, [regions], [prompt], 64, 64, [16, 32, 64])
    length = drawn["max_sequence_length"]
    assert length == grounded_length(tiny_pipe.tokenizer_2, regions, GLOBAL_TEXT, [16, 32, 64])
    with torch.no_grad():
        pooled, text, mask, _ = encode_batch_text(tiny_pipe.text_encoder, tiny_pipe.text_encoder_2,
                                                  (tiny_pipe.tokenizer, tiny_pipe.tokenizer_2), [GLOBAL_TEXT], [regions],
                                                  [False], "cpu", length, (8, 8))
    assert torch.allclose(text, drawn["prompt_embeds"], atol=1e-5)
    assert torch.allclose(pooled, drawn["pooled_prompt_embeds"], atol=1e-5)
    assert torch.equal(mask, drawn["joint_attention_kwargs"]["attention_mask"])
    stars = [r for r in regions if r.phrase == "two red stars"][0]
    assert len(stars.boxes) == 2


def test_a_dropped_grounded_caption_is_the_empty_prompt_under_the_same_mask(tiny_pipe):
    from chatdit.dit.nano.train import encode_batch_text

    prompt = "a yellow sun at the top, a green tree"
    regions = plan_prompt(prompt, 1)
    with torch.no_grad():
        encoders = (tiny_pipe.text_encoder, tiny_pipe.text_encoder_2, (tiny_pipe.tokenizer, tiny_pipe.tokenizer_2))
        _, kept_text, kept, _ = encode_batch_text(*encoders, [GLOBAL_TEXT], [regions], [False], "cpu", 32, (8, 8))
        _, dropped_text, dropped, _ = encode_batch_text(*encoders, [GLOBAL_TEXT], [regions], [True], "cpu", 32, (8, 8))
        empty, _, _ = tiny_pipe.encode_prompt("", max_sequence_length=32)
    assert torch.equal(kept, dropped) and not kept.all()
    assert torch.allclose(dropped_text, empty, atol=1e-6) and not torch.allclose(kept_text, empty)


def test_the_hub_draws_nano_prompts_grounded_when_the_model_says_so(tiny_pipe, monkeypatch):
    from chatdit.config import Settings
    from chatdit.dit.hub import ModelHub

    hub = ModelHub(Settings(model="tiny"))
    monkeypatch.setattr(hub.info, "grounding", "storybook")
    monkeypatch.setattr(hub.info, "sequence_buckets", [16, 32, 64])
    kwargs = hub.call_kwargs(tiny_pipe, width=128, height=64, seed=2,
                             prompt=joint_caption(["a red fox on the left", "the red fox and two yellow suns"]))
    assert "prompt" not in kwargs and kwargs["prompt_embeds"].shape[1] == kwargs["max_sequence_length"]
    mask = kwargs["joint_attention_kwargs"]["attention_mask"]
    assert mask.shape[-1] == kwargs["max_sequence_length"] + 8 * 16 and not mask.all()
    image = tiny_pipe(**kwargs).images[0]
    assert image.size == (128, 64)
    plain = hub.call_kwargs(tiny_pipe, width=64, height=64, seed=2, prompt="a dragon over a castle")
    assert plain["prompt"] == "a dragon over a castle" and "joint_attention_kwargs" not in plain


def test_a_fill_grounds_known_panels_where_the_detector_finds_their_objects(tiny_pipe):
    from PIL import Image

    from chatdit.config import Settings
    from chatdit.dit.hub import ModelHub
    from chatdit.dit.nano.grounding import plan_fill

    known = SceneSpec(background="night", objects=[ObjectSpec(kind="square", color="red", count=2, size="large")])
    canvas, truths = render_row([known, SceneSpec()], seed=1)
    mask = Image.new("L", (128, 64), 0)
    mask.paste(255, (64, 0, 128, 64))
    prompt = joint_caption(["two red squares at night", "a yellow sun on the right, sunset"])
    regions = plan_fill(prompt, canvas, mask, seed=3)
    squares = next(r for r in regions if r.phrase == "two red squares")
    expected = sorted((i.bbox[0] / 128, i.bbox[1] / 64, i.bbox[2] / 128, i.bbox[3] / 64) for i in truths[0])
    assert sorted(squares.boxes) == pytest.approx(expected)
    sun = next(r for r in regions if r.phrase == "a yellow sun")
    assert 0.75 < (sun.box[0] + sun.box[2]) / 2 <= 1.0, "the new panel's sun is planned on its right"
    assert [r.phrase for r in regions if r.backdrop] == ["night", "sunset"]

    from diffusers import FluxInpaintPipeline

    hub = ModelHub(Settings(model="tiny"))
    hub.info.grounding, hub.info.sequence_buckets = "storybook", [16, 32, 64]
    fill = FluxInpaintPipeline.from_pipe(tiny_pipe)
    kwargs = hub.call_kwargs(fill, width=128, height=64, seed=3, prompt=prompt, image=canvas, mask_image=mask, strength=1.0)
    assert "prompt" not in kwargs and not kwargs["joint_attention_kwargs"]["attention_mask"].all()
    edit = hub.call_kwargs(fill, width=128, height=64, seed=3, prompt=prompt, image=canvas, mask_image=mask, strength=0.6)
    assert edit["prompt"] == prompt, "an img2img edit of a picture keeps its plain prompt"


def test_a_redrawn_spot_keeps_the_objects_outside_it_and_gets_what_the_words_add():
    from PIL import Image

    from chatdit.dit.nano.grounding import plan_fill

    spec = SceneSpec(background="night", objects=[ObjectSpec(kind="square", color="red", size="large", position="left")])
    picture, [[square]] = render_row([spec], seed=4)
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (36, 4, 62, 30))  # the critic's spot, top right
    regions = plan_fill("a red square on the left and a yellow sun at night", picture, mask, seed=1)
    by_phrase = {r.phrase: r for r in regions}
    assert by_phrase["night"].backdrop
    assert by_phrase["a red square"].box == pytest.approx(tuple(v / 64 for v in square.bbox))
    sun = by_phrase["a yellow sun"].box
    assert 36 / 64 <= sun[0] and sun[2] <= 62 / 64 + 1e-9 and 4 / 64 <= sun[1] and sun[3] <= 30 / 64 + 1e-9
    assert by_phrase["a yellow sun"].rank == 0, "what is added is in front"


def test_an_object_added_into_a_mask_of_separate_boxes_lands_inside_one_of_them():
    import numpy as np
    from PIL import Image

    from chatdit.dit.nano.grounding import plan_fill

    picture, _ = render_row([SceneSpec(background="day", objects=[])], seed=1)
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (2, 2, 24, 24))
    mask.paste(255, (40, 40, 62, 62))  # two foxes' boxes: the square between them is not redrawn
    hole = np.asarray(mask) >= 128
    for seed in range(6):
        [fox] = [r for r in plan_fill("a blue fox on a sunny day", picture, mask, seed=seed) if not r.backdrop]
        x0, y0, x1, y1 = (round(v * 64) for v in fox.box)
        assert hole[y0:y1, x0:x1].all(), f"seed {seed}: the fox at {fox.box} is partly where nothing is pasted back"


def test_grounded_samples_train_through_the_mask_and_the_phrase_encodings():
    from chatdit.dit.nano.build import TINY_CONFIG, build_models, build_tokenizers
    from chatdit.dit.nano.train import encode_batch, flow_matching_loss, make_loader

    torch.manual_seed(0)
    clip_tok, t5_tok = build_tokenizers()
    models = build_models(clip_tok, t5_tok, TINY_CONFIG)
    images, _, captions, regions = next(make_loader(2, 4, 0, vae_only=True))
    assert all(any(not r.backdrop for r in rs) for rs in regions), "every sampled scene has objects"
    x0, ids = encode_batch(models["vae"].eval(), images, "cpu")
    t, noise = torch.full((x0.shape[0],), 0.6), torch.randn_like(x0)
    texts = [GLOBAL_TEXT] * len(captions)
    lengths = [grounded_length(t5_tok, r, GLOBAL_TEXT, [16, 32, 64]) for r in regions]
    grounded, _ = flow_matching_loss(models, (clip_tok, t5_tok), x0, ids, texts, lengths, t, noise, regions=regions)
    plain, _ = flow_matching_loss(models, (clip_tok, t5_tok), x0, ids, texts, lengths, t, noise)
    assert not torch.isclose(grounded, plain), "the phrases and the mask change what the transformer sees"
    grounded.backward()
    embeddings = models["text_encoder_2"].get_input_embeddings().weight.grad
    star = t5_tok.convert_tokens_to_ids("\u2581" + next(r for r in regions[0] if not r.backdrop).phrase.split()[-1])
    assert embeddings[star].abs().sum() > 0, "a phrase's words are trained"


def test_the_math_attention_kernel_trains_as_the_fused_one_does():
    """train.py picks the math kernel on a CPU for speed (attention_kernel): it must be the same
    loss and the same gradients under the regional masks, or the speed-up changes the model."""
    from chatdit.dit.nano.build import TINY_CONFIG, build_models, build_tokenizers
    from chatdit.dit.nano.train import encode_batch, flow_matching_loss, make_loader

    torch.manual_seed(0)
    clip_tok, t5_tok = build_tokenizers()
    models = build_models(clip_tok, t5_tok, TINY_CONFIG)
    images, _, captions, regions = next(make_loader(3, 4, 0, vae_only=True))
    x0, ids = encode_batch(models["vae"].eval(), images, "cpu")
    t, noise = torch.full((x0.shape[0],), 0.4), torch.randn_like(x0)
    texts = [GLOBAL_TEXT] * len(captions)
    lengths = [grounded_length(t5_tok, r, GLOBAL_TEXT, [16, 32, 64]) for r in regions]
    transformer = models["transformer"]
    results = {}
    for kernel in ("fused", "math"):
        transformer.zero_grad(set_to_none=True)
        loss, _ = flow_matching_loss(models, (clip_tok, t5_tok), x0, ids, texts, lengths, t, noise, regions=regions,
                                     attention=kernel)
        loss.backward()
        results[kernel] = loss.detach(), torch.cat([p.grad.flatten() for p in transformer.parameters()])
    (fused_loss, fused_grad), (math_loss, math_grad) = results["fused"], results["math"]
    assert torch.allclose(fused_loss, math_loss, rtol=1e-5, atol=1e-6)
    assert torch.allclose(fused_grad, math_grad, rtol=1e-3, atol=1e-5)
    assert fused_grad.abs().sum() > 0
