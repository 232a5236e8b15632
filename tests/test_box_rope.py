"""Box positions for grounded phrases: Flux's attention exactly, plus each object phrase at its box."""

import pytest

from chatdit.dit.nano.grounding import GLOBAL_TEXT, each_object, plan_prompt
from chatdit.dit.regional import Region

torch = pytest.importorskip("torch")


def transformer_call(transformer, batch: int = 2, text_len: int = 16):
    from diffusers import FluxPipeline

    config = transformer.config
    generator = torch.Generator().manual_seed(1)
    return dict(hidden_states=torch.randn(batch, 64, config.in_channels, generator=generator),
                encoder_hidden_states=torch.randn(batch, text_len, config.joint_attention_dim, generator=generator),
                pooled_projections=torch.randn(batch, config.pooled_projection_dim, generator=generator),
                timestep=torch.tensor([0.5, 0.8][:batch]), img_ids=FluxPipeline._prepare_latent_image_ids(1, 8, 8, "cpu", torch.float32),
                txt_ids=torch.zeros(text_len, 3), return_dict=False)


def test_text_at_the_origin_is_flux_s_own_attention_and_a_phrase_s_box_moves_only_its_picture(tiny_pipe):
    import copy

    from chatdit.dit.box_rope import text_rotary, use_box_rope

    plain = tiny_pipe.transformer
    boxed = copy.deepcopy(plain)
    use_box_rope(boxed)
    call = transformer_call(plain)
    mask = torch.ones(2, 1, 16 + 64, 16 + 64, dtype=torch.bool)
    positions = torch.zeros(2, 16, 3)
    with torch.no_grad():
        flux = plain(**call, joint_attention_kwargs={"attention_mask": mask})[0]
        origin = boxed(**call, joint_attention_kwargs={"attention_mask": mask, "text_rotary_emb": text_rotary(boxed, positions)})[0]
        positions[0, :4] = torch.tensor([2.0, 5.5, 1.5])
        moved = boxed(**call, joint_attention_kwargs={"attention_mask": mask, "text_rotary_emb": text_rotary(boxed, positions)})[0]
    assert torch.allclose(flux, origin, atol=1e-6)
    assert not torch.allclose(moved[0], origin[0], atol=1e-4), "a phrase's position reaches the picture"
    assert torch.equal(moved[1], origin[1]), "each picture of a batch has its own text positions"


def test_each_object_phrase_sits_at_its_box_centre_in_token_units():
    from chatdit.dit.box_rope import phrase_positions

    regions = [Region("a red star", (0.25, 0.5, 0.5, 0.75)), Region("night", (0.0, 0.0, 1.0, 1.0), backdrop=True)]
    positions = phrase_positions(8, [[0, 1, 2], [3]], regions, rows=8, cols=8)
    # the box spans image tokens 2-3 across and 4-5 down: its centre lies between their ids
    assert positions[:3].tolist() == [[2.0, 4.5, 2.5]] * 3
    assert positions[3:].abs().sum() == 0, "backdrops and padding stay where Flux puts text"


def test_a_group_is_split_into_one_phrase_per_box():
    regions = each_object(plan_prompt("three red stars left of a blue house at night", seed=2))
    stars = [r for r in regions if r.phrase == "a red star"]
    assert len(stars) == 3 and all(not r.more_boxes for r in stars)
    assert len({r.box for r in stars}) == 3
    assert [r.phrase for r in regions if r.backdrop] == ["night"]
    assert any(r.phrase == "a blue house" for r in regions)


def test_training_gives_a_grounded_prompt_the_positions_and_mask_the_hub_draws_with(tiny_pipe, monkeypatch):
    from chatdit.config import Settings
    from chatdit.dit.hub import ModelHub
    from chatdit.nano_training.encoding import encode_batch_text

    hub = ModelHub(Settings(model="tiny"))
    monkeypatch.setattr(hub.info, "grounding", "storybook-boxes")
    monkeypatch.setattr(hub.info, "sequence_buckets", [16, 32, 64])
    prompt = "two yellow suns above a green tree, sunset"
    kwargs = hub.call_kwargs(tiny_pipe, width=64, height=64, seed=4, prompt=prompt)
    attention = kwargs["joint_attention_kwargs"]
    regions = each_object(plan_prompt(prompt, 4))
    length = kwargs["max_sequence_length"]
    with torch.no_grad():
        _, text, mask, positions = encode_batch_text(
            tiny_pipe.text_encoder, tiny_pipe.text_encoder_2, (tiny_pipe.tokenizer, tiny_pipe.tokenizer_2),
            [GLOBAL_TEXT], [regions], [False], "cpu", length, (8, 8))
    assert torch.allclose(text, kwargs["prompt_embeds"], atol=1e-5)
    assert torch.equal(mask, attention["attention_mask"])
    cos, _ = tiny_pipe.transformer.pos_embed(positions[0])
    assert torch.allclose(cos, attention["text_rotary_emb"][0][0])
    assert sum(r.phrase == "a yellow sun" for r in regions) == 2
    placed = sorted({tuple(p) for p in positions[0].tolist() if any(p)}, key=lambda p: p[1])
    assert len(placed) == 3, "two suns and a tree, each at its own box"
    assert placed[0][1] < placed[2][1] and placed[1][1] < placed[2][1], "the suns are above the tree"
    image = tiny_pipe(**kwargs).images[0]
    assert image.size == (64, 64)


def test_the_object_weight_falls_on_the_tokens_of_object_boxes_only():
    from chatdit.nano_training.losses import object_token_weights

    regions = [Region("night", (0.0, 0.0, 1.0, 1.0), backdrop=True), Region("a red star", (0.0, 0.0, 0.25, 0.25))]
    weights = object_token_weights([regions, None], (8, 8), 4.0)
    assert weights[0].view(8, 8)[:2, :2].eq(5).all() and weights[0].sum() == 64 + 4 * 4
    assert weights[1].eq(1).all(), "a sample drawn from its plain caption is weighed evenly"


def test_a_model_trained_on_object_phrases_is_drawn_with_them(tiny_pipe):
    from chatdit.dit.nano.grounding import grounded_kwargs

    prompt = "three red stars at night"
    layout = plan_prompt(prompt, 3)
    groups = grounded_kwargs(tiny_pipe, [layout], [prompt], 64, 64, [16, 32, 64])
    objects = grounded_kwargs(tiny_pipe, [layout], [prompt], 64, 64, [16, 32, 64], "storybook-objects")
    boxes = grounded_kwargs(tiny_pipe, [layout], [prompt], 64, 64, [16, 32, 64], "storybook-boxes")
    assert "text_rotary_emb" not in groups["joint_attention_kwargs"] | objects["joint_attention_kwargs"]
    assert "text_rotary_emb" in boxes["joint_attention_kwargs"]
    assert not torch.equal(groups["prompt_embeds"], objects["prompt_embeds"]), "'a red star' three times, not 'three red stars'"
    assert torch.equal(objects["prompt_embeds"], boxes["prompt_embeds"])
    with pytest.raises(ValueError, match="unknown grounding"):
        grounded_kwargs(tiny_pipe, [layout], [prompt], 64, 64, [16, 32, 64], "boxes")
