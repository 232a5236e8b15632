"""Fitting real cards, tested for configuration on this CPU: presets pick quantization, offload,
tiling and eviction; quantization happens as the checkpoint loads (torchao int8 runs here)."""

import pytest

from chatdit.config import load_settings
from chatdit.dit.memory import PRESETS, memory_plan, pipeline_quantization, transformer_quantization


def test_a_preset_picks_everything_and_explicit_settings_win():
    assert memory_plan(load_settings()) == PRESETS["full"]
    plan = memory_plan(load_settings(memory="24GB"))
    assert (plan.quantize, plan.offload, plan.vae_tiling, plan.evict_idle) == ("fp8", "none", True, True)
    assert memory_plan(load_settings(memory="12GB")).offload == "group"
    assert memory_plan(load_settings(memory="24GB", quantize="int8", offload="model")).quantize == "int8"
    assert memory_plan(load_settings(memory="16GB", quantize="none")).quantize == "none"


@pytest.mark.parametrize(("mode", "backend"), [("int8", "TorchAoConfig"), ("fp8", "TorchAoConfig"),
                                               ("nf4", "BitsAndBytesConfig")])
def test_quantization_covers_the_transformer_and_t5_through_diffusers(mode, backend):
    pytest.importorskip("torchao" if mode != "nf4" else "bitsandbytes")
    import torch

    plan = memory_plan(load_settings(quantize=mode))
    config = pipeline_quantization(plan, torch.bfloat16)
    assert set(config.quant_mapping) == {"transformer", "text_encoder_2"}
    assert {type(c).__name__ for c in config.quant_mapping.values()} == {backend}
    assert type(transformer_quantization(plan, torch.bfloat16)).__name__ == backend


def test_a_missing_quantization_library_is_one_clear_line(monkeypatch):
    import sys

    import torch

    from chatdit.errors import ModelUnavailableError

    monkeypatch.setitem(sys.modules, "torchao.quantization", None)
    with pytest.raises(ModelUnavailableError, match=r'quantize = "int8" needs torchao \(pip install'):
        pipeline_quantization(memory_plan(load_settings(quantize="int8")), torch.bfloat16)


def test_int8_is_applied_as_a_checkpoint_loads_and_it_still_draws(tmp_path):
    pytest.importorskip("torchao")
    from chatdit.dit.hub import ModelHub
    from chatdit.dit.tiny import build_tiny_pipeline

    build_tiny_pipeline().save_pretrained(tmp_path / "flux")
    hub = ModelHub(load_settings(model=str(tmp_path / "flux"), quantize="int8", dtype="bfloat16", steps=1))
    pipe = hub.text2image()
    assert type(pipe.transformer.transformer_blocks[0].attn.to_q.weight).__name__ == "Int8Tensor"
    assert type(pipe.text_encoder_2.encoder.block[0].layer[0].SelfAttention.q.weight).__name__ == "Int8Tensor"
    image = hub.draw(pipe, hub.call_kwargs(pipe, width=64, height=64, seed=0, prompt="a red fox"))
    assert image.size == (64, 64)


def test_vae_tiling_is_switched_on_by_the_preset(tmp_path):
    from chatdit.dit.hub import ModelHub

    hub = ModelHub(load_settings(model="tiny", memory="24GB"))
    assert hub.text2image().vae.use_tiling
