"""How several panels are described to one DiT call, shared by the tools and nano training.

Joint generation (ChatDiT, In-Context LoRA, Group DiT) draws a row of panels on one canvas from
one caption; the model can only keep characters consistent if it was trained on, or prompted
in, the same caption format, so the format lives here and nowhere else.
"""

from __future__ import annotations

PANEL_TAG = "[PANEL-{index}]"


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


def split_joint_caption(caption: str) -> list[str]:
    """Inverse of joint_caption, used by the critic to judge each panel against its own text."""
    if "[PANEL-1]" not in caption:
        return [caption]
    parts: list[str] = []
    rest = caption.split("[PANEL-1]", 1)[1]
    index = 2
    while True:
        tag = PANEL_TAG.format(index=index)
        if tag not in rest:
            parts.append(rest.strip())
            return parts
        head, rest = rest.split(tag, 1)
        parts.append(head.strip())
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
