"""Could nano draw from the parser's fields instead of reading each prompt again? How often the
world scene built from a page's parsed subjects and setting equals the one the world's reader
(chatdit/storybook/reading.py, after the hub's color completion) takes from the page's prompt.

Three sets: the story requests of tests/data/story_heldout.jsonl (every planned page), the
CompBench prompts of tests/data/compbench_gold.jsonl, and captions of scenes the world samples
(storybook.sample_spec, fixed seed). Where the two differ, the row says in what (a page can differ
in more than one). Requests planned as layouts have no page scene and are left out.

    python bench/scene_fields.py [--world N]
"""

from __future__ import annotations

import argparse
import collections
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def fields_scene(subjects, background):
    """The storybook scene the parser's fields ask for, as the hub builds it for a planned panel."""
    from chatdit.dit.nano.prompts import world_scene
    from chatdit.schema import Scene

    return world_scene(Scene(subjects=subjects, background=background))


def in_order(scene):
    """The scene with its object groups in one order (kind, color), its relations renumbered: the
    fields list the hero first where the words may name it last, and both draw the same picture."""
    if scene is None:
        return None
    order = sorted(range(len(scene.objects)), key=lambda g: (scene.objects[g].kind, scene.objects[g].color))
    new = {old: index for index, old in enumerate(order)}
    relations = sorted((r.model_copy(update={"subject": new[r.subject], "target": new[r.target]}) for r in scene.relations),
                       key=lambda r: (r.subject, r.target, r.relation))
    return scene.model_copy(update={"objects": [scene.objects[g] for g in order], "relations": relations})


def differences(fields, words) -> list[str]:
    fields, words = in_order(fields), in_order(words)
    if fields == words:
        return []
    if fields is None or words is None:
        return ["fields name nothing of the world" if fields is None else "words name nothing of the world"]
    found = []
    if fields.background != words.background:
        found.append("background")
    if [(o.kind, o.color) for o in fields.objects] != [(o.kind, o.color) for o in words.objects]:
        found.append("objects (kind, color)")
    elif [(o.count, o.size, o.position) for o in fields.objects] != [(o.count, o.size, o.position) for o in words.objects]:
        found.append("count, size or place")
    if len(fields.relations) != len(words.relations):
        found.append(f"relations: fields {'fewer' if len(fields.relations) < len(words.relations) else 'more'}")
    elif fields.relations != words.relations:
        found.append("relations differ")
    return found


def tally(requests: list[str]) -> collections.Counter:
    from chatdit.agents.planner import cards_for, describe_page, pages_of

    from chatdit import parse
    from chatdit.dit.nano.prompts import complete_colors
    from chatdit.storybook import read_scene

    counts: collections.Counter = collections.Counter()
    for request in requests:
        instruction = parse(request)
        if instruction.task == "layout":
            continue
        cards = cards_for(instruction, {})
        for page in pages_of(instruction):
            scene = instruction.scene(page.number)
            words = read_scene(complete_colors(describe_page(page, instruction, cards)))
            found = differences(fields_scene(scene.subjects, scene.background), words)
            counts["pages"] += 1
            counts["same scene"] += not found
            counts.update(found)
    return counts


def main() -> None:
    from chatdit.storybook import caption, sample_spec

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=int, default=150, help="sampled world captions")
    args = parser.parse_args()
    read = lambda name, key: [json.loads(line)[key] for line in (DATA / name).read_text().splitlines() if line.strip()]  # noqa: E731
    rng = random.Random(7)
    sets = {"story pages": read("story_heldout.jsonl", "request"), "compbench": read("compbench_gold.jsonl", "prompt"),
            "world captions": [caption(sample_spec(rng)) for _ in range(args.world)]}
    results = {name: tally(requests) for name, requests in sets.items()}
    rows = sorted({key for counts in results.values() for key in counts} - {"pages", "same scene"})
    print(f"{'':34s}" + "".join(f"{name:>16s}" for name in results))
    print(f"{'pages':34s}" + "".join(f"{c['pages']:16d}" for c in results.values()))
    for row in ["same scene", *rows]:
        print(f"{row:34s}" + "".join(f"{c[row] / max(c['pages'], 1):16.3f}" for c in results.values()))


if __name__ == "__main__":
    main()
