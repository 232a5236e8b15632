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

Then the critic's identity check (chatdit/critics/identity.py) against the truth, as a confusion
table: on renderer pages (each story's three pages drawn by the world renderer, so the truth is
known: the hero on its own pages, and each hero checked on the page that shows only the other,
plus a page with the hero's kind in another colour), and on the photo-card pages nano drew (each
hero checked on its own pages, where the truth is what the detector finds, and on the other
hero's page, where it is absent).
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


def story(rng: random.Random) -> tuple[str, list[list[str]], list[str]]:
    """The message, the names shown on each page, and each page's background."""
    places = rng.sample(PLACES, 3)
    text = (f"a three-page picture book about Rex and Mia: page 1 Rex and Mia {places[0][0]}, "
            f"page 2 Rex {places[1][0]}, page 3 Mia {places[2][0]}")
    return text, [["Rex", "Mia"], ["Rex"], ["Mia"]], [place[1] for place in places]


def identity_rows(cast, cards: dict, photos: dict, shown: list[list[str]], places: list[str], pages: dict, rng: random.Random) -> list:
    """(table row, verdict) for every identity check of one story: renderer truth, then nano pages."""
    from PIL import Image

    from chatdit import storybook as world
    from chatdit.critics.identity import check_identity
    from chatdit.storybook.detector import detect_scene

    looks = {name: (kind, color) for name, kind, color in cast}
    pictures = {name: Image.open(path).convert("RGB") for name, path in photos.items()}
    rows = []
    for number, names in enumerate(shown, start=1):
        spec = world.SceneSpec(background=places[number - 1], objects=[
            world.ObjectSpec(kind=looks[n][0], color=looks[n][1], size=rng.choice(["small", "medium"])) for n in names])
        drawn = world.render_scene(spec, seed=rng.randrange(1 << 30))[0]
        nano = Image.open(pages[number]).convert("RGB") if number in pages else None
        for name in looks:
            truth = "hero shown" if name in names else "hero absent"
            rows.append((("renderer", truth), check_identity(drawn, pictures[name], cards[name]).verdict))
            if nano is not None:
                if name in names:
                    kept = bool(detect_scene(nano).find(*looks[name]))
                    truth = "hero kept (detector)" if kept else "hero lost (detector)"
                rows.append((("nano cards", truth), check_identity(nano, pictures[name], cards[name]).verdict))
        if len(names) == 1:  # the hero's kind in another colour
            kind, color = looks[names[0]]
            other = rng.choice([c for c in world.COLOR_NAMES if c not in (color, "white", "black")])
            recolored = world.render_scene(world.SceneSpec(background=places[number - 1], objects=[
                world.ObjectSpec(kind=kind, color=other, size="medium")]), seed=rng.randrange(1 << 30))[0]
            rows.append((("renderer", "same kind, other colour"), check_identity(recolored, pictures[names[0]], cards[names[0]]).verdict))
    return rows


def print_identity(rows: list) -> None:
    table: dict[tuple[str, str], dict[str, int]] = {}
    for key, verdict in rows:
        table.setdefault(key, {"pass": 0, "fail": 0, "unknown": 0})[verdict] += 1
    print(f"\n{'identity check':12s} {'truth':26s} {'pass':>5s} {'fail':>5s} {'unknown':>8s} {'right':>6s}")
    for (pages, truth), counts in sorted(table.items()):
        right = counts["pass"] if truth.startswith(("hero shown", "hero kept")) else counts["fail"]
        print(f"{pages:12s} {truth:26s} {counts['pass']:5d} {counts['fail']:5d} {counts['unknown']:8d} "
              f"{right / max(1, sum(counts.values())):6.3f}")


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
    checks: list = []
    for index in range(args.n):
        cast = heroes(rng)
        message, shown, places = story(rng)
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
                if variant == "photo cards":
                    cards = {n: c for n, c in session.cards().items() if n in photos}  # the stored crops the critic reads
                    checks += identity_rows(cast, cards, {n: session.store.image_path(c.photo) for n, c in cards.items()}, shown, places,
                                            {n: session.asset_path(a) for n, a in pages.items()}, rng)
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
    print_identity(checks)


if __name__ == "__main__":
    main()
