"""Fitting FLUX.1 on real cards: load-time quantization, offloading, VAE tiling and eviction of
idle variant transformers, picked together by a `memory` preset or set one by one.

From the published configs (chatdit/dit/published.py, README "Memory"): the base pipeline is
31.8 GiB of bf16 weights (transformer 22.2, T5-XXL 8.9), and each Fill or Kontext transformer
another 22.2 GiB. A preset says what a card of that size needs; an explicit `quantize` or
`offload` setting wins over the preset's.
"""

from __future__ import annotations

import contextlib
from typing import Literal

from pydantic import BaseModel

from chatdit.config import Settings
from chatdit.errors import ModelUnavailableError

Quantize = Literal["none", "int8", "fp8", "nf4"]
Offload = Literal["none", "model", "sequential", "group"]


class MemoryPlan(BaseModel):
    """How the weights are held: quantization of the transformers and T5, offloading, VAE tiling,
    and whether variant transformers (Fill, Kontext) not in use wait on the CPU."""

    quantize: Quantize = "none"
    offload: Offload = "none"
    vae_tiling: bool = False
    evict_idle: bool = False


PRESETS: dict[str, MemoryPlan] = {
    "full": MemoryPlan(),
    # fp8 weights: transformer 11.1 GiB + T5 4.4 GiB on the card, one variant at a time, tiled VAE
    "24GB": MemoryPlan(quantize="fp8", vae_tiling=True, evict_idle=True),
    # NF4: transformer ~6.7 GiB + T5 ~2.7 GiB, components moved to the card one at a time
    "16GB": MemoryPlan(quantize="nf4", offload="model", vae_tiling=True, evict_idle=True),
    # NF4 and block-level group offload: only the running blocks are on the card
    "12GB": MemoryPlan(quantize="nf4", offload="group", vae_tiling=True, evict_idle=True),
}


def memory_plan(settings: Settings) -> MemoryPlan:
    """The preset named by `memory`, with explicit quantize / offload / vae_tiling settings over it."""
    plan = PRESETS[settings.memory]
    explicit = settings.model_fields_set & {"quantize", "offload", "vae_tiling"}
    return plan.model_copy(update={name: getattr(settings, name) for name in explicit})


def _configs(mode: Quantize, dtype):
    """(diffusers config, transformers config) for a quantization mode; a clear error when its
    library is missing."""
    try:
        if mode == "nf4":
            from diffusers import BitsAndBytesConfig as DiffusersBnb
            from transformers import BitsAndBytesConfig as TransformersBnb

            kwargs = {"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": dtype}
            return DiffusersBnb(**kwargs), TransformersBnb(**kwargs)
        from diffusers import TorchAoConfig as DiffusersAo
        from torchao.quantization import Float8WeightOnlyConfig, Int8WeightOnlyConfig
        from transformers import TorchAoConfig as TransformersAo

        config = Int8WeightOnlyConfig() if mode == "int8" else Float8WeightOnlyConfig()
        return DiffusersAo(config), TransformersAo(config)
    except ImportError as exc:
        package = "bitsandbytes" if mode == "nf4" else "torchao"
        raise ModelUnavailableError(f'quantize = "{mode}" needs {package} (pip install "chatdit[quantize]"), '
                                    f"or set quantize = \"none\" ({exc})") from None


def pipeline_quantization(plan: MemoryPlan, dtype):
    """diffusers' PipelineQuantizationConfig for the base pipeline (transformer and T5), or None."""
    if plan.quantize == "none":
        return None
    from diffusers.quantizers import PipelineQuantizationConfig

    transformer, text = _configs(plan.quantize, dtype)
    return PipelineQuantizationConfig(quant_mapping={"transformer": transformer, "text_encoder_2": text})


def transformer_quantization(plan: MemoryPlan, dtype):
    """The quantization_config for a variant's transformer (Fill, Kontext) loaded on its own, or None."""
    return None if plan.quantize == "none" else _configs(plan.quantize, dtype)[0]


def gguf_transformer(path: str, dtype):
    """A FLUX.1 transformer from a GGUF single file (city96's Q4/Q8 files), dequantized per layer
    at compute time."""
    from diffusers import FluxTransformer2DModel, GGUFQuantizationConfig

    try:
        return FluxTransformer2DModel.from_single_file(path, quantization_config=GGUFQuantizationConfig(compute_dtype=dtype),
                                                       dtype=dtype)
    except ImportError as exc:
        raise ModelUnavailableError(f"gguf = {path!r} needs the gguf package (pip install gguf) ({exc})") from None
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot read the GGUF file {path!r}: {str(exc).splitlines()[0][:200]}") from None


def place(pipe, plan: MemoryPlan, device: str) -> None:
    """Put a pipeline where the plan says: on the device, or offloaded (model, sequential, group)."""
    if plan.vae_tiling:
        pipe.vae.enable_tiling()  # wide canvases decode in tiles instead of one 2 MP activation
    if device != "cuda" or plan.offload == "none":
        pipe.to(device)
    elif plan.offload == "model":
        pipe.enable_model_cpu_offload()
    elif plan.offload == "sequential":
        pipe.enable_sequential_cpu_offload()
    else:
        pipe.enable_group_offload(onload_device=device, offload_device="cpu", offload_type="block_level",
                                  num_blocks_per_group=1, use_stream=True)


def evict_idle(pipes: dict, drawing, device: str) -> None:
    """Move the transformers of variants not drawing now to the CPU (and the one drawing onto the
    device): with Fill and Kontext loaded, three FLUX.1 transformers would not fit a 24 GB card."""
    if device != "cuda":
        return
    active = drawing.transformer
    for pipe in pipes.values():
        if pipe is not None and pipe.transformer is not active and pipe.transformer.device.type == "cuda":
            pipe.transformer.to("cpu")
    if active.device.type != "cuda":
        active.to(device)


@contextlib.contextmanager
def out_of_memory_advice(hub, doing: str):
    """A device out-of-memory error as one line saying what to set; the memory is given back."""
    import torch

    try:
        yield
    except torch.OutOfMemoryError:
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        raise ModelUnavailableError(
            f"the {hub._device} device ran out of memory {doing} with {hub.settings.model}: set memory = \"24GB\" "
            "(or \"16GB\", \"12GB\": quantized weights and offloading), or offload = \"model\", or ask for smaller "
            "pictures") from None
