"""Speed options on the tiny model: each cache is the diffusers config it names, MagCache gets ratios
measured on the model (never made up), quantization and compile fall back with a message."""

import json
import sys

import pytest

from chatdit.config import load_settings


@pytest.fixture(scope="module")
def tiny():
    from chatdit.dit.tiny import build_tiny_pipeline

    pipe = build_tiny_pipeline()
    pipe.set_progress_bar_config(disable=True)
    return pipe


def count_block_calls(pipe, steps: int) -> int:
    """Query projections run in one generation (skipped steps or blocks do not run them)."""
    import torch

    calls = []
    handles = [module.register_forward_hook(lambda *a: calls.append(1))
               for name, module in pipe.transformer.named_modules() if name.endswith("to_q")]
    try:
        pipe("a red fox", width=64, height=64, num_inference_steps=steps, guidance_scale=1.0, max_sequence_length=32,
             generator=torch.Generator().manual_seed(0))
    finally:
        for handle in handles:
            handle.remove()
    return len(calls)


def test_each_cache_setting_is_the_diffusers_config_it_names():
    from diffusers import FirstBlockCacheConfig, MagCacheConfig, TaylorSeerCacheConfig

    from chatdit.dit.speed import cache_config

    assert cache_config("none", 12) is None
    assert isinstance(cache_config("first_block", 12), FirstBlockCacheConfig)
    assert isinstance(cache_config("taylorseer", 12), TaylorSeerCacheConfig)
    assert isinstance(cache_config("magcache", 4, [1.0, 0.9, 0.95, 0.9]), MagCacheConfig)
    with pytest.raises(ValueError, match="ratios"):
        cache_config("magcache", 4)


def test_steps_follow_the_setting_else_the_models_default(tiny):
    from chatdit.dit.nano import nano_available, nano_model_dir
    from chatdit.dit.speed import default_steps

    assert default_steps(tiny, load_settings(model="tiny")) == 2
    assert default_steps(tiny, load_settings(model="tiny", steps=7)) == 7
    if nano_available():
        from diffusers import FluxPipeline

        nano = FluxPipeline.from_pretrained(nano_model_dir())
        shipped = json.loads((nano_model_dir() / "chatdit.json").read_text())["num_inference_steps"]
        assert default_steps(nano, load_settings()) == shipped


def test_magcache_ratios_are_measured_on_the_model_quietly(tiny, capsys):
    from chatdit.dit.speed import calibrate_mag_ratios, is_flux1

    ratios = calibrate_mag_ratios(tiny, steps=6)
    assert len(ratios) == 6 and ratios[0] == 1.0 and len(set(ratios)) > 2
    assert capsys.readouterr().out == ""
    assert not is_flux1(tiny)
    assert count_block_calls(tiny, 4) == 8  # 2 blocks x 4 steps: calibration left no cache behind


def test_taylorseer_and_magcache_skip_transformer_work(tiny):
    from chatdit.dit.speed import enable_step_cache

    baseline = count_block_calls(tiny, 8)
    for name in ("taylorseer", "magcache"):
        enable_step_cache(tiny, name, 8)
        try:
            assert count_block_calls(tiny, 8) < baseline, name
        finally:
            tiny.transformer.disable_cache()


def test_the_hub_applies_the_cache_setting_when_it_loads(tmp_path):
    from chatdit.dit.hub import ModelHub

    hub = ModelHub(load_settings(model="tiny", cache="magcache", steps=4))
    pipe = hub.text2image()
    assert pipe.transformer.is_cache_enabled
    kwargs = hub.call_kwargs(pipe, width=64, height=64, seed=0)
    assert pipe("a fox", **kwargs).images[0].size == (64, 64)


def test_int8_without_torchao_runs_unquantized_and_says_so(tiny, monkeypatch):
    from chatdit.dit.speed import quantize_transformer

    monkeypatch.setitem(sys.modules, "torchao.quantization", None)
    messages = []
    quantize_transformer(tiny, "int8", messages.append)
    assert messages and "torchao" in messages[0]
