"""How well the rules parser recovers hand-labelled prompts, by exact match.

The gold files (tests/data/) were labelled by readers who never ran the parser. compbench_gold's
rows are split by index: even rows the development half, odd rows a second half held out until its
score was recorded and read since. compbench_gold3, gold5, gold7 (240 prompts each) and gold8 (222) are
later development sets, read from their first count on. compbench_gold2, gold4, gold6 (120 prompts each,
from eight CompBench files) and gold9 (96) are the fresh held-out sets: only counted, never read for misses. gold4
was labelled twice by independent readers: "fresh2 agreed" scores the prompts where they agree. A prompt matches when its
multiset of (name, count, color) and its set of (subject, relation, target) equal the labels; a bare
plural ('travelers') matches any count >= 2.

    python bench/parser_gold.py            # every set, the held-out ones last
    python bench/parser_gold.py --show dev # print a set's misses (dev, seen or gold3; never fresh)
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from chatdit import parse

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "compbench_gold.jsonl"
READ_LATER = (DATA.with_name("compbench_gold3.jsonl"), DATA.with_name("compbench_gold5.jsonl"), DATA.with_name("compbench_gold7.jsonl"),
              DATA.with_name("compbench_gold8.jsonl"))
FRESH = (DATA.with_name("compbench_gold2.jsonl"), DATA.with_name("compbench_gold4.jsonl"), DATA.with_name("compbench_gold6.jsonl"),
         DATA.with_name("compbench_gold9.jsonl"))
SECOND_READING = DATA.parent / "gold4" / "second_reading.jsonl"
COLOR_ALIASES = {"grey": "gray", "golden": "gold"}


def gold_rows(path: Path = DATA) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _color(value: str | None) -> str | None:
    return COLOR_ALIASES.get(value, value) if value else None


def parsed_view(prompt: str) -> tuple[Counter, set]:
    subjects = parse(prompt).subjects
    names = Counter((s.name, s.count if s.count_stated else "2+", _color(s.color)) for s in subjects)
    relations = {(s.name, (s.position or s.depth).relation, subjects[(s.position or s.depth).target].name)
                 for s in subjects if (s.position or s.depth) and (s.position or s.depth).target < len(subjects)}
    return names, relations


def gold_view(row: dict) -> tuple[Counter, set]:
    names = Counter((s["name"], "2+" if s.get("count_unspecified") else s["count"], _color(s.get("color")))
                    for s in row["subjects"])
    relations = {(r["subject"], r["relation"], r["target"]) for r in row["relations"]}
    return names, relations


def score(rows: list[dict]) -> tuple[float, list[tuple[dict, tuple, tuple]]]:
    misses = []
    for row in rows:
        got, want = parsed_view(row["prompt"]), gold_view(row)
        if got != want:
            misses.append((row, got, want))
    return 1 - len(misses) / max(1, len(rows)), misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", choices=["dev", "seen", "gold3", "gold5", "gold7", "gold8"], help="print that set's misses")
    args = parser.parse_args()
    rows = gold_rows()
    halves = {"dev": rows[0::2], "seen": rows[1::2], "gold3": gold_rows(READ_LATER[0]), "gold5": gold_rows(READ_LATER[1]), "gold7": gold_rows(READ_LATER[2]),
              "gold8": gold_rows(READ_LATER[3]),
              "fresh": gold_rows(FRESH[0]), "fresh2": gold_rows(FRESH[1]), "fresh3": gold_rows(FRESH[2]), "fresh4": gold_rows(FRESH[3])}
    second = gold_rows(SECOND_READING)
    halves["fresh2 agreed"] = [row for row, other in zip(halves["fresh2"], second) if gold_view(row) == gold_view(other)]
    for name, half in halves.items():
        accuracy, misses = score(half)
        print(f"{name:13s} exact match {accuracy:.3f} ({len(half) - len(misses)}/{len(half)})")
        if args.show == name:
            for row, got, want in misses:
                print(f"  {row['prompt']}\n    got  {dict(got[0])} {sorted(got[1])}\n    want {dict(want[0])} {sorted(want[1])}")


    agreed = len(halves["fresh2 agreed"])
    print(f"gold4's two readers agree on {agreed}/{len(second)} prompts ({agreed / len(second):.3f})")


if __name__ == "__main__":
    main()
