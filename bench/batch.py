"""Four scripted books: two Ray workers against the same four run one after another.

    .venv/bin/python bench/batch.py [--books 4] [--pages 4] [--workers 2]

Both runs use the embedded nano model, the critic on, each book a message and a PDF export. The
in-process run is `chatdit batch` without --ray (one process, torch on every core), then the
same with one torch thread (what one worker has); the Ray run is `--ray local --max-parallel WORKERS` (one actor per CPU, one torch thread each). Ray is
started before the timed run and its start-up reported apart; its overhead per job is the
driver's submit-to-result time less the seconds the worker spent in the session.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from chatdit.batches import Result, run_batch

ANIMALS = ["fox", "cat", "bird", "fish", "fox", "cat", "bird", "fish"]
COLORS = ["red", "blue", "green", "yellow", "orange", "purple", "red", "blue"]


def write_books(folder: Path, books: int, pages: int) -> list[Path]:
    scripts = []
    for i in range(books):
        path = folder / f"book-{i + 1}.yaml"
        message = f"make a {pages}-page picture book about a {COLORS[i]} {ANIMALS[i]} and a yellow sun"
        path.write_text(yaml.safe_dump({"settings": {"model": "nano", "seed": i},
                                        "messages": [message, {"export": f"book-{i + 1}.pdf"}]}))
        scripts.append(path)
    return scripts


def timed(scripts: list[Path], sessions: Path, **options) -> tuple[float, list[Result]]:
    began = time.perf_counter()
    results = run_batch(scripts, sessions=sessions, quiet=True, **options)
    wall = time.perf_counter() - began
    failed = [r for r in results if r.status != "done"]
    if failed:
        raise SystemExit(f"{failed[0].name}: {failed[0].error}")
    return wall, results


def row(name: str, wall: float, results: list[Result], baseline: float) -> str:
    pages = sum(r.pages for r in results)
    load = sum(r.load_seconds for r in results)
    return (f"{name:28s} {wall:8.1f} {pages / wall * 60:10.1f} {baseline / wall:7.2f}x {load:8.1f} "
            f"{statistics.mean(r.seconds for r in results):9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", type=int, default=4)
    parser.add_argument("--pages", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import ray
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        scripts = write_books(Path(tmp), args.books, args.pages)
        serial_wall, serial = timed(scripts, Path(tmp) / "in-turn")
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        single_wall, single = timed(scripts, Path(tmp) / "one-thread")
        torch.set_num_threads(threads)
        began = time.perf_counter()
        ray.init(address="local", num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
        ray_start = time.perf_counter() - began
        try:
            ray_wall, spread = timed(scripts, Path(tmp) / "ray", ray_address="local", max_parallel=args.workers)
        finally:
            ray.shutdown()
    overhead = [r.round_trip_seconds - r.seconds for r in spread]
    print(f"{args.books} books of {args.pages} pages, nano, critic on; {os.cpu_count()} CPUs")
    print(f"{'run':28s} {'wall s':>8s} {'pages/min':>10s} {'ratio':>8s} {'load s':>8s} {'s/book':>9s}")
    print(row(f"one after another, {threads} threads", serial_wall, serial, serial_wall))
    print(row("one after another, 1 thread", single_wall, single, serial_wall))
    print(row(f"Ray, {args.workers} workers", ray_wall, spread, serial_wall))
    print(row(f"Ray, {args.workers} workers + Ray start", ray_wall + ray_start, spread, serial_wall))
    print(f"Ray start: {ray_start:.1f} s; Ray overhead per job (round trip - time in session): "
          f"mean {statistics.mean(overhead):.2f} s, max {max(overhead):.2f} s over {len(overhead)} jobs")
    print("load s: model loading inside the jobs (once per worker); s/book: mean seconds inside a session")


if __name__ == "__main__":
    main()
