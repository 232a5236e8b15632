"""Sample 120 CompBench prompts for gold4: none in gold, gold2, gold3 or the lead's eyeballed sample."""
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent
BENCH = DATA.parents[2] / "shared" / "benchmarks" / "t2i_compbench_train"
FILES = ["numeracy_train.txt", "color_train.txt", "spatial_train.txt", "complex_train.txt",
         "shape_train.txt", "texture_train.txt", "3d_spatial_train.txt", "non_spatial_train.txt"]
seen = set(json.loads(Path(__file__).with_name("eyeballed_sample.json").read_text()))
for name in ["compbench_gold.jsonl", "compbench_gold2.jsonl", "compbench_gold3.jsonl"]:
    for line in (DATA / name).read_text().splitlines():
        if line.strip():
            seen.add(json.loads(line)["prompt"])
rng = random.Random(41)
rows = []
for file in FILES:
    items = [(i + 1, t.strip("\r ").strip()) for i, t in enumerate((BENCH / file).read_text().split("\n"))]
    items = [(n, t) for n, t in items if t and t not in seen]
    for n, t in rng.sample(items, 15):
        seen.add(t)
        rows.append({"file": file, "line": n, "prompt": t})
Path("to_label_a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
print(len(rows))
