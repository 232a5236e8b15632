"""Bench layout control on chatdit-nano: is each object drawn inside the box it was given?

    python bench/layout.py            # 60 scenes of 2-3 objects in corner boxes, shipped weights
    python bench/layout.py --n 120 --model nano-runs/main/pipeline

Held-out nano-world scenes (one object per group) get a box each (a corner of the panel). Four
ways to draw them, same seeds:

- prompt only:      the objects named, no place given (chance level);
- prompt + words:   each object with its place in words ("a red fox in the bottom left corner"),
                    the captions the nano model was trained on;
- regional:         the layout tool's regional attention mask, phrases without place words;
- regional + words: both;
- grounded words:   (a model trained grounded, chatdit.json "grounding") the words prompt drawn as
                    the hub draws it: boxes planned from the words by the world's layout code,
                    each phrase under its boxes' mask (chatdit/dit/nano/grounding.py).

The offline world detector finds the objects; a hit is a detected object of the right kind and
color (or, leniently, of the right color) whose centre lies in its box. Prints the share of hits,
the share found anywhere (did the control cost the object its shape?), and seconds per picture.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chatdit.dit.captions import defaults_text_length  # noqa: E402

HELD_OUT_SEED = 20261126
CORNERS = {"top left": (0.0, 0.0, 0.5, 0.5), "top right": (0.5, 0.0, 1.0, 0.5),
           "bottom left": (0.0, 0.5, 0.5, 1.0), "bottom right": (0.5, 0.5, 1.0, 1.0)}
PLACE_WORDS = {"top left": "in the top left corner", "top right": "in the top right corner",
               "bottom left": "in the bottom left corner", "bottom right": "in the bottom right corner"}
BACKGROUND_WORDS = {"day": "on a sunny day", "night": "at night", "sunset": "at sunset", "sea": "by the sea", "snow": "in the snow"}
VARIANTS = ("prompt only", "prompt + words", "regional", "regional + words")
GROUNDED = "grounded words"


def sample_scenes(n: int, seed: int) -> list[dict]:
    from chatdit.storybook import BACKGROUND_NAMES, COLOR_NAMES, OBJECTS

    rng = random.Random(seed)
    scenes = []
    while len(scenes) < n:
        count = rng.choice([2, 2, 3])
        kinds = rng.sample(OBJECTS, count)
        colors = rng.sample(COLOR_NAMES, count)
        places = rng.sample(list(CORNERS), count)
        scenes.append({"background": rng.choice(BACKGROUND_NAMES),
                       "objects": [{"kind": k, "color": c, "place": p} for k, c, p in zip(kinds, colors, places)]})
    return scenes


def phrase(obj: dict, words: bool) -> str:
    text = f"a {obj['color']} {obj['kind']}"
    return f"{text} {PLACE_WORDS[obj['place']]}" if words else text


def draw(pipe, hub_like, scene: dict, variant: str, seed: int):
    import torch

    from chatdit.dit.regional import Region, layout_attention

    words = variant.endswith("words")
    background = BACKGROUND_WORDS[scene["background"]]
    cfg = hub_like["true_cfg_scale"] or 1.0
    kwargs = dict(height=64, width=64, num_inference_steps=hub_like["num_inference_steps"],
                  guidance_scale=hub_like["guidance_scale"],
                  generator=torch.Generator("cpu").manual_seed(seed))
    if cfg > 1:
        kwargs.update(true_cfg_scale=cfg, negative_prompt=hub_like.get("negative_prompt") or " ")
    if variant == GROUNDED:
        from chatdit.dit.nano.grounding import grounded_kwargs, plan_prompt

        text = ", ".join(phrase(o, True) for o in scene["objects"]) + ", " + background
        grounded = grounded_kwargs(pipe, [plan_prompt(text, seed)], [text], 64, 64, hub_like["sequence_buckets"],
                                   hub_like["grounding"])
        return pipe(**kwargs, **grounded).images[0]
    if variant.startswith("regional"):
        regions = [Region(phrase(o, words), CORNERS[o["place"]]) for o in scene["objects"]]
        _, regional = layout_attention(pipe, regions, background, 64, 64, hub_like["max_sequence_length"])
        return pipe(**kwargs, **regional, max_sequence_length=hub_like["max_sequence_length"]).images[0]
    text = ", ".join(phrase(o, words) for o in scene["objects"]) + ", " + background
    return pipe(text, **kwargs, max_sequence_length=defaults_text_length(pipe, hub_like, text)).images[0]


def score(image, scene: dict) -> tuple[int, int, int, int, int]:
    """(right kind and color in its box, found anywhere, right color in its box, found anywhere, objects).
    The color-only columns still say something on an early checkpoint whose shapes the detector
    cannot classify yet."""
    from chatdit.storybook.detector import detect_scene

    found = detect_scene(image)
    counts = [0, 0, 0, 0]
    for obj in scene["objects"]:
        x0, y0, x1, y1 = CORNERS[obj["place"]]
        for k, matches in enumerate((found.find(kind=obj["kind"], color=obj["color"]), found.find(color=obj["color"]))):
            counts[2 * k] += any(x0 <= m.center[0] / 64 < x1 and y0 <= m.center[1] / 64 < y1 for m in matches)
            counts[2 * k + 1] += bool(matches)
    return (*counts, len(scene["objects"]))


def main() -> None:
    import json

    import torch
    from diffusers import FluxPipeline

    from chatdit.dit.nano import nano_model_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=nano_model_dir())
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--save", type=Path, default=None, help="folder for a contact sheet of the first scenes")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    torch.set_num_threads(2)
    pipe = FluxPipeline.from_pretrained(args.model, torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    defaults = json.loads((args.model / "chatdit.json").read_text())
    scenes = sample_scenes(args.n, HELD_OUT_SEED)
    variants = VARIANTS + ((GROUNDED,) if defaults.get("grounding") else ())
    totals = {v: [0, 0, 0, 0, 0, 0.0] for v in variants}
    sheet = []
    for index, scene in enumerate(scenes):
        row = []
        for variant in variants:
            started = time.perf_counter()
            image = draw(pipe, defaults, scene, variant, seed=HELD_OUT_SEED + index)
            totals[variant][5] += time.perf_counter() - started
            for k, value in enumerate(score(image, scene)):
                totals[variant][k] += value
            row.append(image)
        if index < 8:
            sheet.append(row)
    print(f"\nlayout control on {args.model.name}: {args.n} scenes, "
          f"{sum(len(s['objects']) for s in scenes)} objects, each in a corner box (chance: 25% in box)")
    print(f"{'':<18} {'kind + color':>19} {'color only':>19}")
    print(f"{'variant':<18} {'in its box':>10} {'found':>8} {'in its box':>10} {'found':>8} {'s/image':>8}")
    for variant, (hits, anywhere, color_hits, color_anywhere, total, seconds) in totals.items():
        print(f"{variant:<18} {hits / total:>10.0%} {anywhere / total:>8.0%} {color_hits / total:>10.0%} "
              f"{color_anywhere / total:>8.0%} {seconds / args.n:>8.3f}")
    if args.save:
        from PIL import Image

        args.save.mkdir(parents=True, exist_ok=True)
        canvas = Image.new("RGB", (64 * len(variants), 64 * len(sheet)))
        for r, row in enumerate(sheet):
            for c, image in enumerate(row):
                canvas.paste(image, (64 * c, 64 * r))
        canvas.resize((canvas.width * 3, canvas.height * 3), Image.NEAREST).save(args.save / "layout_sheet.png")
        print(f"contact sheet: {args.save / 'layout_sheet.png'} (columns: {', '.join(variants)})")


if __name__ == "__main__":
    main()
