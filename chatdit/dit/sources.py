"""What a model is and where its weights come from, checked before anything loads.

Names ("nano", "flux-dev", a hub id, a folder) resolve to a source; each source has the call
defaults its model was made for (ModelInfo); and the mismatches a person can cause (a device
this torch cannot use, weights not downloaded, a gated repo) fail here in one line, before a
turn spends time parsing, planning and loading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from chatdit.config import Settings
from chatdit.errors import ModelUnavailableError

ALIASES = {
    "flux-dev": "black-forest-labs/FLUX.1-dev",
    "flux-schnell": "black-forest-labs/FLUX.1-schnell",
    "flux-krea": "black-forest-labs/FLUX.1-Krea-dev",
}
FILL_CHECKPOINTS = {
    "black-forest-labs/FLUX.1-dev": "black-forest-labs/FLUX.1-Fill-dev",
    "black-forest-labs/FLUX.1-Krea-dev": "black-forest-labs/FLUX.1-Fill-dev",
}
KONTEXT_CHECKPOINTS = {
    "black-forest-labs/FLUX.1-dev": "black-forest-labs/FLUX.1-Kontext-dev",
    "black-forest-labs/FLUX.1-Krea-dev": "black-forest-labs/FLUX.1-Kontext-dev",
}
FLUX_DEFAULTS = {"width": 1024, "height": 1024, "num_inference_steps": 28, "guidance_scale": 3.5,
                 "true_cfg_scale": None, "negative_prompt": "", "max_sequence_length": 512, "max_panels": 4,
                 "fill_guidance_scale": 30.0, "canvas_grid": True, "max_canvas_pixels": 2 * 1024 * 1024,
                 "caption_style": "incontext"}
SCHNELL_DEFAULTS = {**FLUX_DEFAULTS, "num_inference_steps": 4, "guidance_scale": 0.0, "max_sequence_length": 256}
TINY_DEFAULTS = {"width": 64, "height": 64, "num_inference_steps": 2, "guidance_scale": 1.0, "true_cfg_scale": None,
                 "negative_prompt": "", "max_sequence_length": 32, "max_panels": 4, "fill": "fill",
                 "fill_guidance_scale": 1.0, "canvas_grid": False, "max_canvas_pixels": 2 * 1024 * 1024,
                 "caption_style": "panels"}
TRAINED_ROWS = {"canvas_grid": False, "caption_style": "panels"}
"""A model with a chatdit.json (nano) was trained on rows of panels under joint_caption, unless it says otherwise."""


class ModelInfo(BaseModel):
    """What tools and planners need to know about the loaded model, without touching torch."""

    name: str
    width: int
    height: int
    steps: int
    guidance_scale: float
    true_cfg_scale: float | None
    negative_prompt: str
    max_sequence_length: int
    max_panels: int
    fill_mode: Literal["fill", "inpaint"]
    fill_guidance_scale: float
    sequence_buckets: list[int] | None = None
    """Text lengths the model was trained with (nano): prompts are padded to the smallest that
    holds them instead of always to max_sequence_length."""
    grounding: str | None = None
    """"storybook": text-to-image prompts are drawn grounded, each object group's words in boxes
    the storybook world's layout code plans (chatdit/dit/nano/grounding.py), as nano was trained;
    "storybook-objects": the same with one phrase per object; "storybook-boxes": each of those at its
    box's rotary position (chatdit/dit/box_rope.py)."""
    regional_attention: bool = True
    """Whether layout draws under the regional attention mask; a model where bench/layout.py
    measures that it hurts (nano) is given the places in words instead."""
    canvas_grid: bool = False
    """Four panels go on a 2x2 grid (FLUX.1) rather than a row (nano, trained on rows)."""
    max_canvas_pixels: int = 2 * 1024 * 1024
    """Joint canvases shrink their panels to stay within this (FLUX.1 degrades past ~2 MP)."""
    caption_style: Literal["panels", "incontext"] = "panels"
    """How a joint caption is written: "panels" (joint_caption, nano's training format) or
    "incontext" (In-Context LoRA's format, for FLUX.1)."""
    random_weights: bool
    source: str


