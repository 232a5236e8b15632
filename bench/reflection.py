"""Bench the reflection loop on the nano model: first attempt vs best-of-N vs reflection.

    python bench/reflection.py                 # 60 world prompts, N = 4 samples each
    python bench/reflection.py --hard --n 40   # three kinds, two to four of each (held-out seed)
    python bench/reflection.py --relations     # three kinds with counts, one relation each (held-out seed)
    python bench/reflection.py --n 120 --samples 4 --model nano-runs/main/pipeline

Prompts are world scenes the repo samples (world.sample_spec, fixed seed; not hand-picked) with a
caption, turned into the Instruction a careful reader writes (no parser in the loop). For each:
- first: one generate call (seed s);
- best-of-k for k = 2..N: the first k of N generate calls (seeds s, s+1000, ...), the offline
  critic picks the best (best-of-k at k near reflection's mean samples is the fair comparison);
- reflection: the first attempt, then up to N-1 more chosen by agents/reflection from the critique
  (stopping once the critic passes it: score >= --threshold, the critic_threshold setting by
  default; 1.0 asks for every checked requirement), the critic picks the best; plus ablations.
  Every model call counts as a sample, and every attempt as at least one (a repair that only
  changes pixels calls no model; one that draws a missing kind alone calls it once per drawing).
The pick is scored against the spec by the world detector (check_spec), per requirement type, and
as "all met". Note the critic and the scorer share the detector (bench/critic_accuracy.py shows
its accuracy on rendered ground truth); the reflection runs use at most as many samples as best-of-N.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 20261125
HARD_SEED = 20261207
"""The --hard scenes' seed: drawn once for this bench, never tuned on."""
CATEGORIES = {"kind": "presence", "count": "count", "color": "color", "left_right": "position",
              "position": "position", "relation": "position", "background": "background"}
METHODS = {
    "reflection": ("repair", "inpaint", "in_context", "revise", "reseed"),
    "no repair": ("inpaint", "in_context", "revise", "reseed"),
    "inpaint+reseed": ("inpaint", "reseed"),
    "in_context only": ("in_context",),
    "revise only": ("revise",),
}


class Bench:
    def __init__(self, model: str, steps: int | None, threshold: float | None):
        from chatdit.tools.registry import ToolContext, load_builtin_tools

        from chatdit.config import load_settings
        from chatdit.critics.offline import OfflineCritic
        from chatdit.dit.hub import ModelHub

        load_builtin_tools()
        self.hub = ModelHub(load_settings(model=model, steps=steps))
        self.images: dict = {}
        self.ctx = ToolContext(hub=self.hub, load_image=lambda asset_id: self.images[asset_id], workdir=Path("/tmp"))
        self.critic = OfflineCritic()
        self.threshold = self.hub.settings.critic_threshold if threshold is None else threshold
        self.calls = 0

    def run(self, tool: str, args: dict, key: str):
        from chatdit.tools.registry import run_tool

        self.calls += 1
        [out] = run_tool(tool, args, self.ctx)
        self.images[key] = out.image
        return out

    def judge(self, key: str, instruction, attempt: int):
        from chatdit.critics.base import CritiqueContext

        return self.critic.judge(self.images[key], instruction, CritiqueContext(asset_id=key, prompt=instruction.prompt, attempt=attempt,
                                                                  threshold=self.threshold))


def attempt_of(key: str, prompt: str, seed: int, judgement, strategy=None):
    from chatdit.agents.reflection import Attempt

    from chatdit.schema import Asset

    return Attempt(asset=Asset(id=key, path=f"{key}.png", prompt=prompt, seed=seed), judgement=judgement, strategy=strategy)


def best_of(attempts):
    """The responder's rule: highest critic score, earliest among equals."""
    best = attempts[0]
    for attempt in attempts[1:]:
        if attempt.judgement.critique.score > best.judgement.critique.score:
            best = attempt
    return best


