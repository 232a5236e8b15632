"""Bench chatdit-nano training throughput, side by side in one run, on the model the script trains:

- text padded to one fixed length (80 tokens, as before) vs to each caption's sequence bucket;
- each rendered and VAE-encoded batch trained on once vs `--reuse` times;
- float32 vs bfloat16 autocast (`--precision bf16`; what `auto` picks on a CPU with native bf16);
- plain captions vs 90 % of samples grounded (`--grounded 0.9`, the shipped run: each group's
  phrase under its boxes' attention mask, chatdit/dit/nano/grounding.py);
- the transformer stage's batches VAE-encoded in float32 vs under bfloat16 autocast (`--vae-bf16`,
  the default since v17), in the grounded loop and the encoding alone;
- the VAE stage's step in float32 vs bfloat16 autocast;
- the shipped step (grounded, bf16, batches encoded in bf16) with PyTorch's fused flash-attention
  kernel vs the math kernel (`--attention`; what `auto` picks on a CPU since v18).

    .venv/bin/python bench/nano_train_speed.py [--steps 40] [--reuse 3]

Prints panels per second for each and the ratio to the first. Same seed, same data stream.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIXED_LENGTH = 80  # what every caption was padded to before sequence buckets (4-panel captions <= 79)


def panels_per_second(buckets: list[int], reuse: float, steps: int, seed: int, bf16: bool = False,
                      grounded: float = 0.0, encode_bf16: bool = False, attention: str = "fused") -> float:
    import random

    import torch

    from chatdit.dit.captions import fitted_sequence_length
    from chatdit.dit.nano.build import CONFIG, build_models, build_tokenizers
    from chatdit.dit.nano.grounding import GLOBAL_TEXT, grounded_length
    from chatdit.nano_training.data import LatentReplay, make_loader
    from chatdit.nano_training.encoding import encode_batch
    from chatdit.nano_training.losses import flow_matching_loss

    torch.manual_seed(seed)
    clip_tok, t5_tok = build_tokenizers()
    models = build_models(clip_tok, t5_tok, CONFIG)
    vae = models["vae"].eval().requires_grad_(False)
    trained = {k: models[k] for k in ("transformer", "text_encoder", "text_encoder_2")}
    params = [p for m in trained.values() for p in m.parameters()]
    opt = torch.optim.AdamW(params, lr=1e-4)

    loader = LatentReplay(make_loader(seed, 64, 0), lambda images: encode_batch(vae, images, "cpu", encode_bf16),
                          reuse, seed)
    g = torch.Generator().manual_seed(seed)
    pick = random.Random(seed)
    panels, start = 0, None
    for step in range(steps + 3):
        if step == 3:  # the first steps allocate and warm up
            panels, start = 0, time.perf_counter()
        x0, img_ids, _, captions, regions = next(loader)
        regions = [r if pick.random() < grounded and grounded_length(t5_tok, r, GLOBAL_TEXT, buckets) else None
                   for r in regions]
        captions = [GLOBAL_TEXT if r else c for c, r in zip(captions, regions)]
        lengths = [grounded_length(t5_tok, r, c, buckets) if r else fitted_sequence_length(t5_tok, c, buckets)
                   for c, r in zip(captions, regions)]
        t = torch.sigmoid(torch.randn(x0.shape[0], generator=g))
        loss, _ = flow_matching_loss(trained, (clip_tok, t5_tok), x0, img_ids, captions, lengths, t,
                                  torch.randn(x0.shape, generator=g), bf16, regions=regions, attention=attention)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        panels += x0.shape[0] * x0.shape[1] // 64
    return panels / (time.perf_counter() - start)


def encoded_panels_per_second(steps: int, seed: int, bf16: bool) -> float:
    """The transformer stage's batch encoding alone (encode_batch on batches of 64 panels)."""
    import torch

    from chatdit.dit.nano.build import CONFIG, build_models, build_tokenizers
    from chatdit.nano_training.data import make_loader
    from chatdit.nano_training.encoding import encode_batch

    torch.manual_seed(seed)
    vae = build_models(*build_tokenizers(), CONFIG)["vae"].eval()
    loader = make_loader(seed, 64, 0)
    batches = [next(loader)[0] for _ in range(steps + 2)]
    for images in batches[:2]:  # warm-up
        encode_batch(vae, images, "cpu", bf16)
    start = time.perf_counter()
    for images in batches[2:]:
        encode_batch(vae, images, "cpu", bf16)
    return sum(images.shape[0] * images.shape[3] // 64 for images in batches[2:]) / (time.perf_counter() - start)


def vae_images_per_second(steps: int, seed: int, bf16: bool) -> float:
    """The VAE stage's training step (train_vae, batch 24 as on the CPU), images per second."""
    import torch

    from chatdit.dit.nano.build import CONFIG, build_models, build_tokenizers
    from chatdit.nano_training.data import make_loader
    from chatdit.nano_training.vae_stage import train_vae

    torch.manual_seed(seed)
    vae = build_models(*build_tokenizers(), CONFIG)["vae"]
    loader = make_loader(seed, 24, 0, vae_only=True)
    batches = [next(loader) for _ in range(steps + 3)]
    sizes = [images.shape[0] * images.shape[3] // 64 for images, *_ in batches]
    replay = iter(batches)
    train_vae(vae, replay, 3, torch.device("cpu"), {}, object_weight=4.0, bf16=bf16)  # warm-up
    start = time.perf_counter()
    train_vae(vae, replay, steps, torch.device("cpu"), {}, object_weight=4.0, bf16=bf16)
    return sum(sizes[3:]) / (time.perf_counter() - start)


def main(argv=None) -> int:
    import torch

    from chatdit.dit.nano.build import SEQUENCE_BUCKETS

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=40, help="timed transformer steps per variant (batch 64 panels)")
    p.add_argument("--reuse", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    plain = [b for b in SEQUENCE_BUCKETS if b <= FIXED_LENGTH]  # plain captions never need more
    variants = [  # name, buckets, reuse, bf16, grounded, batches encoded in bf16
        (f"text padded to {FIXED_LENGTH}, each batch once", [FIXED_LENGTH], 1.0, False, 0.0, False),
        ("sequence buckets, each batch once", plain, 1.0, False, 0.0, False),
        (f"sequence buckets, each batch {args.reuse:g}x", plain, args.reuse, False, 0.0, False),
        ("the same, bfloat16 autocast", plain, args.reuse, True, 0.0, False),
        ("float32, 90 % of samples grounded", list(SEQUENCE_BUCKETS), args.reuse, False, 0.9, False),
        ("the same, batches encoded in bf16", list(SEQUENCE_BUCKETS), args.reuse, False, 0.9, True),
    ]
    print(f"nano training throughput, {args.steps} steps each, {torch.get_num_threads()} CPU threads")
    base = None
    for name, buckets, reuse, bf16, grounded, encode_bf16 in variants:
        rate = panels_per_second(buckets, reuse, args.steps, args.seed, bf16, grounded, encode_bf16)
        base = base or rate
        print(f"{name:<40} {rate:7.1f} panels/s  {rate / base:5.2f}x", flush=True)
    fused = panels_per_second(list(SEQUENCE_BUCKETS), args.reuse, args.steps, args.seed, True, 0.9, True, "fused")
    math_kernel = panels_per_second(list(SEQUENCE_BUCKETS), args.reuse, args.steps, args.seed, True, 0.9, True, "math")
    print(f"{'shipped step, fused flash attention':<40} {fused:7.1f} panels/s  1.00x")
    print(f"{'shipped step, math attention':<40} {math_kernel:7.1f} panels/s  {math_kernel / fused:5.2f}x", flush=True)
    encode_fp32 = encoded_panels_per_second(args.steps, args.seed, bf16=False)
    encode_bf16 = encoded_panels_per_second(args.steps, args.seed, bf16=True)
    print(f"{'batch encoding, float32':<40} {encode_fp32:7.1f} panels/s  1.00x")
    print(f"{'batch encoding, bfloat16 autocast':<40} {encode_bf16:7.1f} panels/s  {encode_bf16 / encode_fp32:5.2f}x")
    vae_fp32 = vae_images_per_second(args.steps, args.seed, bf16=False)
    vae_bf16 = vae_images_per_second(args.steps, args.seed, bf16=True)
    print(f"{'VAE stage, float32':<40} {vae_fp32:7.1f} images/s  1.00x")
    print(f"{'VAE stage, bfloat16 autocast':<40} {vae_bf16:7.1f} images/s  {vae_bf16 / vae_fp32:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
