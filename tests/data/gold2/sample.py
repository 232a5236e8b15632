"""Exact sampling code for compbench_gold2.jsonl (writes sample.json).

One random.Random(7) instance, used for the 8 files in the order below. For each file:
split on "\n", strip "\r" and spaces, skip blank lines, keep (1-based line, text),
then rng.sample(items, 15). Any drawn prompt whose text is already a "prompt" in
/work/main/tests/data/compbench_gold.jsonl is skipped and redrawn: a replacement is
drawn with rng.choice from the file's items not yet drawn (in file order), repeated
until 15 new prompts are held. Replacements are appended after the kept rows.
"""
import json
import random

SRC = "/work/shared/benchmarks/t2i_compbench_train/"
OLD = "/work/main/tests/data/compbench_gold.jsonl"
FILES = ["numeracy_train.txt", "color_train.txt", "spatial_train.txt", "complex_train.txt",
         "shape_train.txt", "texture_train.txt", "3d_spatial_train.txt", "non_spatial_train.txt"]
N = 15


def main():
    old = set()
    with open(OLD, encoding="utf-8") as f:
        for ln in f:
            if ln.strip():
                old.add(json.loads(ln)["prompt"])
    rng = random.Random(7)
    out, skipped = [], []
    for name in FILES:
        with open(SRC + name, encoding="utf-8") as f:
            raw = f.read().split("\n")
        items = []
        for i, t in enumerate(raw, 1):
            t = t.strip("\r").strip(" ").strip("\r")
            if t:
                items.append((i, t))
        drawn = rng.sample(items, N)
        seen = set(drawn)
        kept = []
        for it in drawn:
            if it[1] in old:
                skipped.append((name,) + it)
            else:
                kept.append(it)
        while len(kept) < N:
            pool = [it for it in items if it not in seen]
            it = rng.choice(pool)
            seen.add(it)
            if it[1] in old:
                skipped.append((name,) + it)
            else:
                kept.append(it)
        for line, text in kept:
            out.append({"file": name, "line": line, "prompt": text})
    with open("sample.json", "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
    for s in skipped:
        print("skipped (already in compbench_gold.jsonl):", s)
    print(len(out), "rows")


if __name__ == "__main__":
    main()
