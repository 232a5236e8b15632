"""(gold7 variant) Sample 240 CompBench prompts for gold5 (to read while working) and 120 for gold6 (fresh, only counted).

Excluded: every prompt in gold, gold2, gold3, gold4, the lead's 1,500-prompt eyeballed sample, and a
generous reconstruction of what the lead's ad-hoc eyeballing script could have shown (seeds 0-12, 40
prompts per file), so gold6 holds prompts the lead has never parsed.
"""
import json
import random
from pathlib import Path

DATA = Path("/work/main/tests/data")
BENCH = Path("/work/shared/benchmarks/t2i_compbench_train")
FILES = ["numeracy_train.txt", "color_train.txt", "spatial_train.txt", "complex_train.txt",
         "shape_train.txt", "texture_train.txt", "3d_spatial_train.txt", "non_spatial_train.txt"]
seen = set(json.loads((DATA / "gold4" / "eyeballed_sample.json").read_text()))
for name in ["compbench_gold.jsonl", "compbench_gold2.jsonl", "compbench_gold3.jsonl", "compbench_gold4.jsonl"]:
    for line in (DATA / name).read_text().splitlines():
        if line.strip():
            seen.add(json.loads(line)["prompt"])
eye_seen = set(seen)
for file in FILES:
    items = [t.strip() for t in (BENCH / file).read_text().split("\n") if t.strip() and t.strip() not in seen]
    for seed in range(13):
        seen.update(random.Random(seed).sample(items, min(40, len(items))))
print("excluded", len(seen))

for name in ["/work/gold8/to_label_a.jsonl", "/work/gold8/to_label_b.jsonl", "/work/gold8/to_label_c.jsonl", "/work/gold7/to_label_a.jsonl", "/work/gold7/to_label_b.jsonl", "/work/gold7/to_label_c.jsonl", "/work/gold6/to_label_a.jsonl", "/work/gold5/to_label_a.jsonl", "/work/gold5/to_label_b.jsonl", "/work/gold5/to_label_c.jsonl"]:
    for line in open(name):
        seen.add(json.loads(line)["prompt"])
seen.update(t.strip() for t in open("/tmp/eye2.log"))
rng = random.Random(97)
FILES = FILES + ['complex_train_action.txt', 'complex_train_spatial.txt', 'complex_train_spatialaction.txt']
rows = []
for file in FILES:
    items = [(i + 1, t.strip("\r ").strip()) for i, t in enumerate((BENCH / file).read_text().split("\n"))]
    items = [(n, t) for n, t in items if t and t not in seen]
    for n, t in rng.sample(items, min(14, len(items))):
        seen.add(t)
        rows.append({"file": file, "line": n, "prompt": t})
for tag, part in zip("ab", [rows[i::2] for i in range(2)]):
    Path(f"/work/gold9/to_label_{tag}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))
print(len(rows))
