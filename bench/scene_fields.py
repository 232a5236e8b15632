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
    """The storybook scene the parser's fields ask for: each world object in its asked color or its
    picture-book color (the hub's completion), grouped as the reader groups them."""
    from chatdit.dit.nano.prompts import DEFAULT_COLORS
    from chatdit.lexicon import SIZE_WORDS
    from chatdit.storybook import CHARACTER, ObjectSpec, RelationSpec, SceneSpec, world_background, world_color, world_kind
    from chatdit.storybook.reading import object_groups

    def world_object(subject):
        kind = world_kind(subject.name)
        if kind is None:
            return None
        size = next((SIZE_WORDS[word] for word in subject.attributes if word in SIZE_WORDS), "medium")
        return ObjectSpec(kind=kind, color=world_color(subject.color) or DEFAULT_COLORS[kind], size=size,
                          count=1 if kind == CHARACTER else min(subject.count, 4))

    objects, group_of = object_groups([world_object(subject) for subject in subjects])
    setting = world_background(background)
    if not objects:
        return SceneSpec(background=setting) if setting else None
    relations = [RelationSpec(subject=group_of[i], relation=where.relation, target=group_of[where.target])
                 for i, subject in enumerate(subjects) for where in (subject.position, subject.depth)
                 if where and i in group_of and where.target in group_of and group_of[i] != group_of[where.target]]
    return SceneSpec(background=setting or "day", objects=objects, relations=relations)


def differences(fields, words) -> list[str]:
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
