"""Does the nano model read each kind of word? Its loss on held-out pictures, true caption vs a
counterfactual one.

    python bench/nano_sensitivity.py                              # the shipped weights
    python bench/nano_sensitivity.py --model nano-runs/<run>/pipeline --n 256

For each held-out scene the world makes a counterfactual (bench/counterfactual.py: one group's
kind swapped, one instance of a group dropped, or the layout mirrored left to right) and keeps
its caption. The picture of the *true* scene is noised (same noise and timesteps for both
captions) and the model's flow-matching loss is taken with the true caption and with the
counterfactual one. A model that reads the changed words has a higher loss with the wrong
caption: the table prints that rise and the share of pictures whose true caption gets the lower
loss (0.5: the words are ignored). A color swap is printed beside them as the reference of a
word the model is known to read.

A model trained grounded (chatdit.json "grounding") is asked the same of its grounded input:
each group's phrase in its boxes (chatdit/dit/nano/grounding.py), the counterfactual's phrases
and boxes against the true ones (a kind swapped in one phrase, one box fewer, the boxes
mirrored); `--plain` asks it of plain captions instead.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HELD_OUT_SEED = 20261125 + 17  # the bench's held-out stream, not the training one
TIMESTEPS = (0.5, 0.7, 0.9)  # where the caption decides what is drawn


def held_out_pairs(n: int):
    """(true caption, counterfactual caption, what changed, color-swapped caption, uint8 picture)
    for n held-out scenes; both captions of a scene make the same phrasing choices."""
    import numpy as np
    from counterfactual import counterfactual  # bench/counterfactual.py

    from chatdit.dit.nano.grounding import scene_regions
    from chatdit.storybook import COLOR_NAMES, PANEL_SIZE, caption, render_scene, sample_spec

    rng = random.Random(HELD_OUT_SEED)
    colors = re.compile(r"\b(" + "|".join(COLOR_NAMES) + r")\b")
    rows = []
    while len(rows) < n:
        spec = sample_spec(rng)
        image, instances = render_scene(spec, seed=rng.randrange(1 << 30))
        made = counterfactual(spec, instances, rng)
        if made is None:
            continue
        phrasing = rng.random()
        true = caption(spec, random.Random(phrasing))
        other = caption(made[0], random.Random(phrasing))
        if not differ_in_words_only(true, other):
            continue
        recolor = {c: rng.choice([o for o in COLOR_NAMES if o != c]) for c in COLOR_NAMES}
        recolored = colors.sub(lambda m, recolor=recolor: recolor[m.group(1)], true)
        truth, changed = scene_regions([spec], [instances], PANEL_SIZE), scene_regions([made[0]], [made[1]], PANEL_SIZE)
        swap = lambda text, recolor=recolor: text and colors.sub(lambda m: recolor[m.group(1)], text)  # noqa: E731
        regions = [r if r.backdrop else replace(r, phrase=swap(r.phrase), one=swap(r.one)) for r in truth]  # one object's phrase too
        rows.append((true, other, made[3], recolored, np.asarray(image), (truth, changed, regions)))
    return rows


def differ_in_words_only(a: str, b: str, most: int = 2) -> bool:
    """True when two captions are the same words but for at most `most` of them. Captions of a
    scene and its counterfactual make the same phrasing choices, except where a group goes from
    two to one ('two red stars' -> 'a red star' draws the article): those pairs differ in more
    than the count and are left out, so a row measures the changed words alone."""
    wa, wb = a.split(), b.split()
    return len(wa) == len(wb) and sum(x != y for x, y in zip(wa, wb)) <= most


def per_sample_loss(pipe, length: int, x0, ids, captions, t, noise, regions=None, box_rope: bool = False):
    """Each picture's flow-matching loss under its caption (or, with `regions`, its grounded
    phrases and boxes; with `box_rope`, each phrase at its box's rotary position), the text padded
    to `length` tokens."""
    import torch

    from chatdit.dit.box_rope import use_box_rope
    from chatdit.dit.nano.grounding import GLOBAL_TEXT
    from chatdit.nano_training.encoding import attention_kwargs, encode_batch_text

    xt = (1 - t[:, None, None]) * x0 + t[:, None, None] * noise
    with torch.no_grad():
        if regions:
            captions = [GLOBAL_TEXT] * len(regions)
        pooled, text, mask, positions = encode_batch_text(
            pipe.text_encoder, pipe.text_encoder_2, (pipe.tokenizer, pipe.tokenizer_2), captions,
            regions or [None] * len(captions), [False] * len(captions), "cpu", length, (8, 8))
        if box_rope:
            use_box_rope(pipe.transformer)
        pred = pipe.transformer(hidden_states=xt, encoder_hidden_states=text, pooled_projections=pooled, timestep=t,
                                img_ids=ids, txt_ids=torch.zeros(length, 3), return_dict=False,
                                joint_attention_kwargs=attention_kwargs(pipe.transformer, mask, positions, box_rope))[0]
    return ((pred - (noise - x0)) ** 2).mean((1, 2))


def main(argv=None) -> int:
    import numpy as np
    import torch
    from diffusers import FluxPipeline

    from chatdit.dit.captions import defaults_text_length
    from chatdit.dit.nano import nano_model_dir
    from chatdit.nano_training.encoding import encode_batch

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=nano_model_dir())
    p.add_argument("--n", type=int, default=192)
    p.add_argument("--plain", action="store_true", help="plain captions even for a model trained grounded")
    args = p.parse_args(argv)
    pipe = FluxPipeline.from_pretrained(args.model, torch_dtype=torch.float32)
    rows = held_out_pairs(args.n)
    defaults = json.loads((args.model / "chatdit.json").read_text())
    grounded = bool(defaults.get("grounding")) and not args.plain
    from chatdit.dit.nano.grounding import each_object, splits_objects, uses_box_rope

    box_rope = grounded and uses_box_rope(defaults["grounding"])
    if grounded and splits_objects(defaults["grounding"]):  # trained on one phrase per object

        rows = [(*r[:5], tuple(each_object(regions) for regions in r[5])) for r in rows]
    # one length for all (as the model was trained: single-panel captions share the first bucket)
    length = defaults_text_length(pipe, defaults, [c for r in rows for c in (r[0], r[1], r[3])])
    if grounded:
        from chatdit.dit.nano.grounding import GLOBAL_TEXT, grounded_length

        length = max(grounded_length(pipe.tokenizer_2, regions, GLOBAL_TEXT, defaults["sequence_buckets"])
                     for r in rows for regions in r[5])
    images = torch.from_numpy(np.stack([r[4] for r in rows])).permute(0, 3, 1, 2).contiguous()
    x0, ids = encode_batch(pipe.vae, images, "cpu")
    g = torch.Generator().manual_seed(0)
    rise, prefer = collections.defaultdict(list), collections.defaultdict(list)
    for tval in TIMESTEPS:
        t = torch.full((len(rows),), tval)
        noise = torch.randn(x0.shape, generator=g)
        true = per_sample_loss(pipe, length, x0, ids, [r[0] for r in rows], t, noise,
                               [r[5][0] for r in rows] if grounded else None, box_rope)
        for column, label in ((1, None), (3, "color")):
            wrong = per_sample_loss(pipe, length, x0, ids, [r[column] for r in rows], t, noise,
                                    [r[5][column // 2 + 1] for r in rows] if grounded else None, box_rope)
            for r, a, b in zip(rows, true.tolist(), wrong.tolist()):
                change = label or r[2]
                rise[change].append(b / a - 1)
                prefer[change].append(a < b)
    print(f"model {args.model}, {len(rows)} held-out scenes, timesteps {TIMESTEPS}, "
          f"{'grounded phrases and boxes' if grounded else 'plain captions'}")
    print(f"{'caption changed':<16} {'loss rise':>9} {'true preferred':>15} {'n':>5}")
    for change in ("kind", "count", "mirror", "color"):
        if rise[change]:
            print(f"{change:<16} {np.mean(rise[change]):9.3%} {np.mean(prefer[change]):15.3f} {len(rise[change]):5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
