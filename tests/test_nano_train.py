"""The training script runs end to end on a tiny config, checkpoints, and resumes."""

import json

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")


def test_tiny_training_run_writes_a_pipeline_and_resumes(tmp_path):
    from chatdit.dit.nano.train import main

    out = tmp_path / "run"
    common = ["--tiny", "--vae-steps", "4", "--decoder-steps", "0", "--batch", "4", "--out", str(out), "--device", "cpu",
              "--seed", "3",
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
    assert defaults["grounding"] == "storybook-boxes"  # trained grounded by default, so the hub draws it so
    saved = json.loads((out / "pipeline" / "tokenizer_2" / "tokenizer.json").read_text())
    assert saved["padding"] is None and saved["truncation"] is None  # nothing left over from the last batch
    trained = (out / "pipeline" / "transformer" / "diffusion_pytorch_model.safetensors").read_bytes()
    assert main(common[:-1] + ["4", "--export-only"]) == 0  # the checkpoint's weights, other defaults
    assert (out / "pipeline" / "transformer" / "diffusion_pytorch_model.safetensors").read_bytes() == trained
    assert json.loads((out / "pipeline" / "chatdit.json").read_text())["num_inference_steps"] == 4
    with pytest.raises(SystemExit, match="no checkpoint"):
        main(["--tiny", "--out", str(tmp_path / "empty"), "--export-only"])

    from diffusers import FluxPipeline

    pipe = FluxPipeline.from_pretrained(out / "pipeline")
    image = pipe("a red fox at night", height=64, width=64, num_inference_steps=2, max_sequence_length=32).images[0]
    assert image.size == (64, 64)


def test_the_vae_loss_weighs_objects_more_than_sky_and_ground():
    from chatdit.dit.nano.train import object_weights, to_pixels
    from chatdit.storybook import ObjectSpec, SceneSpec, render_scene

    spec = SceneSpec(background="sunset", objects=[ObjectSpec(kind="square", color="blue", size="large", position="top left")])
    image, (square,) = render_scene(spec, seed=3)
    x = to_pixels(torch.from_numpy(np.asarray(image)).permute(2, 0, 1)[None], "cpu")
    weights = object_weights(x, 4.0)[0, 0]
    x0, y0, x1, y1 = square.bbox
    assert weights[y0 + 2, x0 + 2] == 5.0
    assert weights[5, 60] == 1.0 and weights[60, 5] == 1.0  # sky and ground are background


def test_the_ring_weights_reach_one_pixel_past_an_object_and_no_further():
    from chatdit.dit.nano.train import object_weights, ring_weights, to_pixels
    from chatdit.storybook import ObjectSpec, SceneSpec, render_scene

    spec = SceneSpec(background="night", objects=[ObjectSpec(kind="square", color="yellow", size="large", position="center")])
    image, (square,) = render_scene(spec, seed=1)
    x = to_pixels(torch.from_numpy(np.asarray(image)).permute(2, 0, 1)[None], "cpu")
    inside, ring = object_weights(x, 4.0)[0, 0], ring_weights(x, 4.0)[0, 0]
    grown = ring - inside  # 4 exactly on the pixels the ring adds
    assert set(grown.unique().tolist()) == {0.0, 4.0} and (ring >= inside).all()
    rows, cols = (grown > 0).nonzero(as_tuple=True)
    x0, y0, x1, y1 = square.bbox
    assert x0 - 2 <= cols.min() and cols.max() <= x1 + 1 and y0 - 2 <= rows.min() and rows.max() <= y1 + 1
    assert ring[2, 2] == 1.0  # the sky far from it stays background


def test_the_vae_stage_draws_the_asked_share_of_two_panel_rows():
    from chatdit.dit.nano.train import make_loader

    loader = make_loader(5, 4, 0, vae_only=True, vae_rows=0.5)
    widths = [next(loader)[0].shape[-1] for _ in range(40)]
    assert set(widths) == {64, 128} and 10 <= widths.count(128) <= 30
    assert {next(make_loader(5, 4, 0, vae_only=True))[0].shape[-1] for _ in range(3)} == {64}


def test_the_transformer_stage_draws_the_asked_share_of_single_panels():
    from chatdit.dit.nano.train import make_loader

    def widths(share: float) -> list[int]:
        loader = make_loader(5, 4, 0, single_share=share)
        return [next(loader)[0].shape[-1] for _ in range(40)]

    assert set(widths(1.0)) == {64} and 64 not in widths(0.0)
    mixed = widths(0.5)
    assert {64, 128, 192, 256} <= set(mixed) and 10 <= mixed.count(64) <= 30


def test_the_transformer_stage_draws_a_weighted_kind_more_often():
    import re

    from chatdit.dit.nano.train import make_loader, parse_args

    def suns(kind_weights) -> int:  # captions naming a sun ("sunset" and "sunny" are backgrounds)
        loader = make_loader(5, 8, 0, single_share=1.0, kind_weights=kind_weights)
        return sum(bool(re.search(r"\bsuns?\b", caption)) for _ in range(16) for caption in next(loader)[2])

    assert suns(dict(parse_args(["--kind-weight", "sun=4"]).kind_weight)) > 2 * suns(None) > 0
    assert parse_args([]).kind_weight == []  # the uniform draw unless asked


def test_the_vae_stage_steps_at_the_asked_learning_rate(tiny_pipe):
    """Adam's first step moves each weight by about the learning rate, so twice the rate moves the
    VAE about twice as far."""
    import copy

    from chatdit.dit.nano.train import make_loader, train_vae

    def moved(lr: float) -> float:
        vae = copy.deepcopy(tiny_pipe.vae)
        before = [p.detach().clone() for p in vae.parameters()]
        train_vae(vae, make_loader(5, 2, 0, vae_only=True), 1, torch.device("cpu"), {}, 4.0, lr=lr)
        return sum((p.detach() - b).abs().sum().item() for p, b in zip(vae.parameters(), before))

    assert moved(0.0) == 0.0
    assert moved(2e-3) / moved(1e-3) == pytest.approx(2.0, rel=0.05)


def test_precision_auto_takes_bf16_where_the_hardware_has_it(monkeypatch):
    from chatdit.dit.nano import train

    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    monkeypatch.setattr(train, "cpu_has_bf16", lambda: True)
    assert train.uses_bf16(cpu, "auto") and not train.uses_bf16(cpu, "fp32")  # the shipped weights' run
    monkeypatch.setattr(train, "cpu_has_bf16", lambda: False)
    assert not train.uses_bf16(cpu, "auto") and train.uses_bf16(cpu, "bf16")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert train.uses_bf16(cuda, "auto") and not train.uses_bf16(cuda, "fp32")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert not train.uses_bf16(cuda, "auto")


def test_the_vae_runs_in_bf16_where_the_hardware_has_it_unless_told(monkeypatch):
    from chatdit.dit.nano import train

    cpu = torch.device("cpu")
    monkeypatch.setattr(train, "cpu_has_bf16", lambda: True)
    assert train.vae_uses_bf16(cpu, "auto", None) and train.vae_uses_bf16(cpu, "fp32", None)
    assert not train.vae_uses_bf16(cpu, "fp32", False) and train.vae_uses_bf16(cpu, "bf16", False)
    monkeypatch.setattr(train, "cpu_has_bf16", lambda: False)
    assert not train.vae_uses_bf16(cpu, "auto", None)  # emulated bf16 would be slower than float32
    assert train.vae_uses_bf16(cpu, "auto", True) and train.vae_uses_bf16(cpu, "bf16", None)


def test_latent_replay_encodes_about_one_batch_in_reuse_and_is_seeded():
    from chatdit.dit.nano.train import LatentReplay

    def batches():
        i = 0
        while True:
            i += 1
            yield i, [f"caption {i}"]

    encoded = []

    def encode(batch_id):
        encoded.append(batch_id)
        return (batch_id,)

    replay = LatentReplay(batches(), encode, reuse=3, seed=1)
    drawn = [next(replay)[0] for _ in range(300)]
    assert 70 <= len(encoded) <= 130  # about 300 / 3 encodes
    assert set(drawn) == set(encoded)  # every encoded batch is trained on, nothing else
    again = LatentReplay(batches(), lambda b: (b,), reuse=3, seed=1)
    assert [next(again)[0] for _ in range(300)] == drawn
    fresh = LatentReplay(batches(), lambda b: (b,), reuse=1, seed=1)
    assert [next(fresh)[0] for _ in range(5)] == [1, 2, 3, 4, 5]


def test_chatdit_train_nano_hands_every_option_to_the_training_script(capsys):
    from chatdit.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["train-nano", "--help"])
    assert exit_.value.code == 0
    assert "--vae-only" in capsys.readouterr().out  # the training script's own help
    with pytest.raises(SystemExit) as exit_:
        main(["sessions", "--minutes", "3"])  # other commands still refuse what they do not know
    assert exit_.value.code == 2 and "unrecognized arguments: --minutes 3" in capsys.readouterr().err


