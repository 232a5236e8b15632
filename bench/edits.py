"""Bench the edits a person asks for on storybook-world pictures, judged by the world detector.

    python bench/edits.py                    # 60 rendered scenes, every pixel edit kind
    python bench/edits.py --add 8            # also 8 adds per thing through the nano model (slow on CPU)
    python bench/edits.py --n 0 --add 20 --skip 6    # adds only, on scenes the retries were not developed on

Scenes come from world.sample_spec with a fixed seed (not picked). For each scene and each edit
that applies to it (an object the scene has; the edit a person would type), the edit tool runs on
nano's path (no Kontext) and the critic's edit checks judge it: "done" is the asked change's
check passing, "kept" every other check passing. "no-op caught" is the share of the same checks
that fail when the picture is handed back unchanged, so a critic that passes anything reads 0.
Adds run twice on each scene, side by side: one fill try (as before retries) and the default
tries (each at new free spots with a new seed until the detector sees the add done), with the
ratio of their "done" and the model calls each took.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 20261207
PIXEL_EDITS = ("make the sky darker", "make the sky brighter", "darken the ground", "brighter ground",
               "remove the {noun}", "move the {noun} to the left", "move the {noun} to the right",
               "move the {noun} up", "move the {noun} down", "make the {noun} bigger", "make the {noun} smaller")
ADDS = ("add a yellow sun", "add a white cloud", "add a moon", "put two birds in the sky", "add a green tree",
        "add a house on the left", "add a red fox")


def scenes(n: int):
    from chatdit.storybook import render_scene, sample_spec

    rng = random.Random(SEED)
    made = []
    while len(made) < n:
        spec = sample_spec(rng, max_groups=3, max_instances=4)
        try:
            made.append(render_scene(spec, seed=rng.randrange(10**6))[0])
        except ValueError:
            continue
    return made


def run_edit(ctx, images: dict, change: str, seed: int = 0, tries: int | None = None):
    """(done, kept, no-op caught, error, model calls) for one edit of images['x']."""
    from chatdit.tools.registry import run_tool

    from chatdit.critics.world_edit import edit_checks
    from chatdit.edits import edit_spec_of
    from chatdit.errors import ToolArgumentError

    spec = edit_spec_of(change)
    args = {"image": "x", "instruction": change, "spec": spec.model_dump(), "prompt": edited_prompt_for(spec), "seed": seed}
    try:
        [out] = run_tool("edit", {**args, **({"tries": tries} if tries else {})}, ctx)
    except ToolArgumentError as exc:
        return None, None, None, str(exc).split(";")[0], 0
    checks = edit_checks(images["x"], out.image, spec)
    unchanged = edit_checks(images["x"], images["x"], spec)
    return (checks[0].verdict == "pass", all(c.verdict == "pass" for c in checks[1:]), unchanged[0].verdict == "fail", None,
            out.meta.get("tries", 1 if out.steps else 0))


def edited_prompt_for(spec) -> str:
    from chatdit.edits import edited_prompt

    return edited_prompt("a storybook picture", spec)


def table(rows: dict[str, list]) -> None:
    print(f"{'edit':34s} {'n':>4s} {'done':>6s} {'kept':>6s} {'no-op caught':>13s}  not run (why)")
    for name, results in rows.items():
        ran = [r for r in results if r[3] is None]
        errors = collections.Counter(r[3] for r in results if r[3] is not None)
        shares = [f"{sum(r[i] for r in ran) / len(ran):.3f}" if ran else "-" for i in range(3)]
        why = ", ".join(f"{n} {e}" for e, n in errors.most_common(2))
        print(f"{name:34s} {len(ran):4d} {shares[0]:>6s} {shares[1]:>6s} {shares[2]:>13s}  {why}")


def add_table(once: dict[str, list], retried: dict[str, list]) -> None:
    """Adds with one try against the default tries, side by side, with the ratio of "done"."""
    print(f"\n{'add (nano fill path)':34s} {'n':>4s} {'done, 1 try':>12s} {'done, retried':>14s} {'ratio':>6s} "
          f"{'calls, 1 try':>13s} {'calls, retried':>15s}")
    for name in once:
        a, b = once[name], retried[name]
        done_a, done_b = sum(bool(r[0]) for r in a) / len(a), sum(bool(r[0]) for r in b) / len(b)
        ratio = f"{done_b / done_a:.2f}" if done_a else "-"
        print(f"{name:34s} {len(a):4d} {done_a:12.3f} {done_b:14.3f} {ratio:>6s} "
              f"{sum(r[4] for r in a) / len(a):13.2f} {sum(r[4] for r in b) / len(b):15.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60, help="rendered scenes")
    parser.add_argument("--add", type=int, default=0, help="adds per thing through the nano model (16 steps each)")
    parser.add_argument("--skip", type=int, default=0, help="add scenes to skip first (the first 6 were used to develop retries)")
    parser.add_argument("--only", default=",".join(ADDS), help="comma-separated adds to run (default: all)")
    args = parser.parse_args()

    from chatdit.tools.registry import ToolContext, load_builtin_tools

    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub
    from chatdit.storybook.detector import detect_scene

    load_builtin_tools()
    hub = ModelHub(load_settings(model="nano"))
    images: dict = {}
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: images[asset_id], workdir=Path("/tmp"))
    rows: dict[str, list] = collections.defaultdict(list)
    started, pick = time.perf_counter(), random.Random(SEED + 1)
    for image in scenes(args.n):
        images["x"] = image
        kinds = sorted({o.kind for o in detect_scene(image).objects})
        for template in PIXEL_EDITS:
            if "{noun}" in template and not kinds:
                continue
            change = template.format(noun=pick.choice(kinds)) if kinds else template
            rows[template.replace("{noun}", "X")].append(run_edit(ctx, images, change))
    pixel_time = time.perf_counter() - started
    once: dict[str, list] = collections.defaultdict(list)
    retried: dict[str, list] = collections.defaultdict(list)
    for image in scenes(args.skip + args.add)[args.skip:]:
        images["x"] = image
        for change in [c for c in ADDS if c in args.only.split(",")]:
            once[change].append(run_edit(ctx, images, change, seed=len(once[change]), tries=1))
            retried[change].append(run_edit(ctx, images, change, seed=len(retried[change])))
    if rows:
        table(rows)
    if once:
        add_table(once, retried)
    print(f"{args.n} scenes, {args.add} add scenes, {time.perf_counter() - started:.0f} s ({pixel_time:.0f} s for the pixel edits)")


if __name__ == "__main__":
    main()
