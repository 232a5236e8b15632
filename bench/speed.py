"""Bench the speed and memory options on chatdit-nano, side by side in one run.

    python bench/speed.py               # 24 held-out scenes, every option, shipped weights
    python bench/speed.py --n 60 --no-compile

Every option draws the same held-out nano-world scenes with the same seeds, interleaved scene by
scene (a busy machine slows all options alike; the median is reported). For each: median seconds
per 64x64 picture, speed-up over the baseline (the model's default steps, no cache), the share of
the scene's requirements the offline world detector finds met (the critic's offline check), the
change in points from the baseline, and how far the picture moved from the baseline's (mean
absolute pixel difference, 0-255). Options that need a GPU or a missing backend say so.
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chatdit.dit.captions import defaults_text_length  # noqa: E402

HELD_OUT_SEED = 20261127


def load(model: Path):
    import json

    import torch
    from diffusers import FluxPipeline

    pipe = FluxPipeline.from_pretrained(model, torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    return pipe, json.loads((model / "chatdit.json").read_text())


def variants(pipe, defaults: dict, compile_too: bool) -> list[tuple[str, object, dict, str]]:
    """(name, pipeline, call overrides, note) for each option; pipelines share all but the transformer."""
    import torch
    from diffusers import FluxPipeline

    from chatdit.dit.speed import enable_step_cache

    steps = defaults["num_inference_steps"]
    out = [(f"baseline ({steps} steps)", pipe, {}, "")]
    for cache in ("first_block", "taylorseer", "magcache"):
        cached = FluxPipeline.from_pipe(pipe, transformer=copy.deepcopy(pipe.transformer))
        started = time.perf_counter()
        enable_step_cache(cached, cache, steps)
        note = f"calibrated in {time.perf_counter() - started:.1f}s" if cache == "magcache" else ""
        out.append((f"cache={cache}", cached, {}, note))
    for fewer in (steps * 2 // 3, steps // 2):
        out.append((f"steps={fewer}", pipe, {"num_inference_steps": fewer}, ""))
    if compile_too:
        compiled = FluxPipeline.from_pipe(pipe, transformer=copy.deepcopy(pipe.transformer))
        compiled.transformer.compile(fullgraph=False, dynamic=False)
        out.append(("compile=true", compiled, {}, "first call compiles"))
    try:
        from torchao.quantization import quantize_

        from chatdit.dit.speed import int8_config

        quantized = FluxPipeline.from_pipe(pipe, transformer=copy.deepcopy(pipe.transformer))
        quantize_(quantized.transformer, int8_config())
        out.append(("quantize=int8", quantized, {}, "torchao weight-only"))
    except Exception as exc:  # noqa: BLE001 - any backend failure is reported, not fatal
        out.append(("quantize=int8", None, {}, f"skipped: {type(exc).__name__}: {str(exc)[:60]}"))
    for _, variant, _, _ in out:
        if variant is not None:
            variant.set_progress_bar_config(disable=True)
    cuda = torch.cuda.is_available()
    out.append(("offload=model", None, {}, "moves idle parts to CPU on a GPU" if cuda else "skipped: needs a CUDA GPU"))
    return out


def draw(pipe, defaults: dict, prompt: str, seed: int, overrides: dict):
    import torch

    kwargs = dict(height=64, width=64, num_inference_steps=defaults["num_inference_steps"],
                  guidance_scale=defaults.get("guidance_scale", 1.0), max_sequence_length=defaults_text_length(pipe, defaults, prompt),
                  generator=torch.Generator("cpu").manual_seed(seed))
    cfg = defaults.get("true_cfg_scale") or 1.0
    if cfg > 1:
        kwargs.update(true_cfg_scale=cfg, negative_prompt=defaults.get("negative_prompt") or " ")
    kwargs.update(overrides)
    return pipe(prompt, **kwargs).images[0]


def main() -> None:
    import numpy as np
    import torch

    from chatdit.dit.nano import nano_model_dir
    from chatdit.storybook import caption, sample_spec
    from chatdit.storybook.detector import check_spec

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=nano_model_dir())
    parser.add_argument("--n", type=int, default=24)
    parser.add_argument("--no-compile", action="store_true", help="leave torch.compile out (it needs a C compiler)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (1 is steadiest on a shared 2-core machine)")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    torch.set_num_threads(args.threads)
    pipe, defaults = load(args.model)
    rng = random.Random(HELD_OUT_SEED)
    scenes = [sample_spec(rng) for _ in range(args.n)]
    prompts = [caption(spec, rng) for spec in scenes]
    options = variants(pipe, defaults, not args.no_compile)
    runnable = [o for o in options if o[1] is not None]
    for name, variant, overrides, _ in runnable:  # warm-up (and compilation) outside the timings
        started = time.perf_counter()
        draw(variant, defaults, prompts[0], 0, overrides)
        if name == "compile=true":
            print(f"torch.compile warm-up: {time.perf_counter() - started:.1f}s")
    times = {o[0]: [] for o in runnable}
    met = {o[0]: [] for o in runnable}
    moved = {o[0]: [] for o in runnable}
    for index, (spec, prompt) in enumerate(zip(scenes, prompts)):
        seed = HELD_OUT_SEED + index
        baseline = None
        for name, variant, overrides, _ in runnable:
            started = time.perf_counter()
            image = draw(variant, defaults, prompt, seed, overrides)
            times[name].append(time.perf_counter() - started)
            met[name] += [r.passed for r in check_spec(image, spec)]
            pixels = np.asarray(image, dtype=np.float32)
            baseline = pixels if baseline is None else baseline
            moved[name].append(float(np.abs(pixels - baseline).mean()))
    base_name = runnable[0][0]
    base_time = statistics.median(times[base_name])
    base_met = sum(met[base_name]) / len(met[base_name])
    print(f"\nspeed options on {args.model.name}: {args.n} held-out scenes, 64x64, true CFG "
          f"{defaults.get('true_cfg_scale')}, {torch.get_num_threads()} CPU threads (median s/image)")
    print(f"{'option':<22} {'s/image':>8} {'speed-up':>9} {'detector':>9} {'change':>7} {'|Δpx|':>6}  note")
    for name, variant, _, note in options:
        if variant is None:
            print(f"{name:<22} {'-':>8} {'-':>9} {'-':>9} {'-':>7} {'-':>6}  {note}")
            continue
        seconds = statistics.median(times[name])
        share = sum(met[name]) / len(met[name])
        print(f"{name:<22} {seconds:>8.3f} {base_time / seconds:>8.2f}x {share:>9.1%} "
              f"{(share - base_met) * 100:>+6.1f}p {statistics.mean(moved[name]):>6.1f}  {note}")


if __name__ == "__main__":
    main()
