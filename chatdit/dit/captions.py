"""How several panels are described to one DiT call, shared by the tools and nano training.

Joint generation (ChatDiT, In-Context LoRA, Group DiT) draws a row of panels on one canvas from
one caption; the model can only keep characters consistent if it was trained on, or prompted
in, the same caption format, so the format lives here and nowhere else.
"""

from __future__ import annotations

from chatdit.lexicon import NUMBER_NAMES

PANEL_TAG = "[PANEL-{index}]"
IMAGE_TAG = "[IMAGE{index}]"
GROUP_SUMMARY = "one story with the same characters in every panel"


def joint_caption(panel_prompts: list[str]) -> str:
    """One caption for a left-to-right row of panels; a single panel is just its prompt."""
    if not panel_prompts:
        raise ValueError("joint_caption needs at least one panel prompt")
    if len(panel_prompts) == 1:
        return panel_prompts[0]
    tagged = " ".join(
        f"{PANEL_TAG.format(index=i)} {prompt.strip()}" for i, prompt in enumerate(panel_prompts, start=1)
    )
    return f"{len(panel_prompts)} panels, left to right. {tagged}"


def incontext_caption(panel_prompts: list[str], summary: str = GROUP_SUMMARY, grid: bool = False) -> str:
    """One caption in In-Context LoRA's format (Huang et al. 2024): what the whole image shows,
    then each panel after its [IMAGEn] marker; FLUX.1 (and its IC-LoRAs) read this layout."""
    if len(panel_prompts) < 2:
        return joint_caption(panel_prompts)
    where = ", in a 2x2 grid read left to right, top to bottom," if grid else ", left to right,"
    parts = "; ".join(f"{IMAGE_TAG.format(index=i)} {p.strip().rstrip('.,;')}" for i, p in enumerate(panel_prompts, start=1))
    return f"This {NUMBER_NAMES[len(panel_prompts)]}-panel image{where} shows {summary.strip().rstrip('.,;')}; {parts}."


def group_caption(panel_prompts: list[str], style: str, grid: bool = False) -> str:
    """The joint caption in the style the model reads: "panels" (nano was trained on
    joint_caption) or "incontext" (FLUX.1)."""
    return incontext_caption(panel_prompts, grid=grid) if style == "incontext" else joint_caption(panel_prompts)


def split_joint_caption(caption: str) -> list[str]:
    """Inverse of joint_caption and incontext_caption, so each panel is judged against its own text."""
    incontext = PANEL_TAG.format(index=1) not in caption
    tag = IMAGE_TAG if incontext else PANEL_TAG
    if tag.format(index=1) not in caption:
        return [caption]
    parts: list[str] = []
    rest = caption.split(tag.format(index=1), 1)[1]
    index = 2
    while True:
        marker = tag.format(index=index)
        if marker not in rest:
            parts.append(rest.strip().rstrip(".").strip() if incontext else rest.strip())
            return parts
        head, rest = rest.split(marker, 1)
        parts.append(head.strip().rstrip(";").strip() if incontext else head.strip())
        index += 1


def fitted_sequence_length(tokenizer, prompts, buckets: list[int] | tuple[int, ...]) -> int:
    """The text length to pad these prompts to: the smallest bucket that holds the longest one
    (the largest bucket when none does; the pipeline truncates there).

    FluxPipeline pads every prompt to max_sequence_length and the transformer attends over the
    padding too. A one-panel nano caption is about 10 tokens: padded to a fixed 80, most of the
    transformer's tokens were padding. A model trained with the same buckets (chatdit.json
    "sequence_buckets") never sees a padding length it would not get at inference.
    """
    texts = [prompts] if isinstance(prompts, str) else [p for p in prompts if p is not None]
    longest = max((len(tokenizer(text).input_ids) for text in texts), default=0)
    return next((b for b in sorted(buckets) if b >= longest), max(buckets))


def defaults_text_length(pipe, defaults: dict, prompts) -> int:
    """The text length for a pipeline folder's chatdit.json defaults, as the hub picks it: fitted
    to the sequence buckets when the model lists them, else its fixed max_sequence_length."""
    buckets = defaults.get("sequence_buckets") or [defaults.get("max_sequence_length", 512)]
    return fitted_sequence_length(pipe.tokenizer_2, prompts, buckets)
