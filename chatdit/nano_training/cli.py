"""Train chatdit-nano: `python -m chatdit.nano_training --out nano-runs/main` (the defaults meet the issue's targets).

Two stages, both on data rendered on the fly from the storybook world:
1. a small AutoencoderKL (64x64 pixels -> 16x16x8 latents, --latent-channels), reconstruction weighted toward object
   pixels and the ring around them + tiny KL, on single panels and 2-panel rows, bfloat16 autocast;
2. the FluxTransformer2DModel and the word-level T5 / char-level CLIP text encoders, by rectified
   flow matching on packed latents (8x8 tokens per panel), on single panels and 2-4 panel rows
   captioned with `joint_caption`; each caption padded to its sequence bucket (as the hub pads it),
   each encoded batch trained on `--reuse` times, logit-normal timesteps, caption dropout for true
   CFG, EMA weights, warmup + cosine learning rate, a semantic alignment loss (--semantic-weight);
   after it, a decoder-only fine-tune of the VAE (--decoder-steps).
The VAE stage runs --vae-steps steps (or is taken from an earlier run, --vae-from); the transformer
stage runs exactly --steps steps (or --minutes of wall-clock time).
The run directory holds `ckpt.pt` (resume with --resume) and `pipeline/`, a FluxPipeline folder
with chatdit.json; `--export DIR` copies that folder (the shipped one is chatdit/dit/nano/weights).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from chatdit.nano_training.data import SINGLE_SHARE
from chatdit.nano_training.vae_stage import VAE_LR

# Transformer steps of the default run: at the defaults, 3500 steps from the shipped VAE met every
# target of the issue (model card); 37 minutes' worth (2100-3500 steps, by the day) did not.
STEPS = 3500


def share(text: str) -> float:
    """An argparse type for a fraction of steps (0 to 1)."""
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive whole number")
    return value


def positive_float(text: str) -> float:
    """An argparse type for a rate, a weight or a budget: refused at the command line, not by the
    optimizer or the loop after the models are built."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def kind_weight(text: str) -> tuple[str, float]:
    """An argparse type for `KIND=WEIGHT`, one of the world's object kinds and a positive weight."""
    from chatdit.storybook import OBJECTS

    kind, _, weight = text.partition("=")
    if kind not in OBJECTS:
        raise argparse.ArgumentTypeError(f"{kind!r} is not an object kind of the world ({', '.join(OBJECTS)})")
    try:
        return kind, positive_float(weight)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: the weight after '=' is not a number") from None


def _stage_options(p: argparse.ArgumentParser) -> None:
    """How long each stage runs, and the VAE's shape and losses."""
    length = p.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int, default=STEPS,
                        help="transformer steps (exactly reproducible, the same model on any machine; by the stage "
                             "speeds measured on the 2-core CPU, the default run from nothing takes about 62 minutes "
                             "on its fastest days, VAE stage 19, transformer 41, decoder 2, and about 95 on its "
                             "slowest)")
    length.add_argument("--minutes", type=positive_float, default=None,
                        help="a wall-clock budget for the transformer stage instead of --steps (the model then "
                             "depends on the machine's speed)")
    p.add_argument("--vae-steps", type=int, default=3800)
    p.add_argument("--vae-lr", type=positive_float, default=VAE_LR, help="the VAE stage's peak learning rate (cosine to a tenth)")
    p.add_argument("--vae-object-weight", type=float, default=4.0,
                   help="extra VAE loss weight on object pixels, those that are not sky or ground (objects are small)")
    p.add_argument("--vae-ring", action=argparse.BooleanOptionalAction, default=True,
                   help="weight the 1-pixel ring around each object too in the VAE stage (points and rays blur into "
                        "the background beside them; the decoder stage always does)")
    p.add_argument("--vae-rows", type=share, default=0.25,
                   help="share of VAE steps on 2-panel rows, so its GroupNorm sees canvas statistics")
    p.add_argument("--vae-bf16", action=argparse.BooleanOptionalAction, default=None,
                   help="bfloat16 autocast for the VAE: its training stage (1.57x faster on this CPU, which has "
                        "AVX512-BF16) and the encoding of the transformer stage's batches (1.6x), whatever --precision "
                        "says; default: where the hardware computes bf16 natively, as --precision auto decides")
    p.add_argument("--latent-channels", type=positive_int, default=None,
                   help="VAE latent channels (default: the model config's); the transformer's input widens to match")
    p.add_argument("--heads", type=positive_int, default=None,
                   help="transformer attention heads (each 32 wide, so this sets its width; default: the model "
                        "config's); a resumed run keeps its checkpoint's")
    p.add_argument("--vae-from", type=Path, default=None,
                   help="take the VAE stage from an earlier run's pipeline folder (e.g. chatdit/dit/nano/weights, "
                        "whose VAE is this script's stage 1 at seed 0) instead of training it")
    p.add_argument("--vae-only", action="store_true",
                   help="train the VAE stage, save and export, then stop: check it with bench/nano_vae.py, then --resume")
    p.add_argument("--decoder-steps", type=int, default=400,
                   help="after the transformer, fine-tune the VAE decoder alone this many steps (encoder frozen, "
                        "so the latents stay the same); its time comes after the transformer stage's")
    p.add_argument("--decoder-jitter", type=float, default=0.1, help="latent noise (in latent sigmas) for that stage")


