"""How every gold set's CompBench prompts were drawn: the one loop each goldN/sample.py runs.

Each set is drawn without replacement from what earlier sets (and the lead's eyeballing) had not
used, so a set's `sample.py` names what it excludes, its seed and how many per file; rerun it in
an empty folder to write the same `to_label_*.jsonl` the readers were given.
"""
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent
BENCH = DATA.parents[2] / "shared" / "benchmarks" / "t2i_compbench_train"
FILES = ["numeracy_train.txt", "color_train.txt", "spatial_train.txt", "complex_train.txt",
         "shape_train.txt", "texture_train.txt", "3d_spatial_train.txt", "non_spatial_train.txt"]
COMPLEX_EXTRA = ["complex_train_action.txt", "complex_train_spatial.txt", "complex_train_spatialaction.txt"]


def labelled(*numbers: str) -> set[str]:
    """The prompts of gold sets already labelled ('' is compbench_gold.jsonl, '2' compbench_gold2, ...)."""
    seen = set()
    for number in numbers:
        for line in (DATA / f"compbench_gold{number}.jsonl").read_text().splitlines():
            if line.strip():
                seen.add(json.loads(line)["prompt"])
    return seen


def eyeballed() -> set[str]:
    """Everything the lead read unlabelled before gold5: the 1,500-prompt sample and a generous
    reconstruction of what the ad-hoc eyeballing script could have shown (seeds 0-12, 40 per file)."""
    seen = set(json.loads((DATA / "gold4" / "eyeballed_sample.json").read_text())) | labelled("", "2", "3", "4")
    for file in FILES:
        items = [t.strip() for t in (BENCH / file).read_text().split("\n") if t.strip() and t.strip() not in seen]
        for seed in range(13):
            seen.update(random.Random(seed).sample(items, min(40, len(items))))
    return seen


def eyeballed_before_gold7() -> set[str]:
    """The prompts the lead's second eyeballing script printed (after gold5 and gold6 were drawn)."""
    return {t.strip() for t in (DATA / "gold7" / "eyeballed_more.txt").read_text().splitlines()}


def draw(rng: random.Random, seen: set[str], files: list[str], per_file: int) -> list[dict]:
    """Up to `per_file` unseen prompts from each file (1-based line numbers kept); what is drawn
    joins `seen`, so a later draw cannot repeat it."""
    rows = []
    for file in files:
        items = [(i + 1, t.strip("\r ").strip()) for i, t in enumerate((BENCH / file).read_text().split("\n"))]
        items = [(n, t) for n, t in items if t and t not in seen]
        for n, t in rng.sample(items, min(per_file, len(items))):
            seen.add(t)
            rows.append({"file": file, "line": n, "prompt": t})
    return rows


def write_parts(rows: list[dict], parts: int, folder: Path | None = None) -> None:
    """to_label_a.jsonl, to_label_b.jsonl, ...: every `parts`-th row to each reader."""
    for index, tag in enumerate("abcdefgh"[:parts]):
        text = "".join(json.dumps(r) + "\n" for r in rows[index::parts])
        ((folder or Path.cwd()) / f"to_label_{tag}.jsonl").write_text(text)
