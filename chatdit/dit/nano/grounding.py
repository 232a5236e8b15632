"""Grounded drawing for the nano model: each object group's words attend only to that group's boxes.

Measured (bench/nano_sensitivity.py, model card), the nano model trained on whole captions reads
color words and hardly any kind, count or side word: from one caption, the words saying which
object goes where reach every image token alike, and 47 CPU minutes do not teach it to sort them
out. Layout-grounded models (GLIGEN, ReCo, LLM-grounded Diffusion) plan the boxes first and then
draw each phrase in its boxes. Here the storybook world's own layout code plans the boxes (the same
code that placed the objects in every training picture), and the regional attention mask of
chatdit/dit/regional.py binds each group's phrase ("two red stars") to its boxes, one box per
object; the model is trained under that mask, so it learns to draw one object of the phrase's
kind and color in each box it is given. Each panel's background word ("night") is a backdrop
region every token of the panel reads, so each panel of a canvas gets its own sky and ground. The
global text is left empty: no object word reaches a token outside that object's boxes.
"""

from __future__ import annotations

import random

from chatdit.dit.nano.prompts import complete_colors, world_scene
from chatdit.dit.regional import Box, Region, front_to_back
from chatdit.lexicon import NUMBER_NAMES
from chatdit.schema import Scene
from chatdit.storybook import PANEL_SIZE, PLURALS, Instance, ObjectSpec, SceneSpec, object_box, place_scene, read_scene
from chatdit.storybook.detector import detect_scene

PHRASE_LENGTH = 8
"""T5 tokens each group's phrase is encoded at: the longest ('four purple triangles') is 4 with
its end of sequence; encoding it at the full text length cost training 7x the text encoder time."""
GLOBAL_TEXT = ""
"""The text every token of a grounded picture reads: none (see the module docstring)."""


def group_phrase(obj: ObjectSpec) -> str:
    """The one wording of a group inside its boxes: 'a red star', 'two red stars'."""
    if obj.count == 1:
        return f"a {obj.color} {obj.kind}"
    return f"{NUMBER_NAMES[obj.count]} {obj.color} {PLURALS[obj.kind]}"


def group_region(obj: ObjectSpec, boxes: list[Box], rank: int) -> Region:
    """A group's region over its boxes, worded from its fields, with the phrase of one of its
    objects beside (`Region.one`) for a model that reads one phrase per object."""
    return Region(group_phrase(obj), boxes[0], rank=rank, more_boxes=tuple(boxes[1:]),
                  one=group_phrase(obj.model_copy(update={"count": 1})))


def scene_regions(specs: list[SceneSpec], instances: list[list[Instance]], panel_size: int) -> list[Region]:
    """One region per object group of every panel of a row, front to back, and one backdrop per
    panel, boxes normalised to the whole canvas. `instances` are each panel's placed objects in
    drawing order (later in front)."""
    width = panel_size * len(specs)
    regions = []
    for panel, (spec, placed) in enumerate(zip(specs, instances)):
        regions.append(Region(spec.background, (panel * panel_size / width, 0.0, (panel + 1) * panel_size / width, 1.0),
                              backdrop=True))
        drawn_last = {inst.group: order for order, inst in enumerate(placed)}
        for group, obj in enumerate(spec.objects):
            boxes: list[Box] = [((panel * panel_size + x0) / width, y0 / panel_size,
                                 (panel * panel_size + x1) / width, y1 / panel_size)
                                for inst in placed if inst.group == group for x0, y0, x1, y1 in [inst.bbox]]
            if boxes:
                rank = len(placed) - drawn_last[group]  # drawn last = frontmost = rank 1
                regions.append(group_region(obj, boxes, rank))
    return front_to_back(regions)


def each_object(regions: list[Region]) -> list[Region]:
    """The same layout with one region per object: 'two red stars' in two boxes becomes 'a red
    star' twice, each in its box, so each object's phrase can sit at its own box's position
    (chatdit/dit/box_rope.py), worded from the group's fields (`Region.one`); backdrops and one-box
    regions are kept as they are."""
    split = []
    for region in regions:
        if region.backdrop or not region.more_boxes:
            split.append(region)
            continue
        split += [Region(region.one or region.phrase, box, rank=region.rank) for box in region.boxes]
    return front_to_back(split)


def plan_regions(specs: list[SceneSpec], seed: int, panel_size: int) -> list[Region]:
    """Place every panel's objects with the world's layout code (positions and relations honoured)
    and return their regions; a panel whose objects do not fit raises ValueError."""
    rng = random.Random(seed)
    return scene_regions(specs, [place_scene(spec, rng, panel_size) for spec in specs], panel_size)


