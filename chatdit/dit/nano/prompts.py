"""Prompts as the nano model was trained to read them: every object with a color.

Every caption of the storybook world names a color for every object, so nano draws almost
nothing for "two foxes in the snow" (an object drawn in 0.10 of pictures against 0.95 with
colors; `bench/nano_eval.py`'s held-out specs with the color words removed). A person often leaves
colors out, so the hub gives an uncolored world object the color it has in a picture book (and
the same one on every page: the fox stays orange). The critic still checks only what was asked.
"""

from __future__ import annotations

from chatdit.storybook.reading import uncolored_nouns

DEFAULT_COLORS = {
    "fox": "orange", "tree": "green", "sun": "yellow", "moon": "yellow", "cloud": "white", "star": "yellow",
    "heart": "red", "flower": "pink", "fish": "orange", "bird": "blue", "boat": "red", "house": "brown",
    "circle": "red", "square": "blue", "triangle": "green",
}


def complete_colors(prompt: str) -> str:
    """'two foxes under a big tree' -> 'two orange foxes under a big green tree'; colored objects
    and words outside the world are left as they are. The storybook reader finds the objects, so
    nano colors exactly those it would otherwise skip."""
    parts, last = [], 0
    for start, kind in uncolored_nouns(prompt):
        parts += [prompt[last:start], DEFAULT_COLORS[kind], " "]
        last = start
    return "".join(parts) + prompt[last:]
