"""Bench the offline critic against ground truth on rendered storybook-world scenes.

    python bench/critic_accuracy.py              # 300 scenes, seed 20261125
    python bench/critic_accuracy.py --n 1000 --noise 30

Each scene (world.sample_spec, fixed seed) is rendered with its ground truth; the critic judges it
against the instruction of the scene itself and of a one-change mutation (another color, count,
position, kind, background or relation), so about half the requirements are violated. The truth of
every requirement comes from the renderer's instances, not from the detector. Per requirement
type it prints coverage (share not "unknown"), accuracy, and precision / recall of the critic's
"fail" (a violation caught), with and without pixel noise.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 20261125


def mutate(spec, rng: random.Random):
    """The spec with one thing changed, so some requirements no longer hold for its render."""
    from chatdit.storybook import BACKGROUND_NAMES, COLOR_NAMES, OBJECTS, POSITIONS

    spec = spec.model_copy(deep=True)
    obj = rng.choice(spec.objects) if spec.objects else None
    what = rng.choice(["color", "count", "position", "kind", "background", "relation"])
    if what == "relation" and spec.relations:
        flip = {"left of": "right of", "right of": "left of", "above": "below", "below": "above"}
        rel = spec.relations[0]
        rel.relation = flip.get(rel.relation, rel.relation)
    elif what == "color" and obj:
        obj.color = rng.choice([c for c in COLOR_NAMES if c != obj.color])
    elif what == "count" and obj:
        obj.count = max(1, min(4, obj.count + rng.choice([-1, 1]) if obj.count > 1 else 2))
    elif what == "position" and obj:
        obj.position = rng.choice([p for p in POSITIONS if p != obj.position])
    elif what == "kind" and obj:
        obj.kind = rng.choice([k for k in OBJECTS if k != obj.kind])
    else:
        spec.background = rng.choice([b for b in BACKGROUND_NAMES if b != spec.background])
    return spec


def truth(req, instruction, instances, background: str) -> bool | None:
    """Whether a requirement holds for the rendered ground truth (None: not a world requirement)."""
    from chatdit.storybook import world_background, world_color, world_kind
    from chatdit.storybook.detector import side_ok

    if req.subject is None:
        wanted = world_background(req.text)
        return None if wanted is None else background == wanted
    subject = instruction.subjects[req.subject]
    kind, color = world_kind(subject.name), world_color(subject.color)
    of_kind = [i for i in instances if i.kind == kind]
    matched = [i for i in of_kind if color is None or i.color == color]

    def centroid(group):
        return (sum(i.center[0] for i in group) / len(group), sum(i.center[1] for i in group) / len(group))

    if req.kind == "presence":
        return bool(of_kind)
    if req.kind == "count":
        return len(matched) == subject.count
    if req.kind == "color":
        return any(i.color == color for i in of_kind)
    if req.kind == "position" and req.target is None:
        return bool(matched) and side_ok(centroid(matched), req.position)
    if req.kind == "position" and req.position in ("left of", "right of", "above", "below"):
        other_subject = instruction.subjects[req.target]
        other = [i for i in instances if i.kind == world_kind(other_subject.name)
                 and (world_color(other_subject.color) is None or i.color == world_color(other_subject.color))]
        if not (matched and other):
            return False
        from chatdit.critics.world import relation_holds

        return relation_holds(req.position, matched, other)  # the critic's meaning, on the drawn boxes
    return None


def kind_of(req) -> str:
    if req.subject is None:
        return "background"
    if req.kind == "position":
        return "relation" if req.target is not None else "position"
    return req.kind


def run(n: int, noise: float, seed: int) -> dict:
    import numpy as np
    from PIL import Image

    from chatdit.critics.base import CritiqueContext, requirements_for
    from chatdit.critics.offline import OfflineCritic
    from chatdit.critics.world import instruction_from_spec
    from chatdit.storybook import caption, render_scene, sample_spec

    rng = random.Random(seed)
    critic = OfflineCritic()
    table = collections.defaultdict(lambda: collections.Counter())
    for index in range(n):
        spec = sample_spec(rng)
        image, instances = render_scene(spec, seed=seed + index)
        if noise:  # a generator's softness and grain: blur, then Gaussian pixel noise
            from PIL import ImageFilter

            pixels = np.asarray(image.filter(ImageFilter.GaussianBlur(0.8)), np.float32)
            pixels += np.random.default_rng(index).normal(0, noise, (64, 64, 3))
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        for asked in (spec, mutate(spec, rng)):
            instruction = instruction_from_spec(asked, caption(asked, rng))
            judged = critic.judge(image, instruction, CritiqueContext(prompt=instruction.prompt))
            verdicts = {c.name: c.verdict for c in judged.critique.checks}
            for req in requirements_for(instruction, instruction.prompt):
                real = truth(req, instruction, instances, spec.background)
                if real is None:
                    continue
                said = verdicts.get(req.name, "unknown")
                row = table[kind_of(req)]
                row["n"] += 1
                if said == "unknown":
                    row["unknown"] += 1
                    continue
                caught = said == "fail"
                row["tp" if caught and not real else "fp" if caught else "fn" if not real else "tn"] += 1
    return table


def print_table(title: str, table) -> None:
    print(f"\n{title}")
    print(f"{'requirement':<11} {'n':>5} {'violated':>8} {'coverage':>8} {'accuracy':>8} {'fail prec':>9} {'fail rec':>8}")
    total = collections.Counter()
    for kind in ("presence", "count", "color", "position", "relation", "background"):
        row = table.get(kind)
        if not row:
            continue
        total.update(row)
        _print_row(kind, row)
    _print_row("all", total)


def _print_row(name: str, row) -> None:
    judged = row["tp"] + row["fp"] + row["tn"] + row["fn"]
    violated = row["tp"] + row["fn"]
    precision = row["tp"] / max(1, row["tp"] + row["fp"])
    recall = row["tp"] / max(1, violated)
    print(f"{name:<11} {row['n']:5d} {violated:8d} {judged / max(1, row['n']):8.3f} "
          f"{(row['tp'] + row['tn']) / max(1, judged):8.3f} {precision:9.3f} {recall:8.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="scenes (each judged against itself and a mutation)")
    parser.add_argument("--noise", type=float, default=20.0, help="pixel noise sigma of the second table, after a 0.8 px blur (0: skip it)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    print_table(f"offline critic vs rendered ground truth ({args.n} scenes, clean)", run(args.n, 0.0, args.seed))
    if args.noise:
        print_table(f"same scenes blurred (0.8 px) with pixel noise sigma {args.noise:g}", run(args.n, args.noise, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
