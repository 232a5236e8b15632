"""Regional (layout) attention for Flux-family DiTs, training-free.

A layout is phrases in boxes. Each phrase is encoded on its own and the text sequence becomes
[phrase 1 | phrase 2 | ... | global prompt and padding]; one boolean mask over the joint sequence [text tokens | image tokens] then lets each phrase's tokens
and the image tokens inside its box see each other and nothing of the other phrases, while every
image token still sees every other image token (so the picture stays one scene). Where boxes
overlap, the image tokens belong to the frontmost box: the object in front is drawn there, which
is how an explicit front-to-back order settles occlusion ("a tree behind the fox").

The mask reaches every attention layer of FluxTransformer2DModel (dual and single blocks) through
`joint_attention_kwargs={"attention_mask": mask}`, so it works on FLUX.1 and on the nano model.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chatdit.errors import ToolArgumentError
from chatdit.schema import Box


@dataclass(frozen=True)
class Region:
    """A phrase placed in a normalised xyxy box; rank 0 is frontmost. A phrase naming several
    objects ("two red stars") holds one box per object: `box` and `more_boxes`. A backdrop ("at
    night" over a whole panel) is behind everything and read by every image token in its box,
    those of objects in front of it too. `one` is the phrase of one of its objects ("a red star"),
    set where the layout was planned from typed objects, so a model reading one phrase per object
    never parses the group's words back (a copy with a new phrase needs a new `one` too)."""

    phrase: str
    box: Box
    rank: int = 0
    more_boxes: tuple[Box, ...] = ()
    backdrop: bool = False
    one: str | None = None

    @property
    def boxes(self) -> tuple[Box, ...]:
        return (self.box, *self.more_boxes)


def front_to_back(regions: list[Region]) -> list[Region]:
    """Regions sorted frontmost first: by rank, ties put the smaller box in front (small things
    stand before large ones far more often than behind them)."""
    return sorted(regions, key=lambda r: (r.backdrop, r.rank, (r.box[2] - r.box[0]) * (r.box[3] - r.box[1])))


def regional_prompt(regions: list[Region], prompt: str) -> str:
    """The whole layout in words (phrases first, the global prompt last, as nano-world captions go):
    the pooled text embedding and the provenance record use it."""
    parts = [region.phrase.strip().strip(",.") for region in regions]
    return ", ".join(parts + ([prompt.strip()] if prompt.strip() else []))


@lru_cache(maxsize=8192)
def token_count(tokenizer, text: str) -> int:
    """Cached: nano training counts the same few thousand phrases hundreds of times a step."""
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def layout_token_count(tokenizer, regions: list[Region], prompt: str) -> int:
    """Text tokens a layout takes: its phrases side by side, the prompt and the end of sequence."""
    return sum(token_count(tokenizer, region.phrase) for region in regions) + token_count(tokenizer, prompt or "") + 1


def phrase_token_counts(tokenizer, regions: list[Region], prompt: str, max_sequence_length: int) -> list[int]:
    """Text tokens of each phrase; refuses a layout whose phrases and prompt do not fit the window."""
    counts = [token_count(tokenizer, region.phrase) for region in regions]
    used = layout_token_count(tokenizer, regions, prompt)
    if used > max_sequence_length:
        raise ToolArgumentError(f"the layout's phrases and prompt take {used} text tokens but the model reads "
                                f"{max_sequence_length}; use fewer or shorter phrases")
    return counts


def phrase_ranges(counts: list[int]) -> list[list[int]]:
    """Text positions of phrases of these token counts laid side by side from position 0."""
    starts = [sum(counts[:index]) for index in range(len(counts))]
    return [list(range(start, start + count)) for start, count in zip(starts, counts)]


def regional_sequence(phrase_embeds, prompt_embeds, counts: list[int]):
    """(text sequence [L, D], phrase token ranges) of one layout: each phrase's own encoding
    (`phrase_embeds` [n, Lp, D]) laid side by side, then the global prompt's encoding
    (`prompt_embeds` [L, D]: its words, end of sequence and padding) filling the rest.

    T5 attends over the whole prompt (padding included), so one encoding of "a fox, a tree" would
    leak the tree into the fox's tokens and into the padding every region reads; so each phrase is
    encoded on its own. Training (chatdit/nano_training/encoding.py) builds its sequences with this too.
    """
    import torch

    pieces = [phrase_embeds[index, :count] for index, count in enumerate(counts)]
    pieces.append(prompt_embeds[: prompt_embeds.shape[0] - sum(counts)])
    return torch.cat(pieces, dim=0), phrase_ranges(counts)


def regional_embeddings(pipe, regions: list[Region], prompt: str, max_sequence_length: int,
                        phrase_length: int | None = None):
    """(prompt_embeds, pooled_prompt_embeds, phrase token ranges) with every phrase encoded alone,
    at `phrase_length` tokens (a model trained so, nano) or else at max_sequence_length."""
    counts = phrase_token_counts(pipe.tokenizer_2, regions, prompt, max_sequence_length)
    phrases, _, _ = pipe.encode_prompt([region.phrase for region in regions], prompt_2=None,
                                       max_sequence_length=phrase_length or max_sequence_length)
    shared, _, _ = pipe.encode_prompt(prompt or "", max_sequence_length=max_sequence_length)
    _, pooled, _ = pipe.encode_prompt(regional_prompt(regions, prompt), max_sequence_length=max_sequence_length)
    sequence, ranges = regional_sequence(phrases, shared[0], counts)
    return sequence[None], pooled, ranges


def token_grid(width: int, height: int, vae_scale_factor: int) -> tuple[int, int]:
    """(rows, cols) of image tokens: Flux packs 2x2 latent pixels into one token."""
    return height // (vae_scale_factor * 2), width // (vae_scale_factor * 2)


def tokens_in_box(box: Box, rows: int, cols: int) -> list[int]:
    """Image tokens (row-major) whose centre lies in the box; a box smaller than one token gets the
    token under its centre."""
    x0, y0, x1, y1 = box
    inside = [r * cols + c for r in range(rows) for c in range(cols)
              if x0 <= (c + 0.5) / cols < x1 and y0 <= (r + 0.5) / rows < y1]
    if inside:
        return inside
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [min(int(cy * rows), rows - 1) * cols + min(int(cx * cols), cols - 1)]


def regional_mask(text_len: int, phrase_tokens: list[list[int]], boxes: list[tuple[Box, ...]], rows: int, cols: int,
                  backdrops: list[bool] | None = None):
    """A [1, 1, S, S] boolean mask (True = may attend) over [text | image], S = text_len + rows*cols.

    `phrase_tokens` and `boxes` (each phrase's boxes) are in front-to-back order; `backdrops`
    marks the phrases every image token in their boxes reads. Text tokens outside every phrase
    (the global prompt, its end of sequence and padding) are shared: they see and are seen by
    everything.
    """
    import torch

    backdrops = backdrops or [False] * len(boxes)
    image_len = rows * cols
    size = text_len + image_len
    mask = torch.ones(size, size, dtype=torch.bool)
    owner = torch.full((image_len,), -1, dtype=torch.long)  # frontmost object region of each image token
    for index in reversed(range(len(boxes))):
        if backdrops[index]:
            continue
        for box in boxes[index]:
            owner[tokens_in_box(box, rows, cols)] = index
    phrase_of_text = torch.full((text_len,), -1, dtype=torch.long)
    for index, tokens in enumerate(phrase_tokens):
        phrase_of_text[tokens] = index
    for index, tokens in enumerate(phrase_tokens):
        text_rows = torch.tensor(tokens)
        other_text = (phrase_of_text != index) & (phrase_of_text >= 0)
        # a phrase reads itself, the shared text and the image tokens of its own box
        mask[text_rows.unsqueeze(1), torch.nonzero(other_text).squeeze(1).unsqueeze(0)] = False
        in_box = torch.zeros(image_len, dtype=torch.bool)
        for box in boxes[index]:
            in_box[tokens_in_box(box, rows, cols)] = True
        mask[text_rows.unsqueeze(1), (text_len + torch.nonzero(~in_box).squeeze(1)).unsqueeze(0)] = False
        # image tokens read a phrase only where that phrase's object is the frontmost (a backdrop:
        # everywhere in its box)
        readers = in_box if backdrops[index] else owner == index
        not_reading = torch.nonzero(~readers).squeeze(1) + text_len
        mask[not_reading.unsqueeze(1), text_rows.unsqueeze(0)] = False
    return mask.view(1, 1, size, size)


def layout_attention(pipe, regions: list[Region], prompt: str, width: int, height: int,
                     max_sequence_length: int, phrase_length: int | None = None) -> tuple[str, dict]:
    """(the layout in words, keyword arguments for one FluxPipeline call drawing `regions`):
    prompt_embeds, pooled_prompt_embeds and joint_attention_kwargs with the regional mask."""
    ordered = front_to_back(regions)
    embeds, pooled, phrase_tokens = regional_embeddings(pipe, ordered, prompt, max_sequence_length, phrase_length)
    rows, cols = token_grid(width, height, pipe.vae_scale_factor)
    mask = regional_mask(max_sequence_length, phrase_tokens, [r.boxes for r in ordered], rows, cols,
                         [r.backdrop for r in ordered])
    kwargs = {"prompt_embeds": embeds, "pooled_prompt_embeds": pooled,
              "joint_attention_kwargs": {"attention_mask": mask.to(embeds.device)}}
    return regional_prompt(ordered, prompt), kwargs
