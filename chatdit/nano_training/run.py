"""One training run: its models, optimiser and state, built fresh or resumed from OUT/ckpt.pt.

The order of every seeded step (seeds, models, EMA copies, the semantic head) is the order the
single-file script had, so a run with the same flags makes the same weights.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatdit.nano_training.precision import uses_bf16, vae_uses_bf16


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


@dataclass
class Run:
    """Everything the stages share: flags, device, tokenizers, models and their EMA copies."""

    args: argparse.Namespace
    device: Any
    workers: int
    tokenizers: tuple  # (CLIP tokenizer, T5 tokenizer)
    models: dict
    trained: dict  # the transformer and the text encoders: what the transformer stage optimises
    ema_models: dict
    head: Any  # the SemanticHead, or None
    opt: Any
    box_rope: bool
    state: dict = field(default_factory=lambda: {"step": 0, "elapsed": 0.0, "vae_done": False, "vae_step": 0})
    bf16: bool = False
    vae_bf16: bool = False
    t_start: float = 0.0

    @property
    def ckpt_path(self) -> Path:
        return self.args.out / "ckpt.pt"

    @property
    def params(self) -> list:
        return [p for m in self.trained.values() for p in m.parameters()]

    @property
    def ema_params(self) -> list:
        return [p for m in self.ema_models.values() for p in m.parameters()]

    def begin(self) -> None:
        """Pick the number formats, say what runs, and start the clock (a resumed run's time kept)."""
        n_params = sum(p.numel() for p in self.models["transformer"].parameters())
        self.bf16 = uses_bf16(self.device, self.args.precision)
        self.vae_bf16 = vae_uses_bf16(self.device, self.args.precision, self.args.vae_bf16)
        log(f"device {self.device}, {'bfloat16 autocast' if self.bf16 else 'float32'} "
            f"(VAE {'bfloat16' if self.vae_bf16 else 'float32'}), transformer {n_params / 1e6:.2f} M params, "
            f"workers {self.workers}, seed {self.args.seed}")
        self.t_start = time.time() - self.state["elapsed"]

    def save(self) -> None:
        """Write OUT/ckpt.pt atomically (a killed run resumes from the last one)."""
        import torch

        self.state["elapsed"] = time.time() - self.t_start
        vae = self.models["vae"]
        ck = {"vae": vae.state_dict(), "shift": vae.config.shift_factor, "scale": vae.config.scaling_factor,
              "opt": self.opt.state_dict(), "state": self.state, "args": vars(self.args),
              "semantic_head": self.head.state_dict() if self.head else None}
        for k, m in self.trained.items():
            ck[k], ck["ema_" + k] = m.state_dict(), self.ema_models[k].state_dict()
        torch.save(ck, self.ckpt_path.with_suffix(".tmp"))
        self.ckpt_path.with_suffix(".tmp").replace(self.ckpt_path)


def checked_config(args: argparse.Namespace) -> dict:
    """The model config, after refusing flags that cannot work, before any model is built or folder made."""
    from chatdit.dit.nano.build import CONFIG, TINY_CONFIG

    ckpt_path = args.out / "ckpt.pt"
    if args.export_only and not ckpt_path.exists():
        raise SystemExit(f"--export-only: no checkpoint at {ckpt_path} (train into {args.out} first)")
    if args.vae_from and not (args.vae_from / "vae" / "config.json").is_file():
        raise SystemExit(f"--vae-from: no VAE at {args.vae_from / 'vae'} (give a pipeline folder, such as "
                         "chatdit/dit/nano/weights or nano-runs/<run>/pipeline)")
    config = TINY_CONFIG if args.tiny else CONFIG
    if args.vae_from:
        wanted = args.latent_channels or config["vae"]["latent_channels"]
        earlier = json.loads((args.vae_from / "vae" / "config.json").read_text())["latent_channels"]
        if earlier != wanted:
            raise SystemExit(f"--vae-from: that VAE has {earlier} latent channels, not the {wanted} this run builds "
                             f"(set --latent-channels {earlier} to train on it)")
    return config


def start_run(args: argparse.Namespace, config: dict) -> Run:
    """Seed everything, build the models, and resume from OUT/ckpt.pt when asked and present."""
    import numpy as np
    import torch

    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    workers = args.workers if args.workers >= 0 else (10 if device.type == "cuda" else 0)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path = args.out / "ckpt.pt"
    ck = torch.load(ckpt_path, map_location=device, weights_only=False) \
        if (args.resume or args.export_only) and ckpt_path.exists() else None
    if ck and args.latent_channels is None:  # a resumed run keeps the width its VAE was built with
        args.latent_channels = ck["vae"]["post_quant_conv.weight"].shape[0]
    if ck and ck["args"].get("heads"):  # a resumed run keeps the width it was built with
        args.heads = ck["args"]["heads"]
    if args.latent_channels:
        config = {**config, "vae": {**config["vae"], "latent_channels": args.latent_channels}}
    if args.heads:
        config = {**config, "transformer": {**config["transformer"], "num_attention_heads": args.heads}}
    run = _build(args, config, device, workers)
    if ck:
        _resume(run, ck)
    return run


def _build(args: argparse.Namespace, config: dict, device, workers: int) -> Run:
    import torch

    from chatdit.dit.nano.build import build_models, build_tokenizers
    from chatdit.dit.nano.grounding import GROUNDING_MODES, uses_box_rope

    clip_tok, t5_tok = build_tokenizers()
    models = build_models(clip_tok, t5_tok, config)
    box_rope = uses_box_rope(GROUNDING_MODES[args.grounding])
    if box_rope:
        from chatdit.dit.box_rope import use_box_rope

        use_box_rope(models["transformer"])
    for name in ("vae", "transformer", "text_encoder", "text_encoder_2"):
        models[name].to(device)
    trained = {name: models[name] for name in ("transformer", "text_encoder", "text_encoder_2")}
    ema_models = {k: copy.deepcopy(m).requires_grad_(False) for k, m in trained.items()}
    params = [p for m in trained.values() for p in m.parameters()]
    head = None
    if args.semantic_weight > 0:
        from chatdit.nano_training.semantic import SemanticHead

        head = SemanticHead(models["transformer"].inner_dim, device)
    opt = torch.optim.AdamW(params + (head.parameters() if head else []), lr=args.lr, betas=(0.9, 0.99), weight_decay=0.0)
    return Run(args, device, workers, (clip_tok, t5_tok), models, trained, ema_models, head, opt, box_rope)


def _resume(run: Run, ck: dict) -> None:
    import torch

    vae = run.models["vae"]
    vae.load_state_dict(ck["vae"])
    vae.register_to_config(shift_factor=ck["shift"], scaling_factor=ck["scale"])
    for k, m in run.trained.items():
        m.load_state_dict(ck[k])
        run.ema_models[k].load_state_dict(ck["ema_" + k])
    if run.head and ck.get("semantic_head"):
        run.head.load_state_dict(ck["semantic_head"])
    if ck.get("opt"):
        run.opt.load_state_dict(ck["opt"])
    run.state = ck["state"]
    torch.manual_seed(run.args.seed + run.state["step"])
    log(f"resumed from {run.ckpt_path} at step {run.state['step']} ({run.state['elapsed'] / 60:.1f} min done)")
