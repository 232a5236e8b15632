"""Fixtures several test modules share."""

import pytest


@pytest.fixture(scope="module")
def hub():
    """The tiny random-weight model hub with the built-in tools registered (one per module)."""
    from chatdit.tools.registry import load_builtin_tools

    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub

    load_builtin_tools()
    return ModelHub(load_settings(model="tiny"))


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
