"""Sample 120 CompBench prompts for gold4: none in gold, gold2, gold3 or the lead's eyeballed sample."""
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sampling import DATA, FILES, draw, labelled, write_parts  # noqa: E402

seen = set(json.loads((DATA / "gold4" / "eyeballed_sample.json").read_text())) | labelled("", "2", "3")
write_parts(draw(random.Random(41), seen, FILES, 15), parts=1)
