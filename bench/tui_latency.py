"""Key-echo latency of the chat UI while a generation runs: key press -> the composer shows it.

    .venv/bin/python bench/tui_latency.py [--model tiny] [--keys 60] [--steps 200] [--size 256]

Runs the real `chatdit` in tmux, starts a book whose denoising keeps the worker thread busy,
then types one character at a time with `tmux send-keys` and polls `capture-pane` until the
character is on screen. Only samples taken while the turn is still running count. Prints the
median, p95 and max in milliseconds (the goal is a median of at most 50 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import string
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

CHATDIT = Path(sys.executable).with_name("chatdit")
MESSAGE = "make a four-page picture book about a red fox and a blue bird"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def composer_line(screen: str) -> str:
    """The composer's text: the bordered box just above the footer."""
    lines = [line for line in screen.splitlines() if line.startswith("│")]
    return lines[-1] if lines else ""


def wait_for(name: str, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in tmux("capture-pane", "-p", "-t", name):
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {text!r}:\n{tmux('capture-pane', '-p', '-t', name)}")
        time.sleep(0.05)


def echo_ms(name: str, typed: str) -> float:
    """Send the last character of typed; milliseconds until the composer shows all of typed."""
    started = time.perf_counter()
    tmux("send-keys", "-t", name, "-l", typed[-1])
    while not composer_line(tmux("capture-pane", "-p", "-t", name)).rstrip("│ ").endswith(typed):
        if time.perf_counter() - started > 5:
            raise SystemExit(f"{typed[-1]!r} never appeared in the composer")
    return (time.perf_counter() - started) * 1000


def turn_running(home: Path) -> bool:
    records = list((home / "sessions").glob("*/session.json"))
    turns = json.loads(records[0].read_text())["turns"] if records else []
    return bool(turns) and turns[-1]["status"] == "running"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument("--steps", type=int, default=200, help="denoising steps: enough to outlast the typing")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--idle", action="store_true", help="measure with no generation running, for comparison")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="chatdit-latency-"))
    env = {"CHATDIT_HOME": home, "CHATDIT_MODEL": args.model, "CHATDIT_STEPS": args.steps, "CHATDIT_CRITIC": "false",
           "CHATDIT_WIDTH": args.size, "CHATDIT_HEIGHT": args.size, "TERM": "xterm-256color", "PATH": os.environ["PATH"],
           "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    name = f"chatdit-latency-{uuid.uuid4().hex[:6]}"
    command = "sleep 0.5; env " + " ".join(f"{k}={v}" for k, v in env.items()) + f" {CHATDIT}"
    tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", command)
    tmux("resize-window", "-t", name, "-x", "120", "-y", "40")
    try:
        wait_for(name, "Message (Enter sends", 30)
        if not args.idle:
            tmux("send-keys", "-t", name, "-l", MESSAGE)
            tmux("send-keys", "-t", name, "Enter")
            wait_for(name, "ETA", 120)
        samples, typed = [], ""
        for i in range(args.keys):
            typed += string.ascii_lowercase[i % 26]
            samples.append(echo_ms(name, typed))
            time.sleep(0.05)
        running = turn_running(home)
        tmux("send-keys", "-t", name, "Escape")
        time.sleep(1)
        tmux("send-keys", "-t", name, "C-q")
    finally:
        time.sleep(0.5)
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    doing = "idle" if args.idle else f"while generating ({args.model}, {args.steps} steps at {args.size}px)"
    print(f"key-echo latency {doing}, {len(samples)} keys")
    print(f"  median {statistics.median(samples):.1f} ms   p95 {p95:.1f} ms   max {samples[-1]:.1f} ms")
    if not args.idle:
        print(f"  generation still running after the last key: {'yes' if running else 'NO (use more --steps)'}")
    print("  (includes tmux send-keys and capture-pane round trips, a few ms each)")


if __name__ == "__main__":
    main()
