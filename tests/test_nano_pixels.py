"""Nano's pixel-space pieces: a lossless VAE in the Flux pipelines' shape, and a transformer that
predicts clean pictures but hands the scheduler velocity."""

import pytest

torch = pytest.importorskip("torch")


def _tiny_transformer(**extra):
    from chatdit.dit.nano.pixels import CleanImageFluxTransformer

    torch.manual_seed(0)
    return CleanImageFluxTransformer(in_channels=192, num_layers=1, num_single_layers=1, attention_head_dim=16,
                                     num_attention_heads=2, joint_attention_dim=32, pooled_projection_dim=32,
                                     axes_dims_rope=(4, 6, 6), **extra)


def _inputs(rows=8, cols=16, batch=2, t=0.5):
    from diffusers import FluxPipeline

    ids = FluxPipeline._prepare_latent_image_ids(batch, rows, cols, "cpu", torch.float32)
    return dict(hidden_states=torch.randn(batch, rows * cols, 192), encoder_hidden_states=torch.randn(batch, 5, 32),
                pooled_projections=torch.randn(batch, 32), timestep=torch.full((batch,), t), img_ids=ids,
                txt_ids=torch.zeros(5, 3))


def test_the_pixel_vae_round_trip_is_exact_and_pipelines_read_its_scale(tmp_path):
    from chatdit.dit.nano.pixels import SpaceToDepthVAE

    vae = SpaceToDepthVAE(factor=4)
    x = torch.rand(2, 3, 64, 128) * 2 - 1
    z = vae.encode(x).latent_dist.sample()
    assert z.shape == (2, 48, 16, 32)
    assert torch.equal(vae.decode(z).sample, x)
    # what the Flux pipelines read: the downsampling factor, and (inpaint) the latent channels
    assert 2 ** (len(vae.config.block_out_channels) - 1) == 4 and vae.config.latent_channels == 48
    vae.save_pretrained(tmp_path / "vae")
    assert SpaceToDepthVAE.from_pretrained(tmp_path / "vae").config.factor == 4
    with pytest.raises(ValueError, match="power of two"):
        SpaceToDepthVAE(factor=3)


def test_the_transformer_returns_velocity_from_its_clean_prediction():
    from chatdit.dit.nano.pixels import MIN_SIGMA

    model = _tiny_transformer().eval()
    for t in (0.5, 0.01):
        inputs = _inputs(t=t)
        with torch.no_grad():
            velocity = model(**inputs, return_dict=False)[0]
            clean = model.predict_clean(**inputs)
        expected = (inputs["hidden_states"] - clean) / max(t, MIN_SIGMA)
        assert torch.allclose(velocity, expected, atol=1e-5)


def test_the_refiner_starts_as_the_identity_and_works_across_patch_edges():
    from diffusers import FluxTransformer2DModel

    refined = _tiny_transformer(refiner_channels=8).eval()
    plain = _tiny_transformer(refiner_channels=0).eval()
    inputs = _inputs()
    with torch.no_grad():
        base = FluxTransformer2DModel.forward(plain, **inputs, return_dict=False)[0]
        assert torch.allclose(refined.predict_clean(**inputs), base, atol=1e-6)  # zero-initialised last conv
        torch.nn.init.normal_(refined.refiner[-1].weight, std=0.1)
        pixels = refined._to_pixels(refined.predict_clean(**inputs), 8, 16)
    assert pixels.shape == (2, 3, 64, 128)
    tokens = torch.randn(2, 8 * 16, 192)
    assert torch.equal(refined._to_tokens(refined._to_pixels(tokens, 8, 16), 8, 16), tokens)


def test_the_transformer_saves_and_loads_with_its_refiner(tmp_path):
    from chatdit.dit.nano.pixels import CleanImageFluxTransformer

    model = _tiny_transformer(refiner_channels=8)
    torch.nn.init.normal_(model.refiner[-1].weight, std=0.1)
    model.save_pretrained(tmp_path / "transformer")
    loaded = CleanImageFluxTransformer.from_pretrained(tmp_path / "transformer")
    assert loaded.config.refiner_channels == 8 and loaded.config.num_layers == 1
    assert torch.equal(loaded.refiner[-1].weight, model.refiner[-1].weight)
