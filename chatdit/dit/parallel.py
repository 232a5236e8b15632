"""One large picture on several GPUs: the transformer's sequence split across them (context parallelism).

`parallel = "context:N"` (Ulysses attention: every GPU holds all keys and values, one all-to-all
per attention) or `"ring:N"` (ring attention: less memory, N passes) runs the FLUX transformer
through diffusers' own context-parallel support (`ContextParallelConfig`, `enable_parallelism`,
diffusers 0.42; FluxTransformer2DModel declares the plan). Every GPU is one process started by
torchrun, each running the same script; rank 0 writes the session, the others a scratch copy:

    torchrun --nproc-per-node 2 -m chatdit.cli run book.yaml --set model=flux-dev --set parallel=context:2

The checks here run before any weights load, so a wrong launch fails in a second with what to
do. Not run in this project: no machine with several GPUs was lent, and diffusers 0.42 needs
an accelerator for it (on CPUs alone it divides by torch.accelerator.device_count(), 0).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from chatdit.errors import SettingsError

PATTERN = re.compile(r"^(context|ulysses|ring):(\d+)$")
LAUNCH = "torchrun --nproc-per-node {n} -m chatdit.cli run SCRIPT --set parallel={setting}"


class ParallelPlan(BaseModel):
    """How the transformer's attention is split: which scheme, over how many GPUs."""

    scheme: Literal["ulysses", "ring"]
    degree: int
    setting: str


def parse_parallel(setting: str) -> ParallelPlan | None:
    """'none' -> None; 'context:N' / 'ulysses:N' -> Ulysses over N GPUs; 'ring:N' -> ring attention."""
    if setting == "none":
        return None
    found = PATTERN.match(setting.strip())
    if not found or int(found.group(2)) < 2:
        raise ValueError(f"parallel must be 'none', 'context:N', 'ulysses:N' or 'ring:N' with N >= 2, not {setting!r}")
    scheme = "ring" if found.group(1) == "ring" else "ulysses"
    return ParallelPlan(scheme=scheme, degree=int(found.group(2)), setting=setting.strip())


def launched_rank(plan: ParallelPlan) -> tuple[int, int]:
    """(rank, local rank) of this process, or a SettingsError saying how to launch it."""
    launch = LAUNCH.format(n=plan.degree, setting=plan.setting)
    if "WORLD_SIZE" not in os.environ:
        raise SettingsError(f"parallel = {plan.setting!r} needs one process per GPU; launch with `{launch}`")
    world = int(os.environ["WORLD_SIZE"])
    if world != plan.degree:
        raise SettingsError(f"parallel = {plan.setting!r} splits over {plan.degree} GPUs but torchrun started "
                            f"{world} processes; launch with `{launch}`")
    return int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))


def join_parallel_group(plan: ParallelPlan | None, kind: str, device: str) -> str | None:
    """Before the weights load: check the launch and GPUs, join the process group, and make this
    rank's GPU the current one, so "cuda" means it (None without a plan)."""
    if plan is None:
        return None
    if kind in ("nano", "tiny"):
        raise SettingsError(f"parallel = {plan.setting!r} is for FLUX.1-size models on several GPUs; the {kind} "
                            "model runs on one device: set parallel = \"none\"")
    if device not in ("auto", "cuda"):
        raise SettingsError(f"parallel = {plan.setting!r} runs on CUDA GPUs, not device = {device!r}")
    _, local_rank = launched_rank(plan)
    import torch

    if not torch.cuda.is_available() or torch.cuda.device_count() <= local_rank:
        raise SettingsError(f"parallel = {plan.setting!r} needs a CUDA GPU per process; this machine shows "
                            f"{torch.cuda.device_count() if torch.cuda.is_available() else 0}")
    torch.cuda.set_device(local_rank)
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group("nccl")
    return "cuda"


def enable_context_parallel(pipe, plan: ParallelPlan | None) -> None:
    """Split the transformer's sequence over the process group (after the weights are on the GPU)."""
    if plan is None:
        return
    from diffusers import ContextParallelConfig

    degrees = {"ulysses_degree": plan.degree} if plan.scheme == "ulysses" else {"ring_degree": plan.degree}
    pipe.transformer.enable_parallelism(config=ContextParallelConfig(**degrees))


def rank_session_folder(folder: Path | None, plan: ParallelPlan | None) -> Path | None:
    """Rank 0 writes the session; every other rank runs the same turns into a scratch folder."""
    if plan is None or int(os.environ.get("RANK", "0")) == 0:
        return folder
    return Path(tempfile.mkdtemp(prefix=f"chatdit-rank{os.environ['RANK']}-"))
