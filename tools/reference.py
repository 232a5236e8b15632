"""Reference-conditioned generation: known panels hold the references, the rest are filled.

This is ChatDiT's in-context path: the references (attached pictures, character cards, earlier
pages) sit on the left of one canvas, the new panels are masked, and a Fill (or inpaint) DiT
draws them while attending to the known panels under one joint caption.
"""

from __future__ import annotations

import re
from typing import Any

from chatdit.tools.generate import Panel, SizeArgs, joint_grid
from chatdit.tools.registry import ToolContext, ToolOutput, register
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chatdit.dit.canvas import known_and_mask, split_panels
from chatdit.dit.captions import group_caption
from chatdit.errors import ToolArgumentError


class AssetRef(BaseModel):
    """A picture a step draws on: an asset made earlier, or a page this turn makes, which the
    executor resolves to its asset once the step making it has run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    asset_id: str | None = Field(default=None, min_length=1)
    page: int | None = Field(default=None, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _from_saved_text(cls, value: Any) -> Any:
        """Plans saved before references were typed hold strings: an asset id, or '@page:N'."""
        if not isinstance(value, str):
            return value
        legacy = re.fullmatch(r"@page:(\d+)", value)
        return {"page": int(legacy.group(1))} if legacy else {"asset_id": value}

    @model_validator(mode="after")
    def _names_one_picture(self) -> AssetRef:
        if (self.asset_id is None) == (self.page is None):
            raise ValueError("a reference names either an asset_id or a page")
        return self


class ReferenceArgs(SizeArgs):
    references: list[AssetRef] = Field(min_length=1, description="the pictures to condition on")
    reference_prompts: list[str] = Field(default_factory=list, description="what each reference shows")
    panels: list[Panel] = Field(min_length=1)

    @model_validator(mode="after")
    def prompts_match(self) -> "ReferenceArgs":
        if self.reference_prompts and len(self.reference_prompts) != len(self.references):
            raise ValueError(f"{len(self.references)} references but {len(self.reference_prompts)} reference prompts")
        return self

    def reference_ids(self) -> list[str]:
        """The references' asset ids; a page reference left unresolved is an error naming it."""
        pending = [ref.page for ref in self.references if ref.asset_id is None]
        if pending:
            raise ToolArgumentError(f"the reference to page {pending[0]} was not resolved to a picture; "
                                    "run the plan through the executor, which resolves pages")
        return [ref.asset_id for ref in self.references if ref.asset_id]


@register("reference", ReferenceArgs)
def reference(args: ReferenceArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Draw new pictures conditioned on earlier ones (attached images, character cards, pages)."""
    grid = joint_grid(ctx, len(args.references) + len(args.panels), *args.panel_size(ctx))
    reference_ids = args.reference_ids()
    known = [ctx.load_image(asset_id) for asset_id in reference_ids]
    canvas, mask = known_and_mask(known, len(args.panels), grid.width, grid.height, grid)
    ref_prompts = args.reference_prompts or ["the reference picture"] * len(args.references)
    caption = group_caption(ref_prompts + [panel.prompt for panel in args.panels], ctx.hub.info.caption_style,
                            grid.rows > 1)
    pipe = ctx.hub.fill()
    extra = {"prompt": caption, "image": canvas, "mask_image": mask, "strength": 1.0,
             "scenes": [None] * len(reference_ids) + [panel.scene or panel.prompt for panel in args.panels]}
    kwargs = ctx.hub.call_kwargs(pipe, width=canvas.width, height=canvas.height, seed=args.seed, steps=args.steps,
                                 progress=ctx.progress, cancel=ctx.cancel, **extra)
    result = ctx.hub.draw(pipe, kwargs)
    outputs = split_panels(result, grid.count, grid)[len(args.references):]
    return [
        ToolOutput(image=image, page=panel.page, prompt=panel.prompt, seed=args.seed,
                   steps=kwargs["num_inference_steps"], parents=reference_ids,
                   meta={"joint_caption": caption, "panel": len(args.references) + index + 1})
        for index, (panel, image) in enumerate(zip(args.panels, outputs))
    ]