def reflect(bench: Bench, index: int, instruction, first, samples: int, allowed) -> tuple[object, int, list[str]]:
    """(best attempt, samples spent, strategies used): attempts until the critic passes one or the
    N samples are spent. An attempt costs its model calls, at least one (a pixel-only repair
    calls none); a repair may draw missing kinds alone with what is left of the budget."""
    from chatdit.agents.reflection import FailingOutput, plan_reflection
    from chatdit.tools.registry import args_of
    from chatdit.tools.repair import RepairArgs

    from chatdit.critics.world import describe_scene
    from chatdit.schema import Step, ToolCall

    base = Step(id="s1", call=ToolCall(tool="generate", args={"prompt": instruction.prompt, "seed": first.asset.seed}))
    attempts, used, spent, round_ = [first], [], 1, 0
    while spent < samples and not best_of(attempts).judgement.critique.passed:
        round_ += 1
        output = FailingOutput(step=base, prompt=instruction.prompt, attempts=attempts)
        plan, chosen = plan_reflection([output], instruction, round_, describe=lambda a: describe_scene(bench.images[a.id]) or "an earlier attempt",
                                       allowed=allowed)
        step = plan.steps[0]
        args = args_of(step.call)
        if isinstance(args, RepairArgs):
            args = args.model_copy(update={"draws": samples - spent})
        key = f"p{index}-{'-'.join(allowed)}-r{round_}"
        out = bench.run(step.call.tool, args, key)
        spent += max(1, out.meta.get("model_calls", 1))
        attempts.append(attempt_of(key, instruction.prompt, out.seed, bench.judge(key, instruction, round_), chosen[step.id]))
        used.append(chosen[step.id])
    return best_of(attempts), spent, used


def score(image, spec, table) -> None:
    """Each requirement of the spec checked by the world detector; a relation between two groups
    (side or depth order) by the critic's own test, since check_spec passes every depth order."""
    from chatdit.critics.world import relation_holds
    from chatdit.storybook.detector import check_spec, detect_scene

    scene = detect_scene(image)
    results = check_spec(image, spec.model_copy(update={"relations": []}), scene)
    for r in results:
        table[CATEGORIES.get(r.category, r.category)].append(r.passed)
    relations = []
    for rel in spec.relations:
        a, b = spec.objects[rel.subject], spec.objects[rel.target]
        found, other = scene.find(a.kind, a.color), scene.find(b.kind, b.color)
        relations.append(bool(found and other) and relation_holds(rel.relation, found, other, image))
    table["relation"] += relations
    table["all counts"].append(all(r.passed for r in results if r.category == "count"))
    table["all met"].append(all(r.passed for r in results) and all(relations))
    if spec.relations:
        table["counts+relation"].append(table["all counts"][-1] and all(relations))


def hard_spec(rng: random.Random):
    """A hard compositional scene: three different kinds, two to four of each, in colors."""
    from chatdit.storybook import BACKGROUNDS, COLORS, OBJECTS, ObjectSpec, SceneSpec

    kinds = rng.sample([k for k in OBJECTS if k not in ("sun", "moon")], 3)
    objects = [ObjectSpec(kind=kind, color=rng.choice(list(COLORS)), count=rng.randint(2, 4), size="small") for kind in kinds]
    return SceneSpec(background=rng.choice(list(BACKGROUNDS)), objects=objects)


RELATIONS_SEED = 20261208
"""The --relations scenes' seed: drawn once for this bench, never tuned on (develop on --seed 1000)."""


def relation_spec(rng: random.Random):
    """Three kinds with counts and one relation ('a sun above two houses and three trees'): the
    first kind, one of it (two at most for a side relation), stands `relation` the second."""
    from typing import get_args

    from chatdit.storybook import BACKGROUNDS, COLORS, OBJECTS, ObjectSpec, RelationSpec, SceneSpec
    from chatdit.storybook.vocabulary import RelationName

    kinds = rng.sample(OBJECTS, 3)
    relation = rng.choice(get_args(RelationName))
    colors = rng.sample(list(COLORS), 3)  # two groups of one color would read as one object where they overlap
    counts = [1 if relation in ("in front of", "behind") else rng.randint(1, 2), rng.randint(1, 2), rng.randint(1, 3)]
    objects = [ObjectSpec(kind=kind, color=color, count=1 if kind in ("sun", "moon") else count, size="small")
               for kind, color, count in zip(kinds, colors, counts)]
    return SceneSpec(background=rng.choice(list(BACKGROUNDS)), objects=objects,
                     relations=[RelationSpec(subject=0, relation=relation, target=1)])


