"""Bench `chatdit protect`: how far our own edit path's result on a protected copy departs from the
same edit of the original, on held-out storybook-world pictures, side by side with random noise
of the same size.

    python bench/protect.py              # 12 held-out scenes, 40 PGD steps, the shipped nano
    python bench/protect.py --n 4 --steps 10
    python bench/protect.py --ceiling --n 10 --seed 7   # does the recolor read the picture around the object?

Each scene is rendered by the world renderer (the truth is known), then three copies are edited
the same way with the same seed: the original, a copy with uniform random noise of the same
bound (±epsilon levels), and the protected copy. Three edits, all through the real tools:
"edit" (make the first object another color: nano's fill path), "reference" (the picture as a
known panel, the same scene drawn again beside it: the in-context path) and "restyle" (a change
that names no part, "make it look nicer": the whole picture re-rendered through img2img, whose
result should still show the scene). Printed per edit and
copy: the world detector's share of the edit's requirements met (the edit's success), the mean
absolute pixel difference (0-255) from the edit of the original, and the protected copies' PSNR.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HELD_OUT_SEED = 20261207  # far from the training and the other benches' seeds


def scenes(n: int, seed: int = HELD_OUT_SEED):
    """(spec, picture) for n world scenes whose first object can be recolored (held out by default)."""
    from chatdit import storybook as world

    rng = random.Random(seed)
    out = []
    while len(out) < n:
        spec = world.sample_spec(rng, max_groups=2)
        picture, _ = world.render_scene(spec, seed=rng.randrange(1 << 30))
        out.append((spec, picture))
    return out


def edits(spec, rng):
    """(name, tool, args-without-image, spec the result should meet) for the two edits."""
    from chatdit import storybook as world

    first = spec.objects[0]
    color = rng.choice([c for c in world.COLOR_NAMES if c != first.color])
    edited = spec.model_copy(deep=True)
    edited.objects[0].color = color
    caption = world.caption(spec, random.Random(0))
    return [
        ("edit", "edit", {"instruction": f"make the {first.kind} {color}",
                          "prompt": world.caption(edited, random.Random(0))}, edited),
        ("reference", "reference", {"reference_prompts": [caption], "panels": [{"prompt": caption}]}, spec),
        ("restyle", "edit", {"instruction": "make it look nicer", "prompt": caption}, spec),
    ]


def context_ceiling(n: int, seed: int, hub, ctx, images: dict) -> None:
    """Does the recolor read the picture around the object at all? The same edit on the picture,
    and on it with everything outside the object's grown box replaced (unbounded) by another
    background, then by another scene; counted: the recolored object drawn in its box."""
    import numpy as np
    from chatdit.tools.registry import run_tool
    from PIL import Image

    from chatdit import storybook as world
    from chatdit.storybook.detector import detect_scene

    hits, total = {"original": 0, "another sky outside": 0, "another scene outside": 0}, 0
    for index, (spec, picture) in enumerate(scenes(n, seed)):
        name, tool, call, target = edits(spec, random.Random(index))[0]
        scene = detect_scene(picture)
        found = scene.find(spec.objects[0].kind, spec.objects[0].color)
        if not found:
            continue
        x0, y0, x1, y1 = found[0].bbox
        gx, gy = (x1 - x0) * 0.2, (y1 - y0) * 0.2
        box = (max(0, int(x0 - gx)), max(0, int(y0 - gy)), min(64, int(x1 + gx) + 1), min(64, int(y1 + gy) + 1))
        kept = np.asarray(picture)[box[1]:box[3], box[0]:box[2]]
        sky = np.array(world.render_background([b for b in world.BACKGROUND_NAMES if b != scene.background][index % 4]).convert("RGB"))
        other = np.array(world.render_scene(world.sample_spec(random.Random(999 + index), max_groups=2), seed=index)[0])
        for outside in (sky, other):
            outside[box[1]:box[3], box[0]:box[2]] = kept
        total += 1
        for copy, image in zip(hits, (picture, Image.fromarray(sky), Image.fromarray(other))):
            images[copy] = image
            out = detect_scene(run_tool(tool, {**call, "image": copy, "seed": index}, ctx)[0].image.convert("RGB"))
            want = target.objects[0]
            hits[copy] += any(o.kind == want.kind and o.color == want.color and box[0] <= o.center[0] <= box[2]
                              and box[1] <= o.center[1] <= box[3] for o in out.objects)
    print(", ".join(f"{copy}: {hit}/{total}" for copy, hit in hits.items()) + " recolors drawn in their box")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=12)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--epsilon", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--method", choices=["grounded", "encoder", "departure"], default="grounded")
    parser.add_argument("--norm", choices=["linf", "l2"], default="linf")
    parser.add_argument("--ceiling", action="store_true", help="only: does the recolor read the picture around the object?")
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED, help="scene seed (develop on another than the default)")
    args = parser.parse_args()

    import numpy as np
    import torch
    from chatdit.tools.registry import ToolContext, load_builtin_tools, run_tool
    from PIL import Image

    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub
    from chatdit.protect import ProtectSettings, protect_image
    from chatdit.storybook.detector import check_spec

    torch.set_num_threads(args.threads)
    load_builtin_tools()
    hub = ModelHub(load_settings(model="nano"))
    images: dict = {}
    ctx = ToolContext(hub=hub, load_image=lambda key: images[key], workdir=Path("/tmp"))
    if args.ceiling:
        return context_ceiling(args.n, args.seed, hub, ctx, images)
    met: dict = {}
    moved: dict = {}
    psnrs, seconds = [], []
    for index, (spec, picture) in enumerate(scenes(args.n, args.seed)):
        original = np.asarray(picture)
        noise = np.random.default_rng(index).integers(-args.epsilon, args.epsilon + 1, original.shape)
        protected, report = protect_image(hub.fill(), picture, ProtectSettings(steps=args.steps, epsilon=args.epsilon, seed=index,
                                                                                  method=args.method, norm=args.norm), hub)
        psnrs.append(report.psnr)
        seconds.append(report.seconds)
        copies = {"original": picture, "noise": Image.fromarray(np.clip(original + noise, 0, 255).astype(np.uint8)),
                  "protected": protected}
        for name, tool, call, target in edits(spec, random.Random(index)):
            results = {}
            for copy, image in copies.items():
                images[copy] = image
                call_args = {**call, ("image" if tool == "edit" else "references"): copy if tool == "edit" else [copy],
                             "seed": index}
                out = np.asarray(run_tool(tool, call_args, ctx)[0].image.convert("RGB"))
                results[copy] = out
                checks = check_spec(Image.fromarray(out), target)
                met.setdefault((name, copy), []).append(sum(c.passed for c in checks) / len(checks))
                moved.setdefault((name, copy), []).append(float(np.abs(out.astype(int) - results["original"]).mean()))
        print(f"scene {index + 1}/{args.n} ({report.method}): PSNR {report.psnr:.1f} dB, {report.seconds:.0f}s, "
              f"loss {report.departure_before:.2e} -> {report.departure_after:.2e}", flush=True)
    print(f"\nprotect ({args.method}, {args.norm}): epsilon {args.epsilon}/255, {args.steps} PGD steps; PSNR min {min(psnrs):.1f} / median "
          f"{statistics.median(psnrs):.1f} dB; {statistics.median(seconds):.0f} s a picture ({args.threads} thread)")
    print(f"{'edit':10s} {'copy':10s} {'requirements met':>17s} {'|Δpx| vs original edit':>23s}")
    for name in ("edit", "reference", "restyle"):
        for copy in ("original", "noise", "protected"):
            print(f"{name:10s} {copy:10s} {statistics.mean(met[(name, copy)]):17.3f} "
                  f"{statistics.mean(moved[(name, copy)]):23.1f}")
    print(f"({args.n} scenes; {time.process_time():.0f} s CPU)")


if __name__ == "__main__":
    main()
