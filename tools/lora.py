"""In-Context LoRA presets as a tool: a named task (movie shots, font design, ...) drawn as one
multi-panel canvas under its LoRA and its trained caption format, then split into one asset a panel.

On a model the LoRAs do not fit (nano, schnell) the panels are still drawn jointly, as a row
under the model's own joint caption, and the output says the preset's LoRA was not used.
"""

from __future__ import annotations

from pathlib import Path

from chatdit.tools.generate import GroupArgs, Panel, SizeArgs, check_canvas, joint_grid
from chatdit.tools.registry import ToolContext, ToolOutput, register
from pydantic import Field

from chatdit.dit.canvas import split_panels
from chatdit.dit.captions import GROUP_SUMMARY, group_caption
from chatdit.dit.hub import snap_size
from chatdit.dit.lora_presets import apply_lora, disable_loras, get_preset, lora_compatible, panel_size, preset_caption, split_grid
from chatdit.errors import ToolArgumentError


class InContextArgs(SizeArgs):
    preset: str = Field(description="movie-shots, font-design, portrait-photography, sandstorm, ...")
    summary: str = Field(min_length=1, description="what the whole set shows, the caption's opening")
    panels: list[Panel] = Field(min_length=1, max_length=4)
    scale: float = Field(default=1.0, ge=0.0, le=2.0, description="LoRA strength")


def uses_lora(ctx: ToolContext) -> bool:
    """The hub's model is FLUX.1-dev (what the presets were trained on) or lora_source is a local
    folder the person filled for their own model."""
    return lora_compatible(ctx.hub) or Path(ctx.hub.settings.lora_source).expanduser().is_dir()


@register("incontext", InContextArgs)
def incontext(args: InContextArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Draw a set of panels with an In-Context LoRA preset (storyboard, font design, portraits...)."""
    preset = get_preset(args.preset)
    if len(args.panels) != preset.panels:
        raise ToolArgumentError(f"the {preset.name} preset draws exactly {preset.panels} panels; "
                                f"the plan gave {len(args.panels)}")
    lora = uses_lora(ctx)
    if lora:
        if lora_compatible(ctx.hub):  # the size the authors recommend, split by the grid
            width, height = (snap_size(v, what) for v, what in
                             zip(panel_size(preset, args.width, args.height), ("width", "height")))
        else:
            width, height = args.panel_size(ctx)
        caption = preset_caption(preset, args.summary, [panel.prompt for panel in args.panels])
        canvas_w, canvas_h = width * preset.cols, height * preset.rows
        check_canvas(ctx, len(args.panels), width, height)
    else:
        grid = joint_grid(ctx, len(args.panels), *args.panel_size(ctx))
        caption = group_caption([panel.prompt for panel in args.panels], ctx.hub.info.caption_style, grid.rows > 1)
        canvas_w, canvas_h = grid.size
    pipe = ctx.hub.text2image()
    kwargs = ctx.hub.call_kwargs(pipe, width=canvas_w, height=canvas_h, seed=args.seed, steps=args.steps,
                                 progress=ctx.progress, cancel=ctx.cancel, prompt=caption,
                                 scenes=[panel.scene or panel.prompt for panel in args.panels])
    try:
        if lora:
            apply_lora(pipe, preset, str(Path(ctx.hub.settings.lora_source).expanduser())
                       if Path(ctx.hub.settings.lora_source).expanduser().is_dir() else ctx.hub.settings.lora_source,
                       scale=args.scale)
        canvas = ctx.hub.draw(pipe, kwargs)
    finally:
        if lora:
            disable_loras(pipe)
    images = split_grid(canvas, preset) if lora else split_panels(canvas, grid.count, grid)
    meta = {"preset": preset.name, "joint_caption": caption,
            "lora": f"{ctx.hub.settings.lora_source}/{preset.weight_name}" if lora else None}
    if not lora:
        meta["lora_skipped"] = f"{ctx.hub.info.name} is not FLUX.1-dev; drawn jointly without the LoRA"
    return [ToolOutput(image=image, page=panel.page, prompt=panel.prompt, seed=args.seed,
                       steps=kwargs["num_inference_steps"], meta={**meta, "panel": index + 1})
            for index, (panel, image) in enumerate(zip(args.panels, images))]


def lora_file_at_hand(source: str, weight_name: str) -> bool:
    """Whether a LoRA file is in a local folder or already in the Hugging Face cache: a group is
    never held up by a download it did not ask for."""
    folder = Path(source).expanduser()
    if folder.is_dir():
        return (folder / weight_name).is_file()
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(source, weight_name), str)


def group_with_lora(args: GroupArgs, ctx: ToolContext) -> list[ToolOutput] | None:
    """A group drawn under the In-Context LoRA named by `group_lora` (film storyboard: consistent
    characters across scenes) when the model takes it, the panel count is the preset's and the
    file is at hand; None otherwise (the group is drawn without it)."""
    name = ctx.hub.settings.group_lora
    if not name or not uses_lora(ctx):
        return None
    preset = get_preset(name)
    if len(args.panels) != preset.panels or not lora_file_at_hand(ctx.hub.settings.lora_source, preset.weight_name):
        return None
    return incontext(InContextArgs(preset=preset.name, summary=GROUP_SUMMARY, panels=args.panels, seed=args.seed,
                                   width=args.width, height=args.height, steps=args.steps), ctx)
