"""chatdit-nano: the small DiT trained by `python -m chatdit.nano_training`, shipped as the default.

Importing this package stays light (no torch); the weights folder is a diffusers FluxPipeline.
"""

from __future__ import annotations

from pathlib import Path


def nano_model_dir() -> Path:
    """The shipped pipeline folder (FluxPipeline.from_pretrained loads it)."""
    return Path(__file__).resolve().parent / "weights"


def nano_available() -> bool:
    """True when the shipped weights are present (a checkout before training may lack them)."""
    folder = nano_model_dir()
    return (folder / "model_index.json").is_file() and (folder / "transformer").is_dir()
