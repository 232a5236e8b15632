"""Sample 240 CompBench prompts for gold3 (two labellers, 120 each), none already in gold or gold2."""
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sampling import FILES, draw, labelled, write_parts  # noqa: E402

write_parts(draw(random.Random(23), labelled("", "2"), FILES, 30), parts=2)
