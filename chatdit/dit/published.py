"""The published configurations of FLUX.1 (dev, schnell, Fill, Kontext) and Wan2.1-VACE-1.3B,
built with random weights: true-size checks without downloading a byte.

The numbers are those of the model repos' config.json files (transformer, VAE, CLIP-L text
model, T5-v1.1-XXL / UMT5-XXL encoders). `depth` cuts the repeated blocks (the only thing cut);
on the meta device nothing is allocated, so full depth costs nothing and gives exact parameter
counts, which is how the README's memory table is computed. Tests and bench/gpu.py use this;
the runtime never does.
"""

from __future__ import annotations

from typing import Any, Literal

Variant = Literal["dev", "schnell", "fill", "kontext"]

FLUX_TRANSFORMER: dict[str, Any] = {
    "attention_head_dim": 128, "num_attention_heads": 24, "num_layers": 19, "num_single_layers": 38,
    "in_channels": 64, "joint_attention_dim": 4096, "pooled_projection_dim": 768, "patch_size": 1,
    "axes_dims_rope": (16, 56, 56), "guidance_embeds": True,
}
VARIANTS: dict[str, dict[str, Any]] = {
    "dev": {}, "kontext": {},
    "schnell": {"guidance_embeds": False},
    "fill": {"in_channels": 384, "out_channels": 64},  # latents + masked latents (64 + 64) + the 8x8 mask (256)
}
FLUX_VAE: dict[str, Any] = {
    "act_fn": "silu", "block_out_channels": (128, 256, 512, 512), "down_block_types": ("DownEncoderBlock2D",) * 4,
    "up_block_types": ("UpDecoderBlock2D",) * 4, "in_channels": 3, "out_channels": 3, "latent_channels": 16,
    "layers_per_block": 2, "norm_num_groups": 32, "sample_size": 1024, "scaling_factor": 0.3611,
    "shift_factor": 0.1159, "use_quant_conv": False, "use_post_quant_conv": False, "force_upcast": True,
    "mid_block_add_attention": True,
}
CLIP_L: dict[str, Any] = {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "num_attention_heads": 12,
                          "max_position_embeddings": 77, "vocab_size": 49408, "projection_dim": 768, "hidden_act": "quick_gelu"}
T5_XXL: dict[str, Any] = {"d_model": 4096, "d_ff": 10240, "d_kv": 64, "num_heads": 64, "num_layers": 24, "vocab_size": 32128,
                          "feed_forward_proj": "gated-gelu", "relative_attention_num_buckets": 32,
                          "relative_attention_max_distance": 128}
UMT5_XXL: dict[str, Any] = {**T5_XXL, "vocab_size": 256384}
WAN_VACE_1_3B: dict[str, Any] = {
    "patch_size": (1, 2, 2), "num_attention_heads": 12, "attention_head_dim": 128, "in_channels": 16, "out_channels": 16,
    "text_dim": 4096, "freq_dim": 256, "ffn_dim": 8960, "num_layers": 30, "cross_attn_norm": True,
    "qk_norm": "rms_norm_across_heads", "eps": 1e-6, "rope_max_seq_len": 1024, "vace_layers": tuple(range(0, 30, 2)),
    "vace_in_channels": 96,
}
WAN_VAE: dict[str, Any] = {"base_dim": 96, "z_dim": 16, "dim_mult": [1, 2, 4, 4], "num_res_blocks": 2, "attn_scales": [],
                           "temperal_downsample": [False, True, True]}
FLUX_SCHEDULER = {"base_image_seq_len": 256, "base_shift": 0.5, "max_image_seq_len": 4096, "max_shift": 1.15,
                  "num_train_timesteps": 1000, "shift": 3.0, "use_dynamic_shifting": True}


def flux_transformer(variant: Variant = "dev", depth: int | None = None):
    """A FluxTransformer2DModel of the variant's published shape; depth cuts both block stacks."""
    from diffusers import FluxTransformer2DModel

    config = {**FLUX_TRANSFORMER, **VARIANTS[variant]}
    if depth is not None:
        config.update(num_layers=min(depth, 19), num_single_layers=min(depth, 38))
    return FluxTransformer2DModel(**config)


def flux_pipeline(variant: Variant = "dev", depth: int | None = None):
    """A FluxPipeline (base components) of the published shape, on the current default device:
    wrap in `with torch.device("meta")` for shapes only, or "cuda" for weights made on the GPU.
    The tokenizers are nano's (the checkpoints' tokenizer files are a download): token lengths
    are padded to max_sequence_length either way, and every id fits the real vocabularies."""
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxPipeline
    from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel

    from chatdit.dit.nano.build import build_tokenizers

    clip_tok, t5_tok = build_tokenizers()
    cut = {} if depth is None else {"num_hidden_layers": depth}
    clip = CLIPTextModel(CLIPTextConfig(**{**CLIP_L, **cut}))
    t5 = T5EncoderModel(T5Config(**{**T5_XXL, **({} if depth is None else {"num_layers": depth})}))
    scheduler = FlowMatchEulerDiscreteScheduler(**(FLUX_SCHEDULER if variant != "schnell" else
                                                   {"num_train_timesteps": 1000, "shift": 1.0}))
    return FluxPipeline(scheduler=scheduler, vae=AutoencoderKL(**FLUX_VAE), text_encoder=clip, tokenizer=clip_tok,
                        text_encoder_2=t5, tokenizer_2=t5_tok, transformer=flux_transformer(variant, depth))


def wan_vace_pipeline(depth: int | None = None):
    """A WanVACEPipeline of Wan2.1-VACE-1.3B's published shape (UMT5-XXL, Wan VAE); depth cuts the
    transformer to that many layers, every one a VACE layer."""
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanVACEPipeline, WanVACETransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    from chatdit.dit.nano.build import build_tokenizers

    _, tokenizer = build_tokenizers()
    config = dict(WAN_VACE_1_3B)
    if depth is not None:
        config.update(num_layers=depth, vace_layers=tuple(range(depth)))
    encoder = UMT5EncoderModel(UMT5Config(**{**UMT5_XXL, **({} if depth is None else {"num_layers": depth})}))
    return WanVACEPipeline(tokenizer=tokenizer, text_encoder=encoder, vae=AutoencoderKLWan(**WAN_VAE),
                           scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0),
                           transformer=WanVACETransformer3DModel(**config))


def parameter_counts(pipe) -> dict[str, int]:
    """Parameters per component (works on the meta device: nothing is read)."""
    return {name: sum(p.numel() for p in module.parameters())
            for name, module in pipe.components.items() if hasattr(module, "parameters")}