def print_tables(tables, samples_used, strategies, samples: int) -> None:
    """The side-by-side table (share met per requirement, per method) and reflection's margins."""
    rows = ["presence", "count", "color", "position", "relation", "background", "all counts", "counts+relation", "all met"]
    names = list(tables)
    print(f"{'requirement':<16}" + "".join(f"{name:>17}" for name in names))
    for row in rows:
        cells = []
        for name in names:
            values = tables[name].get(row) or []
            cells.append(f"{sum(values) / len(values):.3f} (n={len(values)})" if values else "-")
        print(f"{row:<16}" + "".join(f"{cell:>17}" for cell in cells))
    print(f"{'samples/prompt':<16}" + "".join(f"{sum(samples_used[n]) / len(samples_used[n]):>17.2f}" for n in names))
    if "reflection" in tables:
        best_n = tables[f"best-of-{samples}"]["all met"]
        refl = tables["reflection"]["all met"]
        margin = (sum(refl) - sum(best_n)) / len(refl)
        print(f"\nreflection - best-of-{samples} (all requirements met): {margin:+.3f} "
              f"({sum(refl)} vs {sum(best_n)} of {len(refl)} prompts)")
        used = sum(samples_used["reflection"]) / len(samples_used["reflection"])
        first, counts = tables["first"]["all counts"], tables["reflection"]["all counts"]
        print(f"every count right: first {sum(first) / len(first):.3f} -> reflection {sum(counts) / len(counts):.3f} "
              f"({(sum(counts) - sum(first)) / len(first):+.3f}) at {used:.2f} samples per prompt")
        print("strategies used by reflection: " + ", ".join(f"{k} {v}" for k, v in strategies.most_common()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=60, help="world prompts")
    parser.add_argument("--samples", type=int, default=4, help="N: samples per prompt for best-of-N and the reflection budget")
    parser.add_argument("--model", default="nano")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset of: " + ", ".join(METHODS))
    parser.add_argument("--hard", action="store_true", help="hard scenes: three kinds, two to four of each")
    parser.add_argument("--relations", action="store_true", help="three kinds with counts, one standing left of, above, "
                                                                   "behind (...) another")
    parser.add_argument("--threshold", type=float, default=None,
                        help="critic score that counts as passed (reflection stops there); default: critic_threshold")
    args = parser.parse_args(argv)

    from chatdit.critics.world import instruction_from_spec
    from chatdit.storybook import caption, sample_spec

    bench = Bench(args.model, args.steps, args.threshold)
    if bench.hub.info.random_weights:
        print("the nano weights are missing: this bench needs a trained model (chatdit train-nano)")
        return 1
    scene_seed = (HARD_SEED if args.hard else RELATIONS_SEED if args.relations else SEED) if args.seed == SEED else args.seed
    rng = random.Random(scene_seed)
    methods = [m for m in args.methods.split(",") if m]
    best_ofs = [f"best-of-{k}" for k in range(2, args.samples + 1)]
    tables = collections.OrderedDict((name, collections.defaultdict(list)) for name in ["first", *best_ofs, *methods])
    samples_used = collections.defaultdict(list)
    strategies = collections.Counter()
    started = time.perf_counter()
    for index in range(args.n):
        spec = hard_spec(rng) if args.hard else relation_spec(rng) if args.relations else sample_spec(rng)
        instruction = instruction_from_spec(spec, caption(spec, rng))
        seed = args.seed + 7919 * index
        attempts = []
        for k in range(args.samples):
            key = f"p{index}-s{k}"
            out = bench.run("generate", {"prompt": instruction.prompt, "seed": seed + 1000 * k}, key)
            attempts.append(attempt_of(key, instruction.prompt, out.seed, bench.judge(key, instruction, k)))
        score(bench.images[attempts[0].asset.id], spec, tables["first"])
        for k in range(2, args.samples + 1):
            score(bench.images[best_of(attempts[:k]).asset.id], spec, tables[f"best-of-{k}"])
            samples_used[f"best-of-{k}"].append(k)
        samples_used["first"].append(1)
        for name in methods:
            best, used, chosen = reflect(bench, index, instruction, attempts[0], args.samples, METHODS[name])
            score(bench.images[best.asset.id], spec, tables[name])
            samples_used[name].append(used)
            if name == "reflection":
                strategies.update(chosen)
        if (index + 1) % 10 == 0:
            print(f"  {index + 1}/{args.n} prompts, {time.perf_counter() - started:.0f} s", file=sys.stderr)

    kind = "hard " if args.hard else "relations " if args.relations else ""
    print(f"\nReflection bench: {args.n} {kind}world prompts (seed {scene_seed}), model {bench.hub.info.name}, "
          f"N = {args.samples}, {bench.hub.settings.steps or bench.hub.info.steps} steps, critic threshold {bench.threshold}; "
          "share of requirements met")
    print_tables(tables, samples_used, strategies, args.samples)
    print(f"{bench.calls} tool runs in {time.perf_counter() - started:.0f} s (a repair's drawings alone are in samples/prompt)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
