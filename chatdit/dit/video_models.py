"""The video model behind face swap: WanVACEPipeline, kept on the session's ModelHub.

- settings.video_model = a hub id or folder with a WanVACEPipeline (default
  "Wan-AI/Wan2.1-VACE-1.3B-diffusers", about 17 GB download; bf16 on a GPU with 24 GB or
  more, or 12 GB with `offload = "model"`; "Wan-AI/Wan2.1-VACE-14B-diffusers" wants 80 GB);
- "tiny", or any setting when the image model is "tiny": real Wan classes with random weights,
  built offline in a second (tests; the faces are noise).

It is cached on the hub under "video", so it loads once per session like the image pipelines.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chatdit.errors import ModelUnavailableError

WAN_VACE_1_3B = "Wan-AI/Wan2.1-VACE-1.3B-diffusers"


class VideoInfo(BaseModel):
    """What the face-swap tool needs to know about the video model, without touching torch."""

    name: str
    max_side: int
    """Long side of the working resolution (Wan2.1 1.3B was trained at 832x480)."""
    steps: int
    guidance_scale: float
    chunk_frames: int
    """Frames per call, 4k+1 (Wan2.1: 81 = 5 s at 16 fps)."""
    max_sequence_length: int
    random_weights: bool


WAN_INFO = VideoInfo(name=WAN_VACE_1_3B, max_side=832, steps=30, guidance_scale=5.0, chunk_frames=81,
                     max_sequence_length=512, random_weights=False)
TINY_INFO = VideoInfo(name="tiny-wan-vace", max_side=64, steps=2, guidance_scale=1.0, chunk_frames=9,
                      max_sequence_length=32, random_weights=True)


def video_info(hub) -> VideoInfo:
    if _is_tiny(hub):
        return TINY_INFO
    name = hub.settings.video_model
    return WAN_INFO.model_copy(update={"name": name, "max_side": 1280 if "14B" in name else 832})


def _is_tiny(hub) -> bool:
    return hub.settings.video_model == "tiny" or hub.kind == "tiny"


def video_pipeline(hub):
    """The session's WanVACEPipeline, loaded on first use."""
    return hub._get("video", lambda: _load(hub))


def _load(hub):
    import torch

    from chatdit.dit.sources import pick_device, pick_dtype

    device = pick_device(hub.settings.device)
    dtype = pick_dtype(hub.settings.dtype, device)
    if _is_tiny(hub):
        pipe = build_tiny_wan_vace()
        if dtype != torch.float32:
            pipe.to(dtype=dtype)
    else:
        pipe = _load_wan(hub.settings.video_model, device, dtype)
    pipe.set_progress_bar_config(disable=True)
    if hub.settings.offload == "model" and device == "cuda":
        pipe.enable_model_cpu_offload()
    elif hub.settings.offload == "sequential" and device == "cuda":
        pipe.enable_sequential_cpu_offload()
    else:
        pipe.to(device)
    return pipe


def _load_wan(name: str, device: str, dtype):
    """From the local Hugging Face cache (or a folder) first; a download is tried only on a GPU
    machine, since a 1.3B video model on a CPU would take hours per clip."""
    try:
        return _from_pretrained(name, dtype, local_files_only=True)
    except (OSError, ValueError) as exc:
        if device == "cpu":
            raise ModelUnavailableError(
                f"face swap needs the video model {name}, which is not downloaded, and a GPU (24 GB, or 12 GB "
                f"with offload = \"model\"); on a GPU machine run `hf download {name}` "
                "or set video_model to a local WanVACE folder") from exc
    try:
        return _from_pretrained(name, dtype, local_files_only=False)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"the face-swap video model {name} could not be loaded ({str(exc).splitlines()[0][:200]}); download it with "
                                    f"`hf download {name}` or set video_model to a local WanVACE folder") from exc


def _from_pretrained(name: str, dtype, local_files_only: bool):
    import torch
    from diffusers import AutoencoderKLWan, WanVACEPipeline

    # the Wan VAE is kept in float32 (its decoder drifts in bf16), as the model card does
    vae = AutoencoderKLWan.from_pretrained(name, subfolder="vae", dtype=torch.float32,
                                           local_files_only=local_files_only)
    return WanVACEPipeline.from_pretrained(name, vae=vae, dtype=dtype, local_files_only=local_files_only)


def build_tiny_wan_vace(seed: int = 0) -> Any:
    """A WanVACEPipeline of real classes with random weights: UMT5 over the nano tokenizer, a
    3-block Wan VAE (8x spatial, 4x temporal), a 2-layer VACE transformer."""
    import torch
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanVACEPipeline, WanVACETransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    from chatdit.dit.nano.build import build_tokenizers

    torch.manual_seed(seed)
    _, tokenizer = build_tokenizers()
    text_encoder = UMT5EncoderModel(UMT5Config(
        vocab_size=len(tokenizer), d_model=32, d_ff=64, num_layers=1, num_heads=2, d_kv=16,
        relative_attention_num_buckets=8, pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id, dropout_rate=0.0))
    vae = AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           temperal_downsample=[False, True, True])
    # vace_in_channels = inactive + reactive latents (2 x 16) + the mask folded 8x8 (64)
    transformer = WanVACETransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16, out_channels=16,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True,
        qk_norm="rms_norm_across_heads", rope_max_seq_len=32, vace_layers=[0, 1], vace_in_channels=96)
    return WanVACEPipeline(tokenizer=tokenizer, text_encoder=text_encoder, vae=vae,
                           scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0), transformer=transformer)
