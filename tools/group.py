"""The group tool: several consistent pictures drawn jointly as panels of one canvas (under the
In-Context LoRA set by `group_lora` when the model takes it), split into one asset each."""

from __future__ import annotations

from chatdit.tools.generate import GroupArgs, joint_grid
from chatdit.tools.lora import group_with_lora
from chatdit.tools.registry import ToolContext, ToolOutput, register

from chatdit.dit.canvas import split_panels
from chatdit.dit.captions import group_caption


@register("group", GroupArgs)
def group(args: GroupArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Draw several consistent pictures jointly as panels of one canvas, split into one asset each."""
    if (drawn := group_with_lora(args, ctx)) is not None:
        return drawn
    grid = joint_grid(ctx, len(args.panels), *args.panel_size(ctx))
    caption = group_caption([panel.prompt for panel in args.panels], ctx.hub.info.caption_style, grid.rows > 1)
    pipe = ctx.hub.text2image()
    width, height = grid.size
    kwargs = ctx.hub.call_kwargs(pipe, width=width, height=height, seed=args.seed, steps=args.steps,
                                 progress=ctx.progress, cancel=ctx.cancel, prompt=caption,
                                 scenes=[panel.scene or panel.prompt for panel in args.panels])
    canvas = ctx.hub.draw(pipe, kwargs)
    return [
        ToolOutput(image=image, page=panel.page, prompt=panel.prompt, seed=args.seed,
                   steps=kwargs["num_inference_steps"], meta={"joint_caption": caption, "panel": index + 1})
        for index, (panel, image) in enumerate(zip(args.panels, split_panels(canvas, grid.count, grid)))
    ]
