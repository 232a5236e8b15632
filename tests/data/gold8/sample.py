"""Sample the prompts of gold8: none in gold to gold7, nor among what the lead eyeballed."""
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sampling import FILES, draw, eyeballed, eyeballed_before_gold7, labelled, write_parts  # noqa: E402

seen = eyeballed() | labelled("5", "6", "7") | eyeballed_before_gold7()
write_parts(draw(random.Random(83), seen, FILES + ["complex_train_action.txt"], 27), parts=3)
