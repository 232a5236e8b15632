"""FLUX.1 at its true size through chatdit's own hub and tools: peak and held memory, s/step.

    .venv/bin/python bench/gpu.py                      # on a GPU: full depth, every setting
    .venv/bin/python bench/gpu.py --depth 1 --scale 0.125 --steps 1   # what this CPU can run

The published configs (chatdit/dit/published.py) are built with random weights directly on the
device (on a CPU: allocated and filled with a constant), and the hub's loaders are patched to hand them out, so no weights are downloaded: the
memory and speed are those of the real shapes, the pictures are noise. Each tool runs at the
canvas sizes it uses (times --scale), then a whole four-page book session. On a GPU, peak is
torch.cuda.max_memory_allocated and held what stays allocated after the tool; on a CPU, the
process's peak and current resident memory. int8/fp8 are applied with torchao after the random
weights are made (the kernels a checkpoint load would use); NF4 needs a real checkpoint load
(bitsandbytes quantizes as it reads) and is not measured here.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

CUDA_SETTINGS = ["full", "offload=model", "quantize=int8", "quantize=fp8", "memory=24GB"]
VARIANT_OF = {"black-forest-labs/FLUX.1-dev": "dev", "black-forest-labs/FLUX.1-Fill-dev": "fill",
              "black-forest-labs/FLUX.1-Kontext-dev": "kontext"}


def patch_loaders(device: str, depth: int | None, quantize: str) -> None:
    """FluxPipeline / FluxTransformer2DModel.from_pretrained build the published shapes on the device."""
    import torch
    from diffusers import FluxPipeline, FluxTransformer2DModel

    import chatdit.dit.hub
    import chatdit.dit.sources
    from chatdit.dit.published import flux_pipeline, flux_transformer

    def quantized(module):
        if quantize in ("int8", "fp8"):
            from torchao.quantization import Float8WeightOnlyConfig, Int8WeightOnlyConfig, quantize_

            quantize_(module, Int8WeightOnlyConfig() if quantize == "int8" else Float8WeightOnlyConfig())
        return module

    def made(build, dtype):
        """Random weights made on the GPU; on a CPU, the same tensors allocated and filled with a
        constant (random init of a billion parameters takes minutes there; a matmul costs the same)."""
        if device == "cuda":
            with torch.device(device):
                return build().to(dtype=dtype)
        with torch.device("meta"):
            made = build().to(dtype=dtype)
        modules = [made] if isinstance(made, torch.nn.Module) else \
            [m for m in made.components.values() if isinstance(m, torch.nn.Module)]
        for module in modules:
            module.to_empty(device=device)
            for tensor in [*module.parameters(), *module.buffers()]:
                tensor.data.fill_(0.01 if tensor.is_floating_point() else 0)
        return made

    def pipeline(cls, repo, dtype=None, **kwargs):
        pipe = made(lambda: flux_pipeline(VARIANT_OF[str(repo)], depth), dtype)
        quantized(pipe.transformer), quantized(pipe.text_encoder_2)
        return pipe

    def transformer(cls, repo, subfolder=None, dtype=None, **kwargs):
        return quantized(made(lambda: flux_transformer(VARIANT_OF[str(repo)], depth), dtype))

    FluxPipeline.from_pretrained = classmethod(pipeline)
    FluxTransformer2DModel.from_pretrained = classmethod(transformer)
    chatdit.dit.hub.check_downloaded = chatdit.dit.sources.check_downloaded = lambda repo: None


class Meter:
    """Peak and held memory in GiB, on the GPU or (CPU) of the process."""

    def __init__(self, device: str):
        self.device = device

    def reset(self) -> None:
        import torch

        if self.device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()

    def read(self) -> tuple[float, float]:
        import torch

        if self.device == "cuda":
            torch.cuda.synchronize()
            return torch.cuda.max_memory_allocated() / 2**30, torch.cuda.memory_allocated() / 2**30
        resident = int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize()
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, resident / 2**30


def tool_cases(scale: float) -> list[tuple[str, dict]]:
    side = max(64, round(1024 * scale / 64) * 64)
    pages = [{"prompt": f"a red fox, page {n}", "page": n} for n in (1, 2, 3, 4)]
    size = {"width": side, "height": side}
    return [("generate", {"prompt": "a red fox", **size}), ("group x4", {"panels": pages, **size}),
            ("reference", {"references": ["a"], "panels": pages[:2], **size}),
            ("inpaint", {"image": "a", "prompt": "a red fox", "boxes": [[0.1, 0.1, 0.5, 0.5]], **size}),
            ("edit", {"image": "a", "instruction": "make the fox blue"})]


def run_tools(setting: str, args, meter: Meter) -> list[tuple[str, str, float, float, float]]:
    """(setting, tool, peak GiB, held GiB, s/step) for every tool under one setting."""
    from chatdit.tools.registry import ToolContext, load_builtin_tools, run_tool
    from PIL import Image

    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub

    load_builtin_tools()
    overrides = {} if setting == "full" else dict([setting.split("=")])
    overrides.pop("quantize", None)  # applied by the patched loaders
    hub = ModelHub(load_settings(model="flux-dev", dtype="bfloat16", steps=args.steps, **overrides))
    side = max(64, round(1024 * args.scale / 64) * 64)
    picture = Image.new("RGB", (side, side), (90, 120, 200))
    rows = []
    for name, tool_args in tool_cases(args.scale):
        stamps: list[float] = []
        ctx = ToolContext(hub=hub, load_image=lambda asset_id: picture, workdir=Path(tempfile.mkdtemp()),
                          progress=lambda done, total, stamps=stamps: stamps.append(time.perf_counter()))
        meter.reset()
        started = time.perf_counter()
        run_tool(name.split()[0], {**tool_args, "steps": args.steps}, ctx)
        steps = [b - a for a, b in zip([started, *stamps], stamps)]
        rows.append((setting, name, *meter.read(), statistics.median(steps[1:] or steps)))
    return rows


def run_book(args, meter: Meter) -> tuple[float, float, float]:
    """A four-page book session end to end (parse, plan, group, critic): peak, held GiB, seconds."""
    from chatdit import Session

    meter.reset()
    started = time.perf_counter()
    session = Session.create(Path(tempfile.mkdtemp()) / "book", model="flux-dev", dtype="bfloat16",
                             steps=args.steps, rounds=1, width=max(64, round(1024 * args.scale / 64) * 64),
                             height=max(64, round(1024 * args.scale / 64) * 64))
    session.chat("a four-page picture book about a red fox and a blue bird")
    return (*meter.read(), time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=None, help="blocks per stack (default: full, 19 + 38)")
    parser.add_argument("--scale", type=float, default=1.0, help="canvas side factor (1.0: the tools' real sizes)")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--settings", nargs="*", default=None, help=f"default on CUDA: {' '.join(CUDA_SETTINGS)}")
    args = parser.parse_args()

    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    settings = args.settings or (CUDA_SETTINGS if device == "cuda" else ["full"])
    depth = "full depth" if args.depth is None else f"depth {args.depth}"
    print(f"{device}, {depth}, canvas scale {args.scale}, {args.steps} steps, bf16, random weights (published shapes)")
    print(f"{'setting':16} {'tool':10} {'peak GiB':>9} {'held GiB':>9} {'s/step':>8}")
    meter = Meter(device)
    for setting in settings:
        quantize = setting.split("=")[1] if setting.startswith("quantize=") else "fp8" if setting == "memory=24GB" else "none"
        patch_loaders(device, args.depth, quantize)
        for row in run_tools(setting, args, meter):
            print(f"{row[0]:16} {row[1]:10} {row[2]:9.2f} {row[3]:9.2f} {row[4]:8.2f}")
        if device == "cuda":
            torch.cuda.empty_cache()
    patch_loaders(device, args.depth, "none")
    peak, held, seconds = run_book(args, meter)
    print(f"{'book session':16} {'4 pages':10} {peak:9.2f} {held:9.2f} {seconds:7.1f}s (whole turn)")


if __name__ == "__main__":
    main()
