"""How well the rules parser reads story requests: the hero on the pages about it, each page's
subjects, backgrounds and captions, against 40 hand-written, hand-labelled requests
(tests/data/story_heldout.jsonl, written and labelled without running the parser).

Even rows are the development half (looked at while working), odd rows held out (only counted).

    python bench/story_gold.py [--show]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from chatdit import parse

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "story_heldout.jsonl"


def page_view(subjects) -> Counter:
    return Counter((s.name, s.count, s.color) for s in subjects)


def gold_page_view(page: dict) -> Counter:
    return Counter((s["name"], s["count"], s.get("color")) for s in page["subjects"])


def compare(row: dict) -> dict[str, list[bool]]:
    instruction = parse(row["request"])
    pages = {p.number: p for p in instruction.pages}
    result: dict[str, list[bool]] = {"hero on page": [], "page subjects": [], "background": [], "text": [], "pages": []}
    result["pages"].append(sorted(pages) == [p["number"] for p in row["pages"]])
    for gold in row["pages"]:
        page = pages.get(gold["number"])
        if page is None:
            for key in ("hero on page", "page subjects", "background", "text"):
                result[key].append(False)
            continue
        hero_on = any(s.hero for s in page.subjects)
        result["hero on page"].append(hero_on == gold["hero_on_page"])
        result["page subjects"].append(page_view(page.subjects) == gold_page_view(gold))
        result["background"].append(page.background == gold["background"])
        result["text"].append((page.text or None) == (gold["text"] or None))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print the development half's pages that differ")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    for half, chosen in (("dev", rows[0::2]), ("heldout", rows[1::2])):
        print(f"-- {half} ({len(chosen)} requests)")
        report(chosen, show=args.show and half == "dev")


def report(rows: list[dict], show: bool) -> None:
    totals: dict[str, list[bool]] = {}
    for row in rows:
        result = compare(row)
        for key, values in result.items():
            totals.setdefault(key, []).extend(values)
        if show and not all(all(v) for v in result.values()):
            instruction = parse(row["request"])
            print(row["request"][:160])
            for gold, page in zip(row["pages"], instruction.pages):
                print(f"  p{gold['number']} got {[(s.name, s.count, s.color, s.hero) for s in page.subjects]} bg={page.background}"
                      f"\n      want {[(s['name'], s['count'], s.get('color')) for s in gold['subjects']]} hero={gold['hero_on_page']} bg={gold['background']}")
    for key, values in totals.items():
        print(f"{key:14s} {sum(values) / len(values):.3f} ({sum(values)}/{len(values)})")


if __name__ == "__main__":
    main()
