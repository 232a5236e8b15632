"""Model and device mismatches a person can cause: one line saying what to do, the turn closed
as failed with nothing half done, in seconds."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chatdit.config import load_settings
from chatdit.errors import ModelUnavailableError, SettingsError


def test_a_device_torch_does_not_know_is_a_settings_error():
    with pytest.raises(SettingsError, match="'bogus' is not a device: use auto, cpu, cuda"):
        load_settings(device="bogus")


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_says_to_use_auto():
    from chatdit.dit.sources import preflight

    with pytest.raises(ModelUnavailableError, match='device = .cuda. but torch .* set device = "auto"'):
        preflight(load_settings(device="cuda"))


def test_a_gated_model_that_is_not_downloaded_says_how_to_get_it(monkeypatch, tmp_path):
    import huggingface_hub.constants

    from chatdit.dit.sources import preflight

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(ModelUnavailableError) as caught:
        preflight(load_settings(model="flux-dev"))
    message = str(caught.value)
    assert "is gated: accept its license at https://huggingface.co/black-forest-labs/FLUX.1-dev" in message
    assert "`hf download black-forest-labs/FLUX.1-dev`" in message and "huggingface-cli" not in message
    with pytest.raises(ModelUnavailableError, match="FLUX.1-schnell is not downloaded: `hf download") as schnell:
        preflight(load_settings(model="flux-schnell"))
    assert "gated" not in str(schnell.value)  # schnell is open (Apache 2.0)


def test_out_of_memory_while_drawing_is_one_line_of_advice(hub, monkeypatch):
    import torch
    from diffusers import FluxPipeline

    def out_of_memory(self, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    pipe = hub.text2image()
    monkeypatch.setattr(FluxPipeline, "__call__", out_of_memory)
    with pytest.raises(ModelUnavailableError, match='ran out of memory drawing a 64x64 canvas .* memory = "24GB"') as caught:
        hub.draw(pipe, {"prompt": "a fox", "width": 64, "height": 64})
    assert "\n" not in str(caught.value)


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["CHATDIT_DEVICE=bogus", "CHATDIT_MODEL=flux-dev", "CHATDIT_LLM=local"]
                         + ([] if __import__("torch").cuda.is_available() else ["CHATDIT_DEVICE=cuda"]))
def test_the_cli_prints_one_line_and_no_traceback(setting, tmp_path):
    key, value = setting.split("=")
    env = {**os.environ, key: value, "CHATDIT_HOME": str(tmp_path / "home"), "HF_HUB_CACHE": str(tmp_path / "hf")}
    done = subprocess.run([str(Path(sys.executable).parent / "chatdit"), "chat", str(tmp_path / "s"), "a red fox"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1 and lines[0].startswith("error: "), lines
    assert "Traceback" not in done.stderr
