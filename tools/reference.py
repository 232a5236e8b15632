"""Reference-conditioned generation: known panels hold the references, the rest are filled.

This is ChatDiT's in-context path: the references (attached pictures, character cards, earlier
pages) sit on the left of one canvas, the new panels are masked, and a Fill (or inpaint) DiT
draws them while attending to the known panels under one joint caption.
"""

from __future__ import annotations

from chatdit.tools.generate import Panel, SizeArgs, check_canvas
from chatdit.tools.registry import ToolContext, ToolOutput, register
from pydantic import Field, model_validator

from chatdit.dit.canvas import known_and_mask, split_panels
from chatdit.dit.captions import joint_caption


class ReferenceArgs(SizeArgs):
    references: list[str] = Field(min_length=1, description="asset ids of the pictures to condition on")
    reference_prompts: list[str] = Field(default_factory=list, description="what each reference shows")
    panels: list[Panel] = Field(min_length=1)

    @model_validator(mode="after")
    def prompts_match(self) -> "ReferenceArgs":
        if self.reference_prompts and len(self.reference_prompts) != len(self.references):
            raise ValueError(f"{len(self.references)} references but {len(self.reference_prompts)} reference prompts")
        return self


@register("reference", ReferenceArgs)
def reference(args: ReferenceArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Draw new pictures conditioned on earlier ones (attached images, character cards, pages)."""
    width, height = args.panel_size(ctx)
    count = len(args.references) + len(args.panels)
    check_canvas(ctx, count, width, height)
    known = [ctx.load_image(asset_id) for asset_id in args.references]
    canvas, mask = known_and_mask(known, len(args.panels), width, height)
    ref_prompts = args.reference_prompts or ["the reference picture"] * len(args.references)
    caption = joint_caption(ref_prompts + [panel.prompt for panel in args.panels])
    pipe = ctx.hub.fill()
    extra = {"prompt": caption, "image": canvas, "mask_image": mask, "strength": 1.0}
    kwargs = ctx.hub.call_kwargs(pipe, width=canvas.width, height=height, seed=args.seed, steps=args.steps,
                                 progress=ctx.progress, cancel=ctx.cancel, **extra)
    result = pipe(**kwargs).images[0]
    outputs = split_panels(result, count)[len(args.references):]
    return [
        ToolOutput(image=image, page=panel.page, prompt=panel.prompt, seed=args.seed,
                   steps=kwargs["num_inference_steps"], parents=list(args.references),
                   meta={"joint_caption": caption, "panel": len(args.references) + index + 1})
        for index, (panel, image) in enumerate(zip(args.panels, outputs))
    ]
