"""Bench the speed and memory options on chatdit-nano, side by side in one run.

    python bench/speed.py                 # 24 held-out scenes per option, shipped weights
    python bench/speed.py --n 48 --options none,first_block,steps-6

Every option loads the model through ModelHub with that one setting changed (so the real code
path, chatdit/dit/speed.py, is what is measured), draws the same held-out nano-world captions
with the same seeds, and is judged by the offline world detector (share of requirements met:
kind, color, count, places). Prints seconds per picture, speed-up over the plain model, the score
and its change, and how far the pictures drift from the plain model's (mean absolute pixel
difference, 0-255). Options that need a GPU (CPU offload, nf4) are listed as skipped on a CPU.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HELD_OUT_SEED = 20261127
OPTIONS = {
    "none": {},
    "first_block": {"cache": "first_block"},
    "taylorseer": {"cache": "taylorseer"},
    "magcache": {"cache": "magcache"},
    "int8": {"quantize": "int8"},
    "compile": {"compile": True},
    "steps-8": {"steps": 8},
    "steps-6": {"steps": 6},
    "offload": {"offload": "model"},
}
GPU_ONLY = {"offload"}


def scenes(n: int):
    from chatdit.dit.nano.world import caption, sample_spec

    rng = random.Random(HELD_OUT_SEED)
    specs = [sample_spec(rng) for _ in range(n)]
    return specs, [caption(spec, rng) for spec in specs]


def run_option(name: str, overrides: dict, model: str, specs, prompts, warmup: int = 2):
    import numpy as np
    import torch

    from chatdit.config import Settings
    from chatdit.dit.hub import ModelHub
    from chatdit.vision.nano_world import check_spec

    notes: list[str] = []
    started = time.perf_counter()
    hub = ModelHub(Settings(model=model, **overrides), notify=notes.append)
    pipe = hub.text2image()
    for i in range(warmup):  # compile and caches settle; not timed
        pipe(prompts[i], **hub.call_kwargs(pipe, width=hub.info.width, height=hub.info.height, seed=i))
    setup = time.perf_counter() - started
    seconds, passed, total, images = [], 0, 0, []
    for index, (spec, prompt) in enumerate(zip(specs, prompts)):
        kwargs = hub.call_kwargs(pipe, width=hub.info.width, height=hub.info.height, seed=HELD_OUT_SEED + index)
        tic = time.perf_counter()
        image = pipe(prompt, **kwargs).images[0]
        seconds.append(time.perf_counter() - tic)
        results = check_spec(image, spec)
        passed += sum(r.passed for r in results)
        total += len(results)
        images.append(np.asarray(image, dtype=np.float32))
    del pipe, hub
    torch.cuda.empty_cache() if torch.cuda.is_available() else None
    return {"s": statistics.median(seconds), "score": passed / max(total, 1), "images": images,
            "setup": setup, "notes": notes}


def main() -> None:
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="nano")
    parser.add_argument("--n", type=int, default=24)
    parser.add_argument("--options", default=",".join(OPTIONS))
    args = parser.parse_args()
    names = [name.strip() for name in args.options.split(",")]
    if "none" not in names:
        names.insert(0, "none")
    specs, prompts = scenes(args.n)
    rows = {}
    for name in names:
        if name in GPU_ONLY and not torch.cuda.is_available():
            rows[name] = None
            continue
        rows[name] = run_option(name, OPTIONS[name], args.model, specs, prompts)
        print(f"  {name}: {rows[name]['s']:.3f} s/image, score {rows[name]['score']:.1%}", file=sys.stderr)
    base = rows["none"]
    device = "cuda" if torch.cuda.is_available() else f"cpu, {torch.get_num_threads()} threads"
    print(f"\nspeed options on {args.model} ({device}): {args.n} held-out captions each, "
          f"score = world-detector requirements met")
    print(f"{'option':<12} {'s/image':>8} {'speed-up':>9} {'score':>7} {'change':>7} {'drift':>6} {'setup s':>8}")
    for name, row in rows.items():
        if row is None:
            print(f"{name:<12} {'skipped: needs a CUDA GPU':>50}")
            continue
        drift = sum(abs(a - b).mean() for a, b in zip(row["images"], base["images"])) / len(row["images"])
        print(f"{name:<12} {row['s']:>8.3f} {base['s'] / row['s']:>8.2f}x {row['score']:>7.1%} "
              f"{(row['score'] - base['score']) * 100:>+6.1f}p {drift:>6.1f} {row['setup']:>8.1f}")
        for note in row["notes"]:
            print(f"{'':<12} note: {note}")


if __name__ == "__main__":
    main()
