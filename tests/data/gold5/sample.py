"""Sample 120 fresh CompBench prompts for gold6 (only counted), then 240 for gold5 (read while
working, three readers): none in gold to gold4 nor among what the lead had eyeballed.

Run in an empty folder: writes to_label_gold6.jsonl and to_label_a/b/c.jsonl (gold5's parts).
"""
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sampling import FILES, draw, eyeballed, write_parts  # noqa: E402

seen = eyeballed()
rng = random.Random(57)
fresh = draw(rng, seen, FILES, 15)
Path("to_label_gold6.jsonl").write_text("".join(json.dumps(r) + "\n" for r in fresh))
write_parts(draw(rng, seen, FILES, 30), parts=3)