def _transformer_options(p: argparse.ArgumentParser) -> None:
    """The transformer stage's data, losses and optimiser."""
    p.add_argument("--batch", type=int, default=64, help="panels per transformer step (rows split it)")
    p.add_argument("--single-share", type=share, default=SINGLE_SHARE,
                   help="share of transformer steps on single panels; the rest split evenly over 2-, 3-, 4-panel rows "
                        "(single pictures are what misses the targets; model card)")
    p.add_argument("--kind-weight", type=kind_weight, action="append", default=[], metavar="KIND=WEIGHT",
                   help="draw this object kind WEIGHT times as often as the others in the transformer stage's scenes "
                        "(repeatable; none by default: sun=3 lifted the sun from 0.46 to 0.73 at 2480 steps, and the "
                        "other kinds' counts paid for it, model card)")
    p.add_argument("--reuse", type=float, default=3.0,
                   help="times each rendered and encoded batch is trained on, with fresh noise and timesteps each time "
                        "(rendering and VAE encoding are then paid once per REUSE steps)")
    p.add_argument("--lr", type=positive_float, default=3.6e-3,
                   help="peak transformer learning rate (the rates tried: model card)")
    p.add_argument("--ema", type=float, default=0.997)
    p.add_argument("--semantic-weight", type=float, default=1.0,
                   help="weight of the semantic alignment loss (0: off): a linear probe on the image tokens after the "
                        "dual blocks predicts each token's object kind and color (chatdit/nano_training/semantic.py); "
                        "grounded, it drew kinds and counts better at equal steps (model card)")
    p.add_argument("--grounded", type=float, default=0.9,
                   help="share of samples drawn grounded: each object group's phrase attends only to its boxes "
                        "(chatdit/dit/nano/grounding.py), as the hub draws nano pictures from a planned layout")
    p.add_argument("--grounding", choices=["groups", "objects", "boxes"], default="boxes",  # grounding.GROUNDING_MODES
                   help="groups: one phrase per object group over all its boxes ('two red stars'); objects: one "
                        "phrase per object ('a red star' in each box); boxes: the same, each phrase at its box's "
                        "rotary position (chatdit/dit/box_rope.py)")
    p.add_argument("--object-weight", type=float, default=4.0,
                   help="extra flow-matching loss weight on the image tokens of grounded samples' object boxes "
                        "(objects cover a few percent of a picture, and their shapes are what the detector reads)")
    p.add_argument("--timesteps", choices=["logit-normal", "uniform"], default="logit-normal")
    p.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")


def _run_options(p: argparse.ArgumentParser) -> None:
    """Where the run goes, on what hardware, and the exported pipeline's defaults."""
    p.add_argument("--out", type=Path, default=Path("nano-runs/latest"))
    p.add_argument("--export", type=Path, default=None, help="also copy the pipeline folder here")
    p.add_argument("--resume", action="store_true", help="continue from OUT/ckpt.pt")
    p.add_argument("--export-only", action="store_true", help="write OUT/pipeline from OUT/ckpt.pt and stop "
                                                                 "(e.g. with other --infer-steps / --cfg defaults)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto",
                   help="auto: bfloat16 autocast on CUDA with bf16 and on a CPU with AVX512-BF16 or AMX (the shipped "
                        "run), else float32")
    p.add_argument("--attention", choices=["auto", "math", "fused"], default="auto",
                   help="the transformer stage's attention kernel; auto: math on a CPU (its backward is far "
                        "cheaper there than the fused flash kernel's: bench/nano_train_speed.py), fused on CUDA")
    p.add_argument("--device", default="auto", help="auto (cuda when present), cpu or cuda")
    p.add_argument("--workers", type=int, default=-1, help="data worker processes (-1: 0 on cpu, 10 on gpu)")
    p.add_argument("--tiny", action="store_true", help="tiny model (tests and smoke runs)")
    p.add_argument("--infer-steps", type=int, default=16)
    p.add_argument("--cfg", type=float, default=4.0)
    p.add_argument("--save-every", type=float, default=120.0, help="seconds between checkpoints")
    p.add_argument("--save-fp16", action="store_true", help="write the pipeline in float16 (transport only)")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m chatdit.nano_training", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    _stage_options(p)
    _transformer_options(p)
    _run_options(p)
    args = p.parse_args(argv)
    if args.minutes is not None:
        args.steps = 0  # the time budget decides
    return args




def main(argv: list[str] | None = None) -> int:
    """Train (or resume, or export) one run; the stages in order, each skipped once done."""
    from chatdit.nano_training.export import export_pipeline
    from chatdit.nano_training.run import checked_config, log, start_run
    from chatdit.nano_training.transformer_stage import train_transformer
    from chatdit.nano_training.vae_stage import decoder_stage, vae_stage

    args = parse_args(sys.argv[1:] if argv is None else argv)
    run = start_run(args, checked_config(args))
    if args.export_only:
        log(f"exported step {run.state['step']} to {export_pipeline(run)}")
        return 0
    run.begin()
    vae_stage(run)
    if args.vae_only:
        folder = export_pipeline(run)
        log(f"VAE stage exported to {folder}; check it: python bench/nano_vae.py --model {folder}")
        return 0
    train_transformer(run)
    decoder_stage(run)
    folder = export_pipeline(run)
    log(f"done: {run.state['step']} steps in {(time.time() - run.t_start) / 60:.1f} min; pipeline at {folder}")
    return 0