def test_a_run_can_take_its_vae_stage_from_an_earlier_run_and_tune_only_the_decoder_after(tmp_path):
    from safetensors.torch import load_file

    from chatdit.dit.nano.train import main

    first, second = tmp_path / "first", tmp_path / "second"
    common = ["--tiny", "--vae-steps", "3", "--batch", "4", "--device", "cpu", "--infer-steps", "2"]
    # the first VAE stage in float32, single panels, object weights only (the options before v14)
    assert main(common + ["--out", str(first), "--vae-only", "--no-vae-ring", "--vae-rows", "0", "--no-vae-bf16"]) == 0
    assert main(common + ["--out", str(second), "--vae-from", str(first / "pipeline"), "--steps", "2",
                          "--decoder-steps", "2"]) == 0
    state = torch.load(second / "ckpt.pt", weights_only=False)["state"]
    assert state["vae_from"] == str(first / "pipeline") and state["step"] == 2 and state["decoder_step"] == 2
    before = load_file(first / "pipeline" / "vae" / "diffusion_pytorch_model.safetensors")
    after = load_file(second / "pipeline" / "vae" / "diffusion_pytorch_model.safetensors")
    encoder = [k for k in before if k.startswith(("encoder.", "quant_conv."))]
    decoder = [k for k in before if k.startswith("decoder.")]
    assert all(torch.equal(before[k], after[k]) for k in encoder)  # the latents the transformer learned are kept
    assert not all(torch.equal(before[k], after[k]) for k in decoder)
    with pytest.raises(SystemExit, match="--vae-from: no VAE"):
        main(common + ["--out", str(tmp_path / "third"), "--vae-from", str(tmp_path / "nowhere")])
    assert not (tmp_path / "third").exists()
    config = json.loads((second / "pipeline" / "vae" / "config.json").read_text())
    assert config["scaling_factor"] == json.loads((first / "pipeline" / "vae" / "config.json").read_text())["scaling_factor"]


