"""Story requests through the whole default loop (nano, offline critic): is the hero drawn, and is
every claim the loop makes true?

For each hand-written request in tests/data/story_heldout.jsonl (written without running chatdit):
one chat turn in a fresh session with the defaults. Then, page by page, the storybook world's
detector looks for the hero in the kept picture. Counted:
- hero drawn: pages whose hero nano can draw (a storybook-world kind) that show it;
- false pass: pages whose hero the detector does not see but whose critique reads "pass";
- false "every check passed": replies saying so while some requirement failed or was unchecked;
- undrawable hero named: requests whose hero nano cannot draw, with the hero named in the reply.
Also printed: attempts per page (first tries and the reflection's retries over pages kept), what
the loop spent to get there.

    python bench/story_loop.py [--limit N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "story_heldout.jsonl"


def hero_subject(instruction, page: int):
    return next((s for s in instruction.scene(page).subjects if s.hero), None)


def judge_turn(session, turn, tally: dict[str, list[bool]]) -> None:
    from PIL import Image

    from chatdit.storybook import world_kind
    from chatdit.storybook.detector import detect_scene

    by_asset = {c.asset_id: c for c in turn.critiques}
    undrawn = []
    for asset in turn.assets:
        hero = hero_subject(turn.instruction, asset.page)
        if hero is None:
            continue
        kind = world_kind(hero.name)
        if kind is None:
            undrawn.append(hero.name)
            continue
        with Image.open(session.asset_path(asset)) as opened:
            seen = bool(detect_scene(opened.convert("RGB")).find(kind))
        tally["hero drawn"].append(seen)
        critique = by_asset.get(asset.id)
        if not seen and critique is not None:
            tally["no false pass"].append(critique.verdict != "pass")
    complete = all(by_asset[a.id].fully_checked for a in turn.assets if a.id in by_asset)
    tally["no false 'every check passed'"].append(complete or "every check passed" not in turn.reply)
    for name in dict.fromkeys(undrawn):
        tally["undrawable hero named"].append(name in turn.reply)


def main() -> None:
    from chatdit import Session

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N requests")
    parser.add_argument("--seed", type=int, default=0, help="the sessions' seed")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[: args.limit] if args.limit else rows
    tally: dict[str, list[bool]] = {k: [] for k in ("hero drawn", "no false pass", "no false 'every check passed'",
                                                     "undrawable hero named")}
    started, attempts, pages = time.perf_counter(), 0, 0
    with tempfile.TemporaryDirectory() as folder:
        for index, row in enumerate(rows):
            with Session.create(Path(folder) / f"s{index}", model="nano", seed=args.seed) as session:
                turn = session.chat(row["request"])
                judge_turn(session, turn, tally)
                attempts, pages = attempts + len(turn.attempts), pages + len(turn.assets)
    print(f"{len(rows)} story requests through the default loop (nano, offline critic), "
          f"{time.perf_counter() - started:.0f} s")
    for name, values in tally.items():
        share = f"{sum(values) / len(values):.3f}" if values else "-"
        print(f"{name:32s} {share} ({sum(values)}/{len(values)})")
    print(f"{'attempts per page':32s} {attempts / max(pages, 1):.3f} ({attempts}/{pages})")


if __name__ == "__main__":
    main()