def resolve_source(name: str) -> tuple[str, Path | str | None]:
    """(kind, where): kind is nano, tiny, folder or hub."""
    if name == "tiny":
        return "tiny", None
    if name == "nano":
        from chatdit.dit.nano import nano_model_dir

        return "nano", nano_model_dir()
    folder = Path(name).expanduser()
    if folder.is_dir():
        return "folder", folder
    repo = ALIASES.get(name, name)
    if name.startswith(("/", "./", "../", "~")) or repo.count("/") > 1:
        raise ModelUnavailableError(f"no model folder at {folder}: give the folder that holds model_index.json, "
                                    "or a Hugging Face id like black-forest-labs/FLUX.1-dev")
    if "/" not in repo:
        known = ", ".join(["nano", "tiny", *ALIASES])
        raise ModelUnavailableError(f"unknown model {name!r}: use one of {known}, a Hugging Face id or a local folder")
    return "hub", repo


def read_defaults(name: str, kind: str, where: Path | str | None) -> dict[str, Any]:
    if kind == "tiny":
        return dict(TINY_DEFAULTS)
    if isinstance(where, Path) and (where / "chatdit.json").is_file():
        return {**FLUX_DEFAULTS, "fill_guidance_scale": 1.0, **TRAINED_ROWS, **json.loads((where / "chatdit.json").read_text())}
    defaults = SCHNELL_DEFAULTS if "schnell" in str(where) else FLUX_DEFAULTS
    return {**defaults, "fill": "fill" if str(where) in FILL_CHECKPOINTS else "inpaint"}


GATED = ("black-forest-labs/FLUX.1-dev", "black-forest-labs/FLUX.1-Fill-dev", "black-forest-labs/FLUX.1-Kontext-dev",
         "black-forest-labs/FLUX.1-Krea-dev")
"""Repos whose files need the license accepted on the model page and a token (`hf auth login`)."""


def download_advice(repo: str) -> str:
    """How to get a hub model onto this machine (huggingface_hub 2.x has `hf`, not huggingface-cli)."""
    gated = (f"it is gated: accept its license at https://huggingface.co/{repo}, run `hf auth login`, then "
             if repo in GATED else "")
    return f"{gated}`hf download {repo}`"


def check_downloaded(repo: str) -> None:
    """Fail at once, with the command that fixes it, when a hub model is not in the local cache:
    loading it would start a many-GB download (or, offline or gated, fail after a minute)."""
    from huggingface_hub import try_to_load_from_cache

    if not isinstance(try_to_load_from_cache(repo, "model_index.json"), str) and \
            not isinstance(try_to_load_from_cache(repo, "transformer/config.json"), str):
        raise ModelUnavailableError(f"{repo} is not downloaded: {download_advice(repo)} (or use model = \"nano\")")


def check_device(setting: str) -> None:
    """A device this torch can use, or one line saying what to set instead."""
    from importlib.metadata import version

    kind = setting.split(":")[0]
    if kind == "cuda" and version("torch").endswith("+cpu"):  # known without importing torch (seconds)
        raise ModelUnavailableError(f"device = {setting!r} but torch {version('torch')} is a CPU build: set device = "
                                    "\"auto\" (or CHATDIT_DEVICE=auto) to use what this machine has")
    import torch

    available = {"cuda": torch.cuda.is_available, "xpu": lambda: hasattr(torch, "xpu") and torch.xpu.is_available(),
                 "mps": lambda: bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()}
    if kind in available and not available[kind]():
        build = "has no CUDA (a CPU build)" if kind == "cuda" and torch.version.cuda is None else f"sees no {kind} device"
        raise ModelUnavailableError(f"device = {setting!r} but torch {torch.__version__} {build}: set device = \"auto\" "
                                    "(or CHATDIT_DEVICE=auto) to use what this machine has")
    if kind == "cuda" and ":" in setting and int(setting.split(":")[1]) >= torch.cuda.device_count():
        raise ModelUnavailableError(f"device = {setting!r} but torch sees {torch.cuda.device_count()} CUDA device(s)")


def preflight(settings: Settings, custom_pipeline: bool = False) -> None:
    """The checks that need no model loaded (device, weights downloaded), run before a turn starts
    so a mismatch costs seconds, not a parse, a plan and a model load."""
    if settings.device != "auto" and not custom_pipeline:
        check_device(settings.device)
    kind, where = resolve_source(settings.model)
    if kind == "hub" and not custom_pipeline:
        check_downloaded(str(where))


def pick_device(setting: str) -> str:
    if setting != "auto":
        check_device(setting)
        return setting
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(setting: str, device: str):
    import torch

    if setting == "auto":
        return torch.bfloat16 if device == "cuda" else torch.float32
    return getattr(torch, setting)
