"""The training script runs end to end on a tiny config, checkpoints, and resumes."""

import json

import pytest

torch = pytest.importorskip("torch")


def test_tiny_training_run_writes_a_pipeline_and_resumes(tmp_path):
    from chatdit.dit.nano.train import main

    out = tmp_path / "run"
    common = ["--tiny", "--vae-steps", "4", "--batch", "4", "--out", str(out), "--device", "cpu", "--seed", "3",
              "--infer-steps", "2"]
    assert main(common + ["--steps", "3"]) == 0
    assert torch.load(out / "ckpt.pt", weights_only=False)["state"]["step"] == 3
    assert main(common + ["--steps", "5", "--resume"]) == 0
    state = torch.load(out / "ckpt.pt", weights_only=False)["state"]
    assert state["step"] == 5 and state["vae_done"]
    defaults = json.loads((out / "pipeline" / "chatdit.json").read_text())
    assert defaults["pipeline"] == "FluxPipeline" and defaults["num_inference_steps"] == 2

    from diffusers import FluxPipeline

    pipe = FluxPipeline.from_pretrained(out / "pipeline")
    image = pipe("a red fox at night", height=64, width=64, num_inference_steps=2, max_sequence_length=32).images[0]
    assert image.size == (64, 64)
