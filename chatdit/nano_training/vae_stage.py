"""The VAE stage (before the transformer) and the decoder-only stage (after it)."""

from __future__ import annotations

import math
import time

from chatdit.nano_training.encoding import to_pixels
from chatdit.nano_training.losses import object_weights, reconstruction_step, ring_weights
from chatdit.nano_training.run import log

VAE_LR = 2e-3  # the VAE stage's peak learning rate; 1e-3 and 4e-3 over a shorter stage measured worse (model card)


def cosine_lr(opt, base: float, step: int, steps: int) -> None:
    """Cosine from `base` down to a tenth of it over `steps` (both VAE stages)."""
    for g in opt.param_groups:
        g["lr"] = base * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / steps)))


def train_vae(vae, loader, steps: int, device, state: dict, object_weight: float = 0.0, bf16: bool = False,
              ring: bool = False, lr: float = VAE_LR):
    import torch

    opt = torch.optim.AdamW(vae.parameters(), lr=lr, weight_decay=0.0)
    if state.get("vae_opt"):
        opt.load_state_dict(state["vae_opt"])
    vae.train()
    start = state.get("vae_step", 0)
    t0 = time.time()
    for step in range(start, steps):
        x = to_pixels(next(loader)[0], device)
        cosine_lr(opt, lr, step, steps)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            posterior = vae.encode(x).latent_dist
            recon = vae.decode(posterior.sample()).sample.float()
        weights = (ring_weights if ring else object_weights)(x, object_weight)
        loss = reconstruction_step(opt, recon, x, weights, 1e-6 * posterior.kl().mean())
        if step % 50 == 0 or step == steps - 1:
            log(f"vae step {step + 1}/{steps} loss {loss.item():.4f} mse {((recon - x) ** 2).mean().item():.5f} ({(step + 1 - start) / (time.time() - t0):.1f} it/s)")
        state["vae_step"] = step + 1
    state["vae_opt"] = None
    vae.eval()


def train_decoder(vae, loader, steps: int, device, state: dict, object_weight: float, jitter: float,
                  seed: int, bf16: bool = False):
    """Fine-tune the VAE decoder alone, on latents jittered by `jitter` latent sigmas.

    The encoder is frozen, so the latents the transformer learned stay exactly what they were;
    the decoder learns to turn them (and imperfect, generated-like ones) into sharper shapes.
    Its jitter comes from its own generator, seeded per step, so the stage does not depend on how
    many steps the transformer stage took (a VAE taken with --vae-from is what a run from nothing
    would have made) and a resumed stage draws what an unbroken one would."""
    import torch

    decoder = [*vae.decoder.parameters(), *(vae.post_quant_conv.parameters() if vae.post_quant_conv else [])]
    for p in decoder:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(decoder, lr=1e-3, weight_decay=0.0)
    sigma = 1.0 / vae.config.scaling_factor
    start = state.get("decoder_step", 0)
    vae.train()
    t0 = time.time()
    for step in range(start, steps):
        x = to_pixels(next(loader)[0], device)
        cosine_lr(opt, 1e-3, step, steps)
        with torch.no_grad():
            z = vae.encode(x).latent_dist.mode()
        noise = torch.randn(z.shape, generator=torch.Generator().manual_seed(seed * 1009 + step))
        z = z + jitter * sigma * noise.to(z)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            recon = vae.decode(z).sample.float()
        loss = reconstruction_step(opt, recon, x, ring_weights(x, object_weight))
        if step % 50 == 0 or step == steps - 1:
            log(f"decoder step {step + 1}/{steps} loss {loss.item():.4f} ({(step + 1 - start) / (time.time() - t0):.1f} it/s)")
        state["decoder_step"] = step + 1
    vae.eval()
    vae.requires_grad_(False)


def latent_stats(vae, loader, device):
    import torch

    with torch.no_grad():
        zs = torch.cat([vae.encode(to_pixels(next(loader)[0], device)).latent_dist.mode().flatten() for _ in range(8)])
    return float(zs.mean()), float(zs.std())


def vae_batch(device) -> int:
    """Panels per step of both VAE stages."""
    return 64 if device.type == "cuda" else 24


def vae_stage(run) -> None:
    """Stage 1: take the VAE from an earlier run (--vae-from) or train it, then standardise its latents."""
    from chatdit.nano_training.data import make_loader

    args, state, vae = run.args, run.state, run.models["vae"]
    if args.vae_from and not state["vae_done"]:
        from diffusers import AutoencoderKL

        earlier = AutoencoderKL.from_pretrained(args.vae_from, subfolder="vae")
        vae.load_state_dict(earlier.state_dict())
        vae.register_to_config(shift_factor=earlier.config.shift_factor, scaling_factor=earlier.config.scaling_factor)
        state.update(vae_done=True, vae_step=args.vae_steps, vae_from=str(args.vae_from))
        log(f"VAE stage taken from {args.vae_from}")
    if state["vae_done"]:
        return
    loader = make_loader(args.seed + 7 + state.get("vae_step", 0), vae_batch(run.device), run.workers, vae_only=True,
                         vae_rows=args.vae_rows)
    train_vae(vae, loader, args.vae_steps, run.device, state, args.vae_object_weight, run.vae_bf16, args.vae_ring,
              args.vae_lr)
    mean, std = latent_stats(vae, loader, run.device)
    vae.register_to_config(shift_factor=mean, scaling_factor=1.0 / std)
    state["vae_done"] = True
    state["vae_seconds"] = time.time() - run.t_start
    log(f"vae done: latent mean {mean:.3f} std {std:.3f}")
    run.save()


def decoder_stage(run) -> None:
    """Stage 3: the decoder-only fine-tune, up to --decoder-steps (a resumed run finishes its own)."""
    from chatdit.nano_training.data import make_loader

    args = run.args
    if run.state.get("decoder_step", 0) < args.decoder_steps:
        train_decoder(run.models["vae"], make_loader(args.seed + 13, vae_batch(run.device), run.workers),
                      args.decoder_steps, run.device, run.state, args.vae_object_weight, args.decoder_jitter, args.seed,
                      run.bf16)
        run.save()
