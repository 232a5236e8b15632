"""Bench photo heroes: does a two-character story keep each character's look from its photo?

    python bench/heroes.py            # 10 stories, each with two heroes drawn by the world renderer

For each story two "photos" are rendered by the storybook world's renderer (the truth is known):
Rex, a fox, and Mia, another kind, each in a random color. The same three-page story ("page 1
Rex and Mia at <place>, page 2 Rex ..., page 3 Mia ...") is then made on the embedded model
(critic off, so every variant gets one attempt) three ways:
  - no pictures: the story's words alone;
  - attached: both photos attached to the message, as chatdit did before cards held photos;
  - photo cards: `session.add_card` for each, then the story.
Printed: the share of (page, character shown on it) pairs where the world detector finds that
character's kind in its photo's color, and the share where it finds the color at all.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

HELD_OUT_SEED = 20261208
PLACES = [("at the beach", "sea"), ("in the snow", "snow"), ("at night", "night"), ("at sunset", "sunset"),
          ("in the day", "day")]


def heroes(rng: random.Random):
    """Two (name, kind, color) heroes with different colors; Rex is always the fox."""
    from chatdit import storybook as world

    colors = [c for c in world.COLOR_NAMES if c not in ("white", "black")]
    first, second = rng.sample(colors, 2)
    kind = rng.choice([k for k in world.OBJECTS if k not in ("fox", "sun", "moon", "cloud")])
    return [("Rex", "fox", first), ("Mia", kind, second)]


def story(rng: random.Random) -> tuple[str, list[list[str]]]:
    """The message, and the names shown on each page."""
    places = rng.sample(PLACES, 3)
    text = (f"a three-page picture book about Rex and Mia: page 1 Rex and Mia {places[0][0]}, "
            f"page 2 Rex {places[1][0]}, page 3 Mia {places[2][0]}")
    return text, [["Rex", "Mia"], ["Rex"], ["Mia"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10)
    args = parser.parse_args()

    from PIL import Image

    from chatdit import storybook as world
    from chatdit.session import Session
    from chatdit.storybook.detector import detect_scene

    rng, work = random.Random(HELD_OUT_SEED), Path(tempfile.mkdtemp(prefix="bench-heroes-"))
    kept = {v: [0, 0, 0] for v in ("no pictures", "attached", "photo cards")}  # kind+color, color, pairs
    for index in range(args.n):
        cast = heroes(rng)
        message, shown = story(rng)
        photos = {}
        for name, kind, color in cast:
            spec = world.SceneSpec(background=rng.choice(world.BACKGROUND_NAMES),
                                   objects=[world.ObjectSpec(kind=kind, color=color, size="large")])
            photos[name] = work / f"{index}-{name}.png"
            world.render_scene(spec, seed=rng.randrange(1 << 30))[0].save(photos[name])
        for variant, counts in kept.items():
            with Session.create(work / f"{index}-{variant}", model="nano", critic=False, seed=index) as session:
                if variant == "photo cards":
                    for name, photo in photos.items():
                        session.add_card(name, photo)
                images = list(photos.values()) if variant == "attached" else []
                pages = {a.page: a for a in session.chat(message, images=images).assets}
                for number, names in enumerate(shown, start=1):
                    scene = detect_scene(Image.open(session.asset_path(pages[number])).convert("RGB")) if number in pages else None
                    for name, kind, color in cast:
                        if name in names:
                            counts[0] += bool(scene and scene.find(kind, color))
                            counts[1] += bool(scene and scene.find(None, color))
                            counts[2] += 1
        print(f"story {index + 1}/{args.n}: " + ", ".join(f"{n} {c} {k}" for n, k, c in cast) + "; " +
              ", ".join(f"{v} {k[0]}/{k[2]}" for v, k in kept.items()), flush=True)
    print(f"\n{'variant':14s} {'kind+color kept':>16s} {'color kept':>11s} {'pairs':>6s}")
    for variant, (both, color, pairs) in kept.items():
        print(f"{variant:14s} {both / pairs:16.3f} {color / pairs:11.3f} {pairs:6d}")


if __name__ == "__main__":
    main()
