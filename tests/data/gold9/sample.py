"""Sample the prompts of gold9: none in gold to gold8, nor among what the lead eyeballed."""
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sampling import COMPLEX_EXTRA, FILES, draw, eyeballed, eyeballed_before_gold7, labelled, write_parts  # noqa: E402

seen = eyeballed() | labelled("5", "6", "7", "8") | eyeballed_before_gold7()
write_parts(draw(random.Random(97), seen, FILES + COMPLEX_EXTRA, 14), parts=2)
