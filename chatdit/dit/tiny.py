"""The tiny random-weight Flux pipelines: real diffusers/transformers classes, built offline.

They make noise, fast; tests and `model = "tiny"` use them to run every code path (text2image,
Fill, Kontext, inpaint) the way FLUX.1 would, with no download.
"""

from __future__ import annotations


def build_tiny_pipeline(seed: int = 0):
    """A FluxPipeline with the nano tokenizers and tiny random components (same seed, same weights)."""
    import torch

    from chatdit.dit.nano.build import TINY_CONFIG, assemble_pipeline, build_models, build_tokenizers

    torch.manual_seed(seed)
    clip_tok, t5_tok = build_tokenizers()
    return assemble_pipeline(build_models(clip_tok, t5_tok, TINY_CONFIG), clip_tok, t5_tok)


def build_tiny_fill_transformer(base, seed: int = 1):
    """A Fill transformer matching `base`: packed latents + packed masked latents + packed mask."""
    import torch
    from diffusers import FluxTransformer2DModel

    from chatdit.dit.nano.build import TINY_CONFIG

    torch.manual_seed(seed)
    latent = base.vae.config.latent_channels
    scale = 2 ** (len(base.vae.config.block_out_channels) - 1)
    in_channels = 4 * latent * 2 + 4 * scale * scale
    config = dict(TINY_CONFIG["transformer"])
    config["joint_attention_dim"] = base.text_encoder_2.config.d_model
    config["pooled_projection_dim"] = base.text_encoder.config.hidden_size
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=in_channels, out_channels=4 * latent,
                                  guidance_embeds=False, **config)
    if base.transformer.dtype != torch.float32:
        transformer.to(base.transformer.dtype)
    return transformer
