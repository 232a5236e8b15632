"""The semantic alignment loss: ground-truth labels line up with the pixels and the tokens, and
its gradient reaches the transformer."""

import random

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")


def test_label_maps_match_the_rendered_pixels_of_every_panel_of_a_row():
    from chatdit.dit.nano.semantic import row_label_maps
    from chatdit.storybook import COLOR_NAMES, COLORS, render_row, sample_row

    rng = random.Random(4)
    palette = np.array([COLORS[c] for c in COLOR_NAMES])
    for _ in range(10):
        canvas, truths = render_row(sample_row(rng, 3), seed=rng.randrange(1 << 30))
        labels = row_label_maps(truths, 64)
        pixels = np.asarray(canvas).astype(int)
        exact = np.abs(pixels[:, :, None, :] - palette).max(-1)
        painted = np.where(exact.min(-1) == 0, exact.argmin(-1) + 1, 0)
        assert labels.shape == (2, 64, 192)
        assert (labels[1] == painted).all()  # color class of every pixel, occlusion and holes included
        assert ((labels[0] > 0) == (labels[1] > 0)).all()


def test_token_targets_follow_the_packed_token_order():
    from diffusers import FluxPipeline

    from chatdit.dit.nano.semantic import token_targets

    labels = torch.zeros(1, 64, 128, dtype=torch.uint8)
    labels[0, 0:8, 120:128] = 3  # the top-right token of a 2-panel canvas
    labels[0, 60:64, 0:8] = 5  # half of the bottom-left token
    shares = token_targets(labels, 16)
    assert shares.shape == (1, 8 * 16, 16)
    assert shares[0, 15, 3] == 1.0 and shares[0, 7 * 16, 5] == 0.5 and shares[0, 7 * 16, 0] == 0.5
    # the same positions as FluxPipeline packs a (1, C, 16, 32) latent: token index = row * 16 + column
    latents = torch.zeros(1, 4, 16, 32)
    latents[0, :, 0:2, 30:32] = 1
    packed = FluxPipeline._pack_latents(latents, 1, 4, 16, 32)
    assert packed[0].sum(-1).nonzero().flatten().tolist() == [15]


def test_the_semantic_loss_trains_the_transformer_and_the_head():
    from chatdit.dit.nano.build import TINY_CONFIG, build_models, build_tokenizers
    from chatdit.dit.nano.semantic import SemanticHead
    from chatdit.dit.nano.train import encode_batch, flow_matching_loss, make_loader

    torch.manual_seed(0)
    clip_tok, t5_tok = build_tokenizers()
    models = build_models(clip_tok, t5_tok, TINY_CONFIG)
    images, labels, captions, _ = next(make_loader(1, 4, 0, vae_only=True, labels=True))
    assert next(make_loader(1, 4, 0, vae_only=True))[1] is None  # drawn only for the semantic loss
    x0, ids = encode_batch(models["vae"].eval(), images, "cpu")
    head = SemanticHead(models["transformer"].inner_dim, "cpu")
    t = torch.full((x0.shape[0],), 0.5)
    flow, semantic = flow_matching_loss(models, (clip_tok, t5_tok), x0, ids, captions, [16] * len(captions), t,
                                        torch.randn_like(x0), head=head, labels=labels)
    assert semantic.item() > 1.0  # an untrained probe over 16 kinds and 11 colors
    semantic.backward()
    assert models["transformer"].transformer_blocks[0].attn.to_q.weight.grad.abs().sum() > 0
    assert head.kind.weight.grad.abs().sum() > 0
    # no head: the flow loss alone, as before
    _, nothing = flow_matching_loss(models, (clip_tok, t5_tok), x0, ids, captions, [16] * len(captions), t,
                                    torch.randn_like(x0))
    assert nothing.item() == 0.0
