"""Sample 240 CompBench prompts for gold3 (two labellers, 120 each), none already in gold or gold2."""
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent
BENCH = DATA.parents[2] / "shared" / "benchmarks" / "t2i_compbench_train"
FILES = ["numeracy_train.txt", "color_train.txt", "spatial_train.txt", "complex_train.txt",
         "shape_train.txt", "texture_train.txt", "3d_spatial_train.txt", "non_spatial_train.txt"]
seen = set()
for name in ["compbench_gold.jsonl", "compbench_gold2.jsonl"]:
    for line in (DATA / name).read_text().splitlines():
        if line.strip():
            seen.add(json.loads(line)["prompt"])
rng = random.Random(23)
rows = []
for file in FILES:
    items = [(i + 1, t.strip("\r ").strip()) for i, t in enumerate((BENCH / file).read_text().split("\n"))]
    items = [(n, t) for n, t in items if t and t not in seen]
    for n, t in rng.sample(items, 30):
        seen.add(t)
        rows.append({"file": file, "line": n, "prompt": t})
for part, chunk in (("a", [r for i, r in enumerate(rows) if i % 2 == 0]), ("b", [r for i, r in enumerate(rows) if i % 2 == 1])):
    Path(f"to_label_{part}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in chunk))
    print(part, len(chunk))
