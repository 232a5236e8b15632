"""The training script runs end to end on a tiny config, checkpoints, and resumes."""

import json

import pytest

torch = pytest.importorskip("torch")


def test_tiny_training_run_writes_a_pipeline_and_resumes(tmp_path):
    from chatdit.dit.nano.train import main

    out = tmp_path / "run"
    common = ["--tiny", "--vae-steps", "4", "--batch", "4", "--out", str(out), "--device", "cpu", "--seed", "3",
              "--infer-steps", "2"]
    assert main(common + ["--vae-only"]) == 0  # the VAE stage alone, exported for bench/nano_vae.py
    state = torch.load(out / "ckpt.pt", weights_only=False)["state"]
    assert state["vae_done"] and state["step"] == 0 and (out / "pipeline" / "vae").is_dir()
    assert main(common + ["--steps", "3", "--resume"]) == 0
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


def test_the_vae_loss_weighs_object_pixels_more_than_the_background():
    from chatdit.dit.nano.train import object_weights

    x = torch.full((1, 3, 16, 16), -0.5)
    x[:, 0, 4:8, 4:8] = 0.9  # a small red square on a dark background
    weights = object_weights(x, 4.0)
    assert weights[0, 0, 5, 5] == 5.0 and weights[0, 0, 12, 12] == 1.0
