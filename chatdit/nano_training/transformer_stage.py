"""Stage 2: the transformer and text encoders by rectified flow matching, with EMA weights.

A share of each batch is drawn grounded (each group's phrase under its boxes' mask), captions
are padded to the bucket the hub would pad them to, and a tenth are dropped for true CFG.
"""

from __future__ import annotations

import math
import random
import time

from chatdit.nano_training.data import LatentReplay, make_loader
from chatdit.nano_training.encoding import encode_batch
from chatdit.nano_training.losses import flow_matching_loss
from chatdit.nano_training.run import Run, log


def lr_factor(progress: float, step: int, schedule: str, warmup: int = 200) -> float:
    warm = min(1.0, (step + 1) / warmup)
    if schedule == "constant":
        return warm
    return warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def ema_update(ema_params, params, decay: float, step: int):
    import torch

    d = min(decay, (1 + step) / (10 + step))
    with torch.no_grad():
        torch._foreach_lerp_(ema_params, params, 1 - d)


def grounded_texts(args, step: int, t5_tok, captions, regions, buckets):
    """(captions, regions, text lengths, dropped) of one batch: a share of samples is drawn
    grounded, each group's phrase under its boxes' mask (those whose phrases and caption fit the
    longest bucket). Each caption is padded to the bucket it would get alone at inference; a
    dropped caption keeps its bucket, as the negative prompt of true CFG is padded like its prompt
    (encode_batch_text reads a dropped caption as the empty prompt)."""
    from chatdit.dit.captions import fitted_sequence_length
    from chatdit.dit.nano.grounding import GLOBAL_TEXT, grounded_length

    pick = random.Random(args.seed * 11 + step * 977)
    regions, captions, lengths = list(regions), list(captions), []  # the replayed batch keeps its own
    for i, (text, layout_regions) in enumerate(zip(captions, regions)):
        length = grounded_length(t5_tok, layout_regions, GLOBAL_TEXT, buckets) if layout_regions else None
        if length is None or pick.random() >= args.grounded:
            regions[i], length = None, fitted_sequence_length(t5_tok, text, buckets)
        else:
            captions[i] = GLOBAL_TEXT
        lengths.append(length)
    dropped = [random.Random(args.seed * 7 + step * 131 + i).random() < 0.1 for i in range(len(captions))]
    return captions, regions, lengths, dropped


def _loader(run: Run) -> LatentReplay:
    from chatdit.dit.nano.grounding import GROUNDING_MODES, splits_objects

    args, step = run.args, run.state["step"]
    batches = make_loader(args.seed + 1000 * (step + 1), args.batch, run.workers, labels=run.head is not None,
                          per_object=splits_objects(GROUNDING_MODES[args.grounding]),
                          single_share=args.single_share, kind_weights=dict(args.kind_weight))
    vae = run.models["vae"]
    return LatentReplay(batches, lambda images: encode_batch(vae, images, run.device, run.vae_bf16), args.reuse,
                        args.seed + step)


def _step(run: Run, batch, g, progress: float, buckets) -> tuple[float, float]:
    """One optimiser step on one batch; (flow loss, semantic loss)."""
    import torch

    args, state, opt, head = run.args, run.state, run.opt, run.head
    x0, img_ids, labels, captions, regions = batch
    captions, regions, lengths, dropped = grounded_texts(args, state["step"], run.tokenizers[1], captions, regions,
                                                         buckets)
    for group in opt.param_groups:
        group["lr"] = args.lr * lr_factor(progress, state["step"], args.schedule)
    b = x0.shape[0]
    t = torch.sigmoid(torch.randn(b, generator=g)) if args.timesteps == "logit-normal" else torch.rand(b, generator=g)
    t = t.to(run.device)
    noise = torch.randn(x0.shape, generator=g).to(run.device)
    flow, semantic = flow_matching_loss(run.trained, run.tokenizers, x0, img_ids, captions, lengths, t, noise, run.bf16,
                                        head, labels, regions, dropped, run.box_rope, args.object_weight,
                                        args.attention)
    opt.zero_grad(set_to_none=True)
    (flow + args.semantic_weight * semantic).backward()
    params = run.params
    torch.nn.utils.clip_grad_norm_(params + (head.parameters() if head else []), 1.0)
    opt.step()
    ema_update(run.ema_params, params, args.ema, state["step"])
    state["step"] += 1
    return flow.item(), semantic.item()


def train_transformer(run: Run) -> None:
    """Run --steps steps (or --minutes of this stage's own time), checkpointing every --save-every seconds."""
    import torch

    from chatdit.dit.nano.build import sequence_buckets

    args, state = run.args, run.state
    run.models["vae"].requires_grad_(False)
    run.models["vae"].eval()
    loader = _loader(run)
    buckets = sequence_buckets(args.tiny)
    g = torch.Generator(device="cpu").manual_seed(args.seed + state["step"])
    last_save, t_log, seen, loss_avg = time.time(), time.time(), 0, None
    while True:
        elapsed = time.time() - run.t_start - state.get("vae_seconds", 0.0)  # the transformer stage's own time
        progress = state["step"] / args.steps if args.steps else elapsed / (args.minutes * 60)
        if progress >= 1.0:
            break
        batch = next(loader)
        losses = _step(run, batch, g, progress, buckets)
        seen += batch[0].shape[0] * batch[0].shape[1] // 64
        loss_avg = losses if loss_avg is None else tuple(0.98 * a + 0.02 * b for a, b in zip(loss_avg, losses))
        if time.time() - t_log > 30 or state["step"] == 1:
            _log_progress(run, loss_avg, seen / (time.time() - t_log), elapsed)
            t_log, seen = time.time(), 0
        if time.time() - last_save > args.save_every:
            run.save()
            last_save = time.time()
    run.save()


def _log_progress(run: Run, loss_avg: tuple[float, float], rate: float, elapsed: float) -> None:
    args, step = run.args, run.state["step"]
    left = (args.steps - step) if args.steps else None
    budget = f"{args.steps} steps" if args.steps else f"{args.minutes:.1f} min"
    log(f"step {step} loss {loss_avg[0]:.4f}" + (f" semantic {loss_avg[1]:.3f}" if run.head else "")
        + f" lr {run.opt.param_groups[0]['lr']:.2e} {rate:.0f} panels/s elapsed {elapsed / 60:.1f}/{budget}"
        + (f" ({left} steps left)" if left is not None else ""))