def grounded_length(tokenizer, regions: list[Region], prompt: str, buckets) -> int | None:
    """The text length a grounded prompt is padded to: the smallest bucket holding its phrases,
    the prompt and the end of sequence; None when none does."""
    from chatdit.dit.regional import layout_token_count

    used = layout_token_count(tokenizer, regions, prompt)
    return next((b for b in sorted(buckets) if b >= used), None)


# ---------------------------------------------------------------- what each panel asks for

Asked = Scene | str | None
"""What one panel of a canvas is asked to show, as the tool knows it: the scene the plan understood
(its fields are drawn); a panel's own words where nothing was understood (read by the storybook
reader, as a bare prompt is); None for a known panel (a reference) that asks nothing."""


def read_panels(prompt: str, asked: list[Asked] | None = None) -> list[SceneSpec | None]:
    """One world scene per panel, as many as the tool's panels (`asked`); with none given (a bare
    prompt passed to the pipeline directly) the prompt's words, a joint caption panel by panel,
    every world object without a color in its picture-book one (nano was trained on colored ones)."""
    if asked is None:
        from chatdit.dit.captions import split_joint_caption

        asked = list(split_joint_caption(prompt))
    return [world_scene(item) if isinstance(item, Scene) else read_scene(complete_colors(item)) if item else None
            for item in asked]


# ---------------------------------------------------------------- drawing a prompt grounded


def plan_prompt(prompt: str, seed: int, asked: list[Asked] | None = None) -> list[Region] | None:
    """The regions of a (joint) prompt's objects and backgrounds (read as `read_panels` does), laid
    out by the world's layout code; None when it names nothing of the world or its objects do not
    fit their panel."""
    scenes = read_panels(prompt, asked)
    if not any(scenes):
        return None
    try:
        return plan_regions([scene or SceneSpec() for scene in scenes], seed, PANEL_SIZE) or None
    except ValueError:
        return None


def _canvas_box(box, panel: int, panels: int, size: int) -> Box:
    """A panel's pixel box (x0, y0, x1, y1) normalised to a row of `panels` panels."""
    x0, y0, x1, y1 = box
    return ((panel + x0 / size) / panels, y0 / size, (panel + x1 / size) / panels, y1 / size)


def seen_regions(scene, panel: int, panels: int, keep=lambda found: True) -> list[Region]:
    """Regions of a panel as the world detector read it (`scene`: its objects grouped by kind and
    color, each in the boxes where it was found; those `keep` accepts), so new parts are drawn
    beside known ones under the mask the model was trained with."""
    groups: dict[tuple[str, str], list[Box]] = {}
    for found in scene.objects:
        if keep(found):
            groups.setdefault((found.kind, found.color), []).append(_canvas_box(found.bbox, panel, panels, scene.width))
    return [group_region(ObjectSpec(kind=kind, color=color, count=min(len(boxes), 4)), boxes, 1)
            for (kind, color), boxes in groups.items()]


def _missing_regions(spec: SceneSpec, scene, kept, hole, panel: int, panels: int, rng: random.Random) -> list[Region]:
    """Regions for what the panel's words ask for and its kept part lacks, placed inside the
    redrawn hole (a boolean pixel mask): 'add a yellow sun' into the box the critic masked."""
    regions = []
    for obj in spec.objects:
        have = sum(1 for found in kept if (found.kind, found.color) == (obj.kind, obj.color))
        boxes = []
        for _ in range(max(0, obj.count - have)):
            w, h = object_box(obj.kind, obj.size)
            x0, y0 = _most_masked_spot(hole, w, h, rng)
            boxes.append(_canvas_box((x0, y0, x0 + w, y0 + h), panel, panels, scene.width))
        if boxes:
            regions.append(group_region(obj.model_copy(update={"count": len(boxes)}), boxes, 0))
    return regions


