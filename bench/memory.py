"""Shared vs separate pipelines: what `from_pipe` component sharing saves in memory and load time.

    .venv/bin/python bench/memory.py [--model nano]

Loads the three pipelines a picture-book session uses (text2image, fill/inpaint, img2img) twice in
one run: through the hub (components shared), and as three independent from_pretrained loads,
and prints parameter megabytes and load seconds for both, with their ratios, and the memory of
all the hub's loaded pipelines against the largest single one (1.00x: nothing is loaded twice).
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="nano")
    args = parser.parse_args()

    from diffusers import FluxImg2ImgPipeline, FluxInpaintPipeline, FluxPipeline

    from chatdit.config import load_settings
    from chatdit.dit.hub import ModelHub, distinct_parameter_bytes

    hub = ModelHub(load_settings(model=args.model))
    if hub.kind in ("tiny", "hub"):
        raise SystemExit("run this on a local model folder (nano or a downloaded FLUX folder)")
    started = time.perf_counter()
    shared = [hub.text2image(), hub.inpaint(), hub.img2img()]
    shared_s = time.perf_counter() - started

    started = time.perf_counter()
    separate = [cls.from_pretrained(hub.where) for cls in (FluxPipeline, FluxInpaintPipeline, FluxImg2ImgPipeline)]
    separate_s = time.perf_counter() - started

    shared_mb, separate_mb = distinct_parameter_bytes(shared) / 2**20, distinct_parameter_bytes(separate) / 2**20
    print(f"model: {hub.info.name} ({hub.where})")
    print(f"{'3 pipelines':12s} {'params MB':>10s} {'load s':>8s}")
    print(f"{'shared':12s} {shared_mb:10.1f} {shared_s:8.2f}")
    print(f"{'separate':12s} {separate_mb:10.1f} {separate_s:8.2f}")
    print(f"separate/shared: memory {separate_mb / shared_mb:.2f}x, load time {separate_s / shared_s:.2f}x")
    largest_mb = max(distinct_parameter_bytes([pipe]) for pipe in shared) / 2**20
    print(f"all loaded tools / largest single pipeline: {shared_mb:.1f} / {largest_mb:.1f} MB = {shared_mb / largest_mb:.2f}x")


if __name__ == "__main__":
    main()