def test_a_run_is_step_counted_unless_given_minutes(capsys):
    from chatdit.dit.nano.train import STEPS, parse_args

    assert parse_args([]).steps == STEPS and parse_args([]).minutes is None
    timed = parse_args(["--minutes", "37"])
    assert timed.steps == 0 and timed.minutes == 37.0  # the budget decides, not the default steps
    with pytest.raises(SystemExit):
        parse_args(["--minutes", "37", "--steps", "100"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_time_budget_is_the_transformer_stages_own(tmp_path):
    """--minutes does not shrink when the VAE stage is slow: the VAE stage here takes seconds,
    the budget is 0.06 s, and the transformer still trains."""
    from chatdit.dit.nano.train import main

    out = tmp_path / "run"
    assert main(["--tiny", "--vae-steps", "4", "--decoder-steps", "0", "--batch", "4", "--out", str(out), "--device", "cpu",
                 "--minutes", "0.001", "--infer-steps", "2"]) == 0
    state = torch.load(out / "ckpt.pt", weights_only=False)["state"]
    assert state["vae_seconds"] > 0.06 and state["step"] >= 1


def test_more_latent_channels_widen_the_transformer_and_a_resumed_run_keeps_them(tmp_path):
    from diffusers import FluxPipeline

    from chatdit.dit.nano.train import main

    out = tmp_path / "run"
    common = ["--tiny", "--vae-steps", "2", "--decoder-steps", "0", "--batch", "4", "--out", str(out), "--device", "cpu",
              "--infer-steps", "2"]
    assert main(common + ["--vae-only", "--latent-channels", "8"]) == 0
    assert main(common + ["--steps", "2", "--resume"]) == 0  # no flag: the checkpoint's shape
    pipe = FluxPipeline.from_pretrained(out / "pipeline")
    assert pipe.vae.config.latent_channels == 8 and pipe.transformer.config.in_channels == 32
    image = pipe("a red fox at night", height=64, width=64, num_inference_steps=2, max_sequence_length=32).images[0]
    assert image.size == (64, 64)
    with pytest.raises(SystemExit, match="8 latent channels, not the 4 this run builds"):  # the tiny model's 4
        main(common + ["--out", str(tmp_path / "other"), "--vae-from", str(out / "pipeline")])


def test_heads_set_the_transformer_width_and_a_resumed_run_keeps_them(tmp_path):
    from diffusers import FluxPipeline

    from chatdit.dit.nano.train import main

    out = tmp_path / "run"
    common = ["--tiny", "--vae-steps", "2", "--decoder-steps", "0", "--batch", "4", "--out", str(out), "--device", "cpu",
              "--infer-steps", "2"]
    assert main(common + ["--steps", "1", "--heads", "3"]) == 0  # the tiny model's 2 heads of 16
    assert main(common + ["--steps", "2", "--resume"]) == 0  # no flag: the checkpoint's width
    pipe = FluxPipeline.from_pretrained(out / "pipeline")
    assert pipe.transformer.config.num_attention_heads == 3 and pipe.transformer.inner_dim == 48
    image = pipe("a red fox at night", height=64, width=64, num_inference_steps=2, max_sequence_length=32).images[0]
    assert image.size == (64, 64)


@pytest.mark.parametrize("option, value, message", [("--vae-rows", "1.5", "not a share between 0 and 1"),
                                                    ("--single-share", "-0.1", "not a share between 0 and 1"),
                                                    ("--vae-lr", "-1", "not a positive number"),
                                                    ("--lr", "0", "not a positive number"),
                                                    ("--latent-channels", "0", "not a positive whole number"),
                                                    ("--steps", "0", "not a positive whole number"),
                                                    ("--minutes", "-5", "not a positive number"),
                                                    ("--kind-weight", "dragon=3", "'dragon' is not an object kind"),
                                                    ("--kind-weight", "sun=lots", "the weight after '=' is not a number"),
                                                    ("--kind-weight", "sun=0", "not a positive number")])
def test_out_of_range_options_are_refused_before_anything_runs(option, value, message, capsys):
    from chatdit.dit.nano.train import parse_args

    with pytest.raises(SystemExit):
        parse_args([option, value])
    assert message in capsys.readouterr().err


def test_batches_encoded_under_bf16_are_float32_latents_close_to_the_float32_ones(tiny_pipe):
    from chatdit.dit.nano.train import encode_batch, make_loader

    images = next(make_loader(1, 4, 0))[0]
    exact, ids = encode_batch(tiny_pipe.vae, images, "cpu")
    fast, fast_ids = encode_batch(tiny_pipe.vae, images, "cpu", bf16=True)
    assert fast.dtype == torch.float32 and torch.equal(ids, fast_ids)
    assert not torch.equal(fast, exact)  # bf16 really ran
    assert ((fast - exact).std() / exact.std()) < 0.05


def test_the_decoder_stage_draws_its_own_noise_whatever_the_transformer_stage_left(tiny_pipe):
    """--vae-from takes a finished VAE as what a run from nothing would make: that holds only if
    the decoder stage's jitter does not come from the global generator the transformer stage seeds."""
    import copy

    from chatdit.dit.nano.train import make_loader, train_decoder

    def decoder_after(global_seed: int, seed: int) -> dict:
        vae = copy.deepcopy(tiny_pipe.vae)
        torch.manual_seed(global_seed)  # as the transformer stage leaves it, after however many steps
        train_decoder(vae, make_loader(5, 2, 0, vae_only=True), 2, torch.device("cpu"), {}, 4.0, 0.5, seed=seed)
        return vae.decoder.state_dict()

    first, other_global, other_seed = decoder_after(1, 0), decoder_after(2, 0), decoder_after(1, 1)
    assert all(torch.equal(weights, other_global[name]) for name, weights in first.items())
    assert not all(torch.equal(weights, other_seed[name]) for name, weights in first.items())  # the jitter is drawn
