"""Fixtures several test modules share."""

import sys
from pathlib import Path

import pytest

# Bench-only code (bench/counterfactual.py, the bench scripts) is imported by name, as the bench
# scripts import each other when run as `python bench/<script>.py`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


@pytest.fixture(scope="module")
def hub():
    """The tiny random-weight model hub with the built-in tools registered (one per module)."""
    from chatdit.tools.registry import load_builtin_tools

    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub

    load_builtin_tools()
    return ModelHub(load_settings(model="tiny"))


@pytest.fixture
def ctx(hub, tmp_path):
    """A ToolContext on the tiny hub whose pictures are `ctx.images` (asset id -> PIL image)."""
    from chatdit.tools.registry import ToolContext

    images = {}
    context = ToolContext(hub=hub, load_image=lambda asset_id: images[asset_id], workdir=tmp_path)
    context.images = images
    return context


@pytest.fixture
def tiny_ui(monkeypatch):
    """use(home): every session the UI makes under `home` runs the fast tiny model, no critic."""

    def use(home: Path) -> Path:
        for key, value in {"HOME": home, "MODEL": "tiny", "STEPS": 2, "WIDTH": 64, "HEIGHT": 64,
                           "CRITIC": "false", "ROUNDS": 1}.items():
            monkeypatch.setenv(f"CHATDIT_{key}", str(value))
        return home

    return use


@pytest.fixture(scope="module")
def tiny_pipe():
    """A tiny random-weight nano FluxPipeline (real diffusers and transformers classes), one per module."""
    import torch

    from chatdit.dit.nano.build import TINY_CONFIG, assemble_pipeline, build_models, build_tokenizers

    torch.manual_seed(0)
    clip_tok, t5_tok = build_tokenizers()
    pipe = assemble_pipeline(build_models(clip_tok, t5_tok, TINY_CONFIG), clip_tok, t5_tok)
    pipe.set_progress_bar_config(disable=True)
    return pipe
