"""Bench chatdit-nano: held-out storybook specs -> generate -> world detector -> per-requirement table.

    python bench/nano_eval.py                     # the shipped weights, 200 panels, 24 rows
    python bench/nano_eval.py --model nano-runs/main/pipeline --n 400
    python bench/nano_eval.py --steps 12 --cfg 3 --rows 0 --inpaint 0   # try other sampler settings
    python bench/nano_eval.py --plain             # a grounded model drawn from plain captions

Prints the share of requirements met (kind present, color, count 1-4, left/right, background,
and the other positions/relations, and panels with no object in a color they do not ask for),
the same for panels of 4-panel canvases, kind present and count per asked kind on single
panels, the fox's color consistency across a canvas, an inpaint (reference/fill) check, and
seconds per 64x64 image and per 4-panel canvas at the default step count.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chatdit.dit.captions import defaults_text_length  # noqa: E402

HELD_OUT_SEED = 20261125  # training draws from seeds far from this one; the bench never trains
TARGETS = {"kind": 0.9, "color": 0.9, "count": 0.7, "left_right": 0.8, "background": 0.9}


def load(model: Path, device: str):
    import torch
    from diffusers import FluxPipeline

    pipe = FluxPipeline.from_pretrained(model, torch_dtype=torch.float32).to(device)
    pipe.set_progress_bar_config(disable=True)
    defaults = json.loads((model / "chatdit.json").read_text())
    return pipe, defaults


def generate(pipe, defaults, prompts: list[str], n_panels: int, seed: int):
    """Draw prompts as the hub draws them: grounded when the model was trained so (chatdit.json
    "grounding"; each prompt's layout planned from its words, seeded per prompt), else plain."""
    import torch

    from chatdit.dit.nano.grounding import grounded_kwargs, plan_prompt

    cfg = defaults.get("true_cfg_scale") or 1.0
    kwargs = dict(true_cfg_scale=cfg, negative_prompt=[defaults.get("negative_prompt", "")] * len(prompts)) if cfg > 1 else {}
    width = defaults["width"] * n_panels
    grounded = None
    if defaults.get("grounding"):
        layouts = [plan_prompt(prompt, seed + i) for i, prompt in enumerate(prompts)]
        grounded = grounded_kwargs(pipe, layouts, prompts, width, defaults["height"], defaults["sequence_buckets"],
                                   defaults["grounding"])
    text = grounded or dict(prompt=prompts, max_sequence_length=defaults_text_length(pipe, defaults, prompts))
    return pipe(height=defaults["height"], width=width, num_inference_steps=defaults["num_inference_steps"],
                guidance_scale=defaults.get("guidance_scale", 1.0),
                generator=torch.Generator(pipe.device).manual_seed(seed), **text, **kwargs).images


def tally(results, table, by_kind=None):
    for r in results:
        table[r.category].append(r.passed)
        if by_kind is not None and r.category in ("kind", "count"):
            by_kind[r.subject][r.category].append(r.passed)


def tally_extras(scene, spec, table):
    """'no extras': the panel shows no object in a color it does not ask for. The other rows only
    check that what is asked is there, so a model that scatters blobs of every color would score
    well on them; this row says whether it does."""
    asked = {o.color for o in spec.objects}
    table["no_extras"].append(all(o.color in asked for o in scene.objects))


def print_table(title: str, table) -> dict:
    print(f"\n{title}")
    print(f"{'requirement':<12} {'met':>6} {'n':>5}  target")
    summary = {}
    for cat in ("kind", "color", "count", "left_right", "background", "position", "relation", "no_extras"):
        if table.get(cat):
            share = sum(table[cat]) / len(table[cat])
            summary[cat] = share
            target = TARGETS.get(cat)
            mark = "" if target is None else f">= {target:.2f} {'ok' if share >= target else 'MISS'}"
            print(f"{cat:<12} {share:6.3f} {len(table[cat]):5d}  {mark}")
    return summary


def print_by_kind(by_kind) -> dict:
    """Kind present and count per asked kind: where the misses are (a low row is a shape the model
    does not draw well enough for the detector)."""
    print(f"\n{'asked kind':<10} {'kind':>6} {'count':>6} {'n':>5}")
    summary = {}
    for kind in sorted(by_kind, key=lambda k: sum(by_kind[k]["kind"]) / len(by_kind[k]["kind"])):
        kinds, counts = by_kind[kind]["kind"], by_kind[kind]["count"]
        summary[kind] = {"kind": sum(kinds) / len(kinds), "count": sum(counts) / len(counts), "n": len(kinds)}
        print(f"{kind:<10} {summary[kind]['kind']:6.2f} {summary[kind]['count']:6.2f} {len(kinds):5d}")
    return summary


def bench_panels(pipe, defaults, n: int, batch: int, rng, save_dir: Path | None):
    """(requirement table, per-kind table) of single panels."""
    from chatdit.storybook import caption, sample_spec
    from chatdit.storybook.detector import check_spec, detect_scene

    table = collections.defaultdict(list)
    by_kind = collections.defaultdict(lambda: collections.defaultdict(list))
    specs = [sample_spec(rng) for _ in range(n)]
    prompts = [caption(s, rng) for s in specs]
    images = []
    for i in range(0, n, batch):
        images += generate(pipe, defaults, prompts[i: i + batch], 1, seed=HELD_OUT_SEED + i)
    for spec, image in zip(specs, images):
        scene = detect_scene(image)
        tally(check_spec(image, spec, scene), table, by_kind)
        tally_extras(scene, spec, table)
    if save_dir:
        save_grid(images[:32], prompts[:32], save_dir / "nano_samples.png", save_dir / "nano_samples.txt")
    return table, by_kind


def bench_rows(pipe, defaults, n_rows: int, batch: int, rng, save_dir: Path | None):
    from chatdit.dit.captions import joint_caption
    from chatdit.storybook import caption, sample_row
    from chatdit.storybook.detector import check_spec, detect_scene, panels

    table = collections.defaultdict(list)
    consistent = []
    rows = [sample_row(rng, 4) for _ in range(n_rows)]
    prompts = [joint_caption([caption(s, rng) for s in row]) for row in rows]
    canvases = []
    for i in range(0, n_rows, max(1, batch // 4)):
        canvases += generate(pipe, defaults, prompts[i: i + max(1, batch // 4)], 4, seed=HELD_OUT_SEED + 7 + i)
    for row, canvas in zip(rows, canvases):
        fox_colors = set()
        for spec, panel in zip(row, panels(canvas, 4)):
            scene = detect_scene(panel)
            tally(check_spec(panel, spec, scene), table)
            tally_extras(scene, spec, table)
            fox_colors |= {o.color for o in scene.find("fox")}
        if any(o.kind == "fox" for o in row[0].objects):
            consistent.append(len(fox_colors) == 1)
    if save_dir:
        save_grid(canvases[:8], prompts[:8], save_dir / "nano_rows.png", save_dir / "nano_rows.txt", cols=2)
    return table, consistent


def bench_inpaint(pipe, defaults, n: int, rng):
    """Known left panel, masked right panel: is the right panel drawn to its spec, the left kept?"""
    import numpy as np
    from diffusers import FluxInpaintPipeline
    from PIL import Image

    from chatdit.dit.captions import joint_caption
    from chatdit.dit.nano.grounding import grounded_kwargs, plan_fill
    from chatdit.storybook import caption, render_row, sample_row
    from chatdit.storybook.detector import check_spec, panels

    inpaint = FluxInpaintPipeline.from_pipe(pipe)
    inpaint.set_progress_bar_config(disable=True)
    table = collections.defaultdict(list)
    kept = []
    mask = Image.new("L", (128, 64), 0)
    mask.paste(255, (64, 0, 128, 64))
    for i in range(n):
        row = sample_row(rng, 2)
        canvas, _ = render_row(row, seed=i)
        import torch

        cfg = defaults.get("true_cfg_scale") or 1.0
        prompt = joint_caption([caption(s, rng) for s in row])
        seed = HELD_OUT_SEED + 99 + i
        text = None
        if defaults.get("grounding"):  # as the hub draws a fill: known panel as detected, new one planned
            text = grounded_kwargs(pipe, [plan_fill(prompt, canvas, mask, seed)], [prompt], 128, 64,
                                   defaults["sequence_buckets"], defaults["grounding"])
        text = text or dict(prompt=prompt, max_sequence_length=defaults_text_length(pipe, defaults, prompt))
        out = inpaint(image=canvas, mask_image=mask,
                      height=64, width=128, strength=1.0, num_inference_steps=defaults["num_inference_steps"],
                      true_cfg_scale=cfg, negative_prompt="" if cfg > 1 else None,
                      generator=torch.Generator(pipe.device).manual_seed(seed), **text).images[0]
        left, right = panels(out, 2)
        tally(check_spec(right, row[1]), table)
        diff = np.abs(np.asarray(left, np.float32) - np.asarray(panels(canvas, 2)[0], np.float32)).mean()
        kept.append(diff < 12)
    return table, kept


def save_grid(images, prompts, path: Path, text_path: Path, cols: int = 8):
    from PIL import Image

    w, h = images[0].size
    rows = (len(images) + cols - 1) // cols
    grid = Image.new("RGB", (cols * w, rows * h), "white")
    for i, im in enumerate(images):
        grid.paste(im, ((i % cols) * w, (i // cols) * h))
    grid.resize((grid.width * 2, grid.height * 2), Image.NEAREST).save(path)
    text_path.write_text("\n".join(prompts) + "\n")


def timing(pipe, defaults, repeats: int = 5) -> tuple[float, float]:
    generate(pipe, defaults, ["a red fox on a sunny day"], 1, seed=0)  # warm-up
    t = time.perf_counter()
    for i in range(repeats):
        generate(pipe, defaults, ["two blue stars above a green tree at night"], 1, seed=i)
    single = (time.perf_counter() - t) / repeats
    from chatdit.dit.captions import joint_caption

    prompt = joint_caption(["a red fox on the left, day", "the red fox and a yellow sun, sunset",
                            "the red fox under two white clouds", "a red fox in the snow"])
    t = time.perf_counter()
    for i in range(max(2, repeats // 2)):
        generate(pipe, defaults, [prompt], 4, seed=i)
    canvas = (time.perf_counter() - t) / max(2, repeats // 2)
    return single, canvas


def main(argv=None) -> int:
    import torch

    from chatdit.dit.nano import nano_model_dir

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=nano_model_dir())
    p.add_argument("--n", type=int, default=200, help="single panels")
    p.add_argument("--rows", type=int, default=24, help="4-panel canvases")
    p.add_argument("--inpaint", type=int, default=12)
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    p.add_argument("--save", type=Path, default=None, help="folder for sample grids")
    p.add_argument("--json", type=Path, default=None, help="write the summary here")
    p.add_argument("--steps", type=int, default=0, help="sampling steps instead of chatdit.json's (to choose them)")
    p.add_argument("--cfg", type=float, default=0.0, help="true CFG scale instead of chatdit.json's")
    p.add_argument("--plain", action="store_true", help="draw from plain captions even if the model is trained grounded")
    p.add_argument("--no-timing", action="store_true")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    pipe, defaults = load(args.model, args.device)
    if args.steps:
        defaults["num_inference_steps"] = args.steps
    if args.cfg:
        defaults["true_cfg_scale"] = args.cfg
    if args.plain:
        defaults["grounding"] = None
    print(f"model {args.model}: {defaults}")
    rng = random.Random(HELD_OUT_SEED)
    summary = {}
    t0 = time.time()
    table, by_kind = bench_panels(pipe, defaults, args.n, args.batch, rng, args.save)
    summary["panels"] = print_table(f"single 64x64 panels (n={args.n}, held-out specs)", table)
    summary["panels_by_kind"] = print_by_kind(by_kind)
    if args.rows:
        table, consistent = bench_rows(pipe, defaults, args.rows, args.batch, rng, args.save)
        summary["rows"] = print_table(f"panels of 4-panel canvases (n={args.rows * 4})", table)
        if consistent:
            summary["fox_consistent"] = sum(consistent) / len(consistent)
            print(f"fox drawn in one color across its canvas: {summary['fox_consistent']:.3f} (n={len(consistent)})")
    if args.inpaint:
        table, kept = bench_inpaint(pipe, defaults, args.inpaint, rng)
        summary["inpaint"] = print_table(f"inpaint: right panel generated next to a known left one (n={args.inpaint})", table)
        summary["inpaint_left_kept"] = sum(kept) / len(kept)
        print(f"known panel kept (mean abs diff < 12): {summary['inpaint_left_kept']:.3f}")
    print(f"\nbench took {time.time() - t0:.0f} s")
    if not args.no_timing:
        single, canvas = timing(pipe, defaults)
        summary["seconds_per_image"], summary["seconds_per_4panel_canvas"] = single, canvas
        print(f"seconds per 64x64 image: {single:.3f} (target <= 0.5); per 4-panel canvas: {canvas:.3f} (target <= 2)"
              f" [{args.device}, {torch.get_num_threads()} threads, {defaults['num_inference_steps']} steps]")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
