"""The nano model's components, built from real diffusers/transformers classes with tiny configs.

The result is an ordinary FluxPipeline (FluxTransformer2DModel, AutoencoderKL, CLIP + T5 text
encoders and tokenizers), so everything that loads FLUX.1 loads the nano model too.
"""

from __future__ import annotations

import string

from chatdit.storybook import WORLD_WORDS

MAX_SEQUENCE_LENGTH = 128  # T5 tokens; the hub passes it to FluxPipeline (its default, 512, is slow)
# Text lengths prompts are padded to (the smallest that holds the prompt): one-panel captions fit
# 24, two panels 48, three 64, four 80 (measured on the world's captions, <= 22/44/61/79 tokens);
# grounded prompts (each group's phrase, then the caption) take up to 34 / 69 / 82 / 108 tokens.
SEQUENCE_BUCKETS = (24, 48, 64, 80, 96, MAX_SEQUENCE_LENGTH)
CLIP_MAX_LENGTH = 77

# Model shape: see MODEL_CARD.md for the reasons and the measured results.
CONFIG = {
    "vae": dict(block_out_channels=(32, 64, 64), layers_per_block=1, latent_channels=8, norm_num_groups=16),
    "transformer": dict(num_layers=2, num_single_layers=3, attention_head_dim=32, num_attention_heads=6,
                        joint_attention_dim=128, pooled_projection_dim=64, axes_dims_rope=(8, 12, 12)),
    "t5": dict(d_model=128, d_ff=256, num_layers=2, num_heads=4, d_kv=32),
    "clip": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=1, num_attention_heads=2),
}
TINY_CONFIG = {
    "vae": dict(block_out_channels=(8, 16, 16), layers_per_block=1, latent_channels=4, norm_num_groups=8),
    "transformer": dict(num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
                        joint_attention_dim=32, pooled_projection_dim=32, axes_dims_rope=(4, 6, 6)),
    "t5": dict(d_model=32, d_ff=64, num_layers=1, num_heads=2, d_kv=16),
    "clip": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2),
}


def sequence_buckets(tiny: bool = False) -> list[int]:
    """Text lengths the model is trained and run with; the tiny smoke-test model's are short, so
    tests stay fast."""
    return [16, 32, 64] if tiny else list(SEQUENCE_BUCKETS)


def t5_pieces() -> list[str]:
    """Word-level unigram vocabulary: world words, panel tags, then single characters as fallback."""
    words = sorted(WORLD_WORDS | {f"[PANEL-{i}]" for i in range(1, 9)} | {"panels,", "right."})
    chars = list(string.ascii_lowercase + string.digits + string.punctuation)
    return words, chars


def build_tokenizers():
    """(CLIPTokenizer, T5TokenizerFast): word-level T5 (unknown words spelled out), char-level CLIP."""
    from transformers import CLIPTokenizer, T5TokenizerFast

    words, chars = t5_pieces()
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -2.0)]
    vocab += [("\u2581" + w, -1.0) for w in words] + [(c, -8.0) for c in chars] + [("\u2581" + c, -7.0) for c in chars]
    # Capitalised twins; tie_case_embeddings gives them the lower-case embedding at export.
    vocab += [("\u2581" + w.capitalize(), -1.0) for w in words if w[0].isalpha()]
    vocab += [(c.upper(), -8.0) for c in string.ascii_lowercase] + [("\u2581" + c.upper(), -7.0) for c in string.ascii_lowercase]
    t5 = T5TokenizerFast(vocab=vocab, extra_ids=0, model_max_length=512)

    clip_vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in string.ascii_lowercase + string.digits + string.punctuation:
        for piece in (c, c + "</w>"):
            clip_vocab.setdefault(piece, len(clip_vocab))
    clip = CLIPTokenizer(vocab=clip_vocab, merges=[], model_max_length=CLIP_MAX_LENGTH, pad_token="<|endoftext|>")
    return clip, t5


def tie_case_embeddings(t5_model, t5_tok) -> None:
    """Make 'Red' and 'R' encode like 'red' and 'r' (training captions are lower-case)."""
    import torch

    vocab = t5_tok.get_vocab()
    emb = t5_model.get_input_embeddings().weight
    with torch.no_grad():
        for piece, idx in vocab.items():
            lower = piece.lower()
            if lower != piece and lower in vocab:
                emb[idx] = emb[vocab[lower]]


def build_models(clip_tok, t5_tok, config: dict = CONFIG):
    """Fresh (randomly initialised) text encoders, VAE, transformer and scheduler."""
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxTransformer2DModel
    from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel

    clip = CLIPTextModel(CLIPTextConfig(vocab_size=len(clip_tok), max_position_embeddings=CLIP_MAX_LENGTH,
                                        projection_dim=config["clip"]["hidden_size"],
                                        bos_token_id=0, eos_token_id=1, pad_token_id=1, **config["clip"]))
    t5 = T5EncoderModel(T5Config(vocab_size=len(t5_tok), pad_token_id=t5_tok.pad_token_id,
                                 eos_token_id=t5_tok.eos_token_id, dropout_rate=0.0,
                                 relative_attention_num_buckets=16, relative_attention_max_distance=64,
                                 feed_forward_proj="gated-gelu", **config["t5"]))
    vc = config["vae"]
    n = len(vc["block_out_channels"])
    vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * n,
                        up_block_types=("UpDecoderBlock2D",) * n, mid_block_add_attention=False,
                        sample_size=64, scaling_factor=1.0, shift_factor=0.0, **vc)
    tc = dict(config["transformer"])
    tc["joint_attention_dim"] = config["t5"]["d_model"]
    tc["pooled_projection_dim"] = config["clip"]["hidden_size"]
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=4 * vc["latent_channels"], guidance_embeds=False, **tc)
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=1.0, use_dynamic_shifting=False)
    return dict(text_encoder=clip, text_encoder_2=t5, vae=vae, transformer=transformer, scheduler=scheduler)


def assemble_pipeline(components: dict, clip_tok, t5_tok):
    from diffusers import FluxPipeline

    return FluxPipeline(scheduler=components["scheduler"], vae=components["vae"],
                        text_encoder=components["text_encoder"], tokenizer=clip_tok,
                        text_encoder_2=components["text_encoder_2"], tokenizer_2=t5_tok,
                        transformer=components["transformer"])


def defaults_json(num_inference_steps: int, true_cfg_scale: float | None,
                  buckets: list[int] | tuple[int, ...] = SEQUENCE_BUCKETS, grounding: str | None = None) -> dict:
    """What the hub reads from chatdit.json next to the pipeline folder's model_index.json."""
    return {
        "pipeline": "FluxPipeline",
        "width": 64,
        "height": 64,
        "num_inference_steps": num_inference_steps,
        "true_cfg_scale": true_cfg_scale,
        "guidance_scale": 1.0,
        "negative_prompt": "",
        "max_sequence_length": max(buckets),
        "sequence_buckets": list(buckets),
        "max_panels": 4,
        "fill": "inpaint",
        "fill_note": "reference/fill: FluxInpaintPipeline.from_pipe(flux), strength 1.0, mask white where panels are generated",
        "grounding": grounding,
        "grounding_note": "the hub plans each prompt's layout with the storybook world's code and draws it grounded "
                          "the way the model was trained (chatdit/dit/nano/grounding.py, GROUNDING_MODES)",
        "regional_attention": False,
        "regional_note": "bench/layout.py: on the shipped weights the regional mask lowers objects found in their box "
                         "(color 26% -> 5%); the layout tool says the places in words instead. Measure a new run again.",
    }
