"""Orchestration overhead: a session's wall time against the time spent inside the DiT tools.

    .venv/bin/python bench/overhead.py [--model nano] [--steps N]

Runs, after one warm-up turn that loads the model, a six-page book and a page redo, and prints
per turn: wall seconds, seconds inside tools (pipelines), and their ratio (1.00 = no overhead).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from chatdit import Session
from chatdit.events import StepFinished

TURNS = [
    "make a six-page picture book about a red fox and a blue bird",
    "page 3: add a yellow sun",
    "make a 12-page picture book about a green fox at sunset",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="nano")
    parser.add_argument("--steps", type=int, default=None)
    args = parser.parse_args()
    settings = {"model": args.model, "critic": False, "rounds": 1}
    if args.steps:
        settings["steps"] = args.steps
    with tempfile.TemporaryDirectory() as tmp, Session.create(Path(tmp) / "bench", **settings) as session:
        session.chat("a red circle")  # warm-up: loads the pipelines
        print(f"model: {session.hub().info.name}")
        print(f"{'turn':58s} {'wall s':>8s} {'tools s':>8s} {'ratio':>6s}")
        totals = [0.0, 0.0]
        for message in TURNS:
            inside: list[float] = []
            started = time.perf_counter()
            session.chat(message, on_event=lambda e: inside.append(e.seconds) if isinstance(e, StepFinished) else None)
            wall = time.perf_counter() - started
            totals[0] += wall
            totals[1] += sum(inside)
            print(f"{message[:58]:58s} {wall:8.2f} {sum(inside):8.2f} {wall / sum(inside):6.2f}")
        print(f"{'all turns':58s} {totals[0]:8.2f} {totals[1]:8.2f} {totals[0] / totals[1]:6.2f}")


if __name__ == "__main__":
    main()
