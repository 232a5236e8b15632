"""Crash and race rounds on real `chatdit` processes: kill -9 mid-generation and mid-resume, and
two writers at once on one session. Prints the counts.

    .venv/bin/python bench/reliability.py [--kills 20] [--resume-kills 10] [--races 20]

Each kill round starts `chatdit chat` (or `chatdit resume`) on the tiny model, waits until it
reports denoising, kills it with SIGKILL a random moment later, and then checks the session:
session.json loads, SQLite's integrity_check says ok, every turn finished before is still finished
with the same pictures, the history (head chain) is unchanged, and no temporary file is left. A
race round starts two `chatdit chat` at once: each must either finish with its turn recorded, or
be refused ("in use by another chatdit") with nothing recorded.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from chatdit.store import SessionRecord

CHATDIT = str(Path(sys.executable).with_name("chatdit"))
SETTINGS = ["--set", "model=tiny", "--set", "critic=false", "--set", "steps=60"]


def snapshot(root: Path) -> dict:
    """What must survive any crash: finished turns with their pictures, the history, a whole database."""
    record = SessionRecord.model_validate_json((root / "session.json").read_bytes())
    with sqlite3.connect(root / "checkpoints.sqlite") as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    done = {t.id: sorted(a.id for a in t.assets) for t in record.turns if t.status == "done"}
    chain, current = [], record.head
    parents = {t.id: t.parent_id for t in record.turns}
    while current:
        chain.append(current)
        current = parents[current]
    leftovers = [p.name for p in root.rglob("*.tmp")]
    return {"done": done, "history": chain[::-1], "integrity": integrity, "leftovers": leftovers,
            "running": [t.id for t in record.turns if t.status == "running"]}


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([CHATDIT, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def kill_mid_denoising(process: subprocess.Popen, rng: random.Random) -> bool:
    """SIGKILL once the process reports denoising; False if it finished first."""
    for line in process.stdout:
        if "denoising" in line:
            time.sleep(rng.uniform(0.0, 0.4))
            if process.poll() is not None:
                return False
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True
    process.wait()
    return False


def check(before: dict, after: dict, counts: Counter, *, history_may_grow: bool = False) -> None:
    counts["integrity ok"] += after["integrity"] == "ok"
    lost = [t for t, assets in before["done"].items() if after["done"].get(t) != assets]
    counts["lost turns"] += len(lost)
    same_history = after["history"] == before["history"] or (
        history_may_grow and after["history"][: len(before["history"])] == before["history"])
    counts["history changed"] += not same_history
    counts["temporary files left"] += len(after["leftovers"])


def kill_rounds(root: Path, rounds: int, env: dict, rng: random.Random, resume: bool) -> Counter:
    counts: Counter = Counter()
    while counts["killed"] < rounds:
        before = snapshot(root)
        if resume and not before["running"]:
            counts["nothing left to resume"] += 1
            break
        args = ["resume", str(root)] if resume else ["chat", str(root), f"page 1: make the fox blue, round {counts['killed']}", *SETTINGS]
        if kill_mid_denoising(start(args, env), rng):
            counts["killed"] += 1
        else:
            counts["finished before the kill"] += 1
        check(before, snapshot(root), counts, history_may_grow=True)  # a resume of the head's child may extend it
    return counts


def race_rounds(root: Path, rounds: int, env: dict) -> Counter:
    counts: Counter = Counter()
    for index in range(rounds):
        messages = [f"page 1: add a yellow sun, race {index}{side}" for side in "ab"]
        processes = [start(["chat", str(root), message, "--set", "steps=2"], env) for message in messages]
        outputs = [p.communicate()[0] for p in processes]
        record = SessionRecord.model_validate_json((root / "session.json").read_bytes())
        status = {t.message: t.status for t in record.turns}
        for process, message, output in zip(processes, messages, outputs, strict=True):
            if process.returncode == 0:
                counts["finished"] += 1
                counts["lost turns"] += status.get(message) != "done"
            elif process.returncode == 3 and "in use by another chatdit (pid" in output:
                counts["refused (in use)"] += 1
                counts["refused but recorded"] += message in status
            else:
                counts[f"other exit {process.returncode}"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--resume-kills", type=int, default=10)
    parser.add_argument("--races", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CHATDIT_HOME": home, "PYTHONUNBUFFERED": "1"}
        root = Path(home) / "fox"
        subprocess.run([CHATDIT, "chat", str(root), "a two-page picture book about a red fox", *SETTINGS],
                       env=env, check=True, capture_output=True)
        started = time.time()
        report("kill -9 mid-generation", kill_rounds(root, args.kills, env, rng, resume=False))
        report("kill -9 mid-resume", kill_rounds(root, args.resume_kills, env, rng, resume=True))
        finished: Counter = Counter()
        while snapshot(root)["running"]:  # finish every interrupted turn; each must leave the history alone
            before = snapshot(root)
            subprocess.run([CHATDIT, "resume", str(root)], env=env, capture_output=True, check=True)
            check(before, snapshot(root), finished, history_may_grow=True)
            finished["resumed"] += 1
        report("final resumes", finished)
        report("two writers at once", race_rounds(root, args.races, env))
        print(f"({time.time() - started:.0f} s; session {len(snapshot(root)['done'])} finished turns)")


def report(name: str, counts: Counter) -> None:
    """One line per phase, as soon as it ends (a full run takes most of an hour on 2 busy cores)."""
    print(f"{name:24s} " + ", ".join(f"{key}: {value}" for key, value in sorted(counts.items())), flush=True)


if __name__ == "__main__":
    main()
