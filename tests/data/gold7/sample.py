"""Sample the prompts of gold7: none in gold to gold6, nor among what the lead eyeballed."""
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sampling import FILES, draw, eyeballed, eyeballed_before_gold7, labelled, write_parts  # noqa: E402

seen = eyeballed() | labelled("5", "6") | eyeballed_before_gold7()
write_parts(draw(random.Random(71), seen, FILES, 30), parts=3)