def _most_masked_spot(hole, w: int, h: int, rng: random.Random) -> tuple[int, int]:
    """Top-left corner of a w x h box with as much of it inside the hole as any, one of those at
    random: a hole made of several boxes (every fox the detector found) has gaps between them,
    and an object planned into a gap is drawn where nothing is pasted back."""
    import numpy as np

    rows, cols = hole.shape
    w, h = min(w, cols), min(h, rows)
    sums = np.pad(hole.astype(np.int32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    inside = sums[h:, w:] - sums[:-h, w:] - sums[h:, :-w] + sums[:-h, :-w]
    ys, xs = np.nonzero(inside == inside.max())
    pick = rng.randrange(len(ys))
    return int(xs[pick]), int(ys[pick])


def plan_fill(prompt: str, image, mask_image, seed: int, asked: list[Asked] | None = None) -> list[Region] | None:
    """Regions of an inpainting canvas, panel by panel: a known panel (mask black) as the detector
    sees it; a redrawn one (mask white) planned from its scene (`read_panels`); a partly masked one
    with the objects outside the mask kept where they are and what its scene asks for besides placed
    in the mask. None when the prompt names nothing of the world."""
    import numpy as np

    from chatdit.dit.canvas import split_panels

    scenes = read_panels(prompt, asked)
    if not any(scenes):
        return None
    n, rng = len(scenes), random.Random(seed)
    planned = plan_prompt(prompt, seed, asked) or []
    regions = []
    for panel, (spec, picture, hole) in enumerate(zip(scenes, split_panels(image, n), split_panels(mask_image, n))):
        hole = np.asarray(hole.convert("L").resize((PANEL_SIZE, PANEL_SIZE))) >= 128
        share = hole.mean()
        if share > 0.9:
            left, right = panel / n, (panel + 1) / n
            regions += [r for r in planned if left <= (r.box[0] + r.box[2]) / 2 < right]
            continue
        seen = detect_scene(picture)
        regions.append(Region((spec.background if spec else seen.background), (panel / n, 0.0, (panel + 1) / n, 1.0),
                              backdrop=True))
        last = PANEL_SIZE - 1
        outside = [o for o in seen.objects if not hole[min(int(o.center[1]), last), min(int(o.center[0]), last)]]
        regions += seen_regions(seen, panel, n, keep=lambda found, outside=outside: found in outside)
        if share > 0 and spec:
            regions += _missing_regions(spec, seen, outside, hole, panel, n, rng)
    return front_to_back(regions)


GROUNDING_MODES = {"groups": "storybook", "objects": "storybook-objects", "boxes": "storybook-boxes"}
"""train.py --grounding -> chatdit.json "grounding": one phrase per object group over its boxes;
one phrase per object; one per object at its box's rotary position."""


def splits_objects(mode: str) -> bool:
    """Whether a model trained so reads one phrase per object (each_object)."""
    return mode != "storybook"


def uses_box_rope(mode: str) -> bool:
    """Whether a model trained so reads each object phrase at its box's rotary position."""
    return mode == "storybook-boxes"


def grounded_kwargs(pipe, layouts: list[list[Region] | None], prompts: list[str], width: int, height: int,
                    buckets, mode: str = "storybook") -> dict | None:
    """FluxPipeline (or FluxInpaintPipeline) keyword arguments drawing each prompt grounded in its
    layout, as the nano model was trained (chatdit/nano_training, --grounded): prompt_embeds,
    pooled_prompt_embeds, the text length and the regional attention mask. A prompt with no layout
    (or one too long) is drawn from its plain encoding in the same batch; None when none has one.
    `mode` is how the model was trained (GROUNDING_MODES): its layouts are split into one region per
    object for "storybook-objects" and "storybook-boxes", and for the latter each object phrase also
    takes its box's rotary position (chatdit/dit/box_rope.py)."""
    import torch

    from chatdit.dit.box_rope import phrase_positions, text_rotary, use_box_rope
    from chatdit.dit.captions import fitted_sequence_length
    from chatdit.dit.regional import regional_embeddings, regional_mask, token_grid

    if mode not in GROUNDING_MODES.values():
        raise ValueError(f"unknown grounding {mode!r}: one of {', '.join(GROUNDING_MODES.values())}")
    if splits_objects(mode):
        layouts = [each_object(r) if r else None for r in layouts]
    tokenizer = pipe.tokenizer_2
    layouts = [r if r and grounded_length(tokenizer, r, GLOBAL_TEXT, buckets) else None for r in layouts]
    if not any(layouts):
        return None
    length = max(grounded_length(tokenizer, r, GLOBAL_TEXT, buckets) if r else fitted_sequence_length(tokenizer, p, buckets)
                 for r, p in zip(layouts, prompts))
    rows, cols = token_grid(width, height, pipe.vae_scale_factor)
    size = length + rows * cols
    embeds, pooled, masks, positions = [], [], [], []
    for prompt, regions in zip(prompts, layouts):
        if regions:
            sequence, vector, ranges = regional_embeddings(pipe, regions, GLOBAL_TEXT, length, PHRASE_LENGTH)
            masks.append(regional_mask(length, ranges, [r.boxes for r in regions], rows, cols,
                                       [r.backdrop for r in regions]))
            positions.append(phrase_positions(length, ranges, regions, rows, cols))
        else:
            sequence, vector, _ = pipe.encode_prompt(prompt, prompt_2=None, max_sequence_length=length)
            masks.append(torch.ones(1, 1, size, size, dtype=torch.bool))
            positions.append(torch.zeros(length, 3))
        embeds.append(sequence)
        pooled.append(vector)
    device = embeds[0].device
    attention = {"attention_mask": torch.cat(masks).to(device)}
    if uses_box_rope(mode):
        use_box_rope(pipe.transformer)
        attention["text_rotary_emb"] = text_rotary(pipe.transformer, torch.stack(positions))
    return {"prompt_embeds": torch.cat(embeds), "pooled_prompt_embeds": torch.cat(pooled), "max_sequence_length": length,
            "joint_attention_kwargs": attention}
