"""Every pipeline the hub builds, on the tiny model: dtype kept through from_pipe, every step cache
working inside every pipeline, and a cancelled call leaving no cache state behind."""

import threading

import pytest
from PIL import Image

from chatdit.config import load_settings
from chatdit.dit.hub import ModelHub
from chatdit.errors import TurnCancelled

VARIANTS = ("text2image", "inpaint", "img2img", "fill", "kontext")


def variant_call(hub: ModelHub, name: str, seed: int = 0, **extra):
    """One small call of a variant with the inputs it needs."""
    pipe = getattr(hub, name)()
    image = Image.new("RGB", (64, 64), (200, 40, 40))
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (0, 0, 32, 64))
    inputs = {"inpaint": {"image": image, "mask_image": mask, "strength": 1.0},
              "fill": {"image": image, "mask_image": mask},
              "img2img": {"image": image, "strength": 0.8},
              "kontext": {"image": image, "max_area": 64 * 64, "_auto_resize": False}}.get(name, {})
    kwargs = hub.call_kwargs(pipe, width=64, height=64, seed=seed, prompt="a red fox", **inputs, **extra)
    return pipe, hub.draw(pipe, kwargs)


def test_every_variant_keeps_the_bfloat16_of_the_base():
    import torch

    hub = ModelHub(load_settings(model="tiny", dtype="bfloat16"))
    for name in VARIANTS:
        pipe = getattr(hub, name)()
        for component in ("transformer", "vae", "text_encoder", "text_encoder_2"):
            assert getattr(pipe, component).dtype == torch.bfloat16, f"{name}.{component}"


@pytest.mark.parametrize("cache", ["first_block", "taylorseer", "magcache"])
def test_every_variant_runs_with_every_cache(cache):
    hub = ModelHub(load_settings(model="tiny", cache=cache))
    for name in VARIANTS:
        pipe, image = variant_call(hub, name)
        assert image.size == (64, 64), name
        assert pipe.transformer.is_cache_enabled, f"{name} runs without the {cache} cache"


def cache_states(transformer) -> list:
    """Per-context states the step-cache hooks hold (MagCache's step counter and residuals)."""
    return [state for module in transformer.modules() if hasattr(module, "_diffusers_hook")
            for hook in module._diffusers_hook.hooks.values() for manager in vars(hook).values()
            if hasattr(manager, "_state_cache") for state in manager._state_cache.values()]


@pytest.mark.parametrize("name", ["text2image", "inpaint"])
def test_a_cancelled_call_leaves_no_cache_state_behind(name):
    import numpy as np

    hub = ModelHub(load_settings(model="tiny", cache="magcache", steps=8))
    _, before = variant_call(hub, name, seed=3)
    cancel = threading.Event()
    with pytest.raises(TurnCancelled):
        variant_call(hub, name, seed=3, progress=lambda done, total: cancel.set() if done == 3 else None, cancel=cancel)
    assert cache_states(getattr(hub, name)().transformer) == []
    _, after = variant_call(hub, name, seed=3)
    assert np.array_equal(np.asarray(before), np.asarray(after))
