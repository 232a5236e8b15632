"""Planners for the toolkit's task kinds: layout, face swap, and In-Context LoRA presets.

- "layout": boxes from the Instruction -> one `layout` step per picture;
- "faceswap": a face picture + a source video -> one `faceswap` step, only with consent;
- a request that names an In-Context LoRA preset ("as movie shots", "a font design sheet") -> one
  `incontext` step (agents/planning.py asks for it before any other planner).
"""

from __future__ import annotations

from chatdit.agents import planner as base
from chatdit.agents.planner import PlanContext, _size_args, describe_page, pages_of
from chatdit.tools.faceswap import FaceSwapArgs, SourceFace
from chatdit.tools.generate import Panel
from chatdit.tools.layout import LayoutArgs
from chatdit.tools.lora import InContextArgs

from chatdit.errors import ConsentRequiredError, InstructionError
from chatdit.schema import Instruction, Plan, Step, ToolCall

CONSENT_MESSAGE = ("face swap needs the consent of the person whose face is used. If they agreed, say so "
                   "('swap my face into clip.mp4, I have consent'); nothing was generated")


def plan_layout(instruction: Instruction, ctx: PlanContext) -> Plan:
    """Each picture drawn once with every phrase in its box (regional attention), front to back."""
    if not instruction.layout:
        return base.plan_new_images(instruction.model_copy(update={"task": "generate"}), ctx)
    pages = pages_of(instruction)
    numbered = len(pages) > 1 or instruction.collection == "book"
    scene = ", ".join(filter(None, [instruction.background, instruction.style]))
    steps = []
    for index, page in enumerate(pages):
        args = LayoutArgs(boxes=instruction.layout, prompt=scene, seed=ctx.seed + index,
                          page=page.number if numbered else None, **_size_args(ctx, instruction))
        where = "; ".join(f"{box.phrase} at {tuple(round(v, 2) for v in box.box)}" for box in instruction.layout)
        steps.append(Step(id=f"s{index + 1}", call=ToolCall.of("layout", args),
                          purpose=f"{'page ' + str(page.number) if numbered else 'the picture'} with {where}",
                          pages=[page.number] if numbered else []))
    return Plan(steps=steps, rationale=f"{len(instruction.layout)} phrase(s) placed in their boxes "
                                     "(regional attention; the places in words on a model it does not help)")


def plan_faceswap(instruction: Instruction, ctx: PlanContext) -> Plan:
    """One faceswap step: the attached face picture(s) into the attached video, consent first."""
    videos = [item.asset_id for item in ctx.inputs if item.role == "source_video"]
    faces = [item.asset_id for item in ctx.inputs if item.role != "source_video"]
    if not videos:
        raise InstructionError("attach the video to swap the face into (MP4, MOV, WebM or GIF)")
    if not faces:
        raise InstructionError("attach a clear, front-facing photo of the face to put into the video")
    if len(videos) > 1:
        raise InstructionError("attach one video at a time; face swap works on a single clip")
    if not instruction.consent:
        raise ConsentRequiredError(CONSENT_MESSAGE)
    consent = {"consent": True} | ({"consent_by": instruction.consent_note} if instruction.consent_note else {})
    args = FaceSwapArgs(video=videos[0], faces=[SourceFace(image=face, **consent) for face in faces[:3]], seed=ctx.seed,
                        **({"steps": ctx.steps} if ctx.steps else {}))
    step = Step(id="s1", call=ToolCall.of("faceswap", args),
                purpose=f"put the face from {len(faces[:3])} picture(s) into the video, watermarked")
    return Plan(steps=[step], rationale="face swap with consent: WanVACE redraws the masked face region chunk by chunk")


def preset_plan(instruction: Instruction, ctx: PlanContext) -> Plan | None:
    """An `incontext` step when the request names a preset and its pages fit the preset's panels."""
    from chatdit.dit.lora_presets import pick_preset

    if ctx.inputs or instruction.targets:
        return None
    preset = pick_preset(" ".join(filter(None, [instruction.prompt, instruction.style])))
    if preset is None:
        return None
    pages = pages_of(instruction)
    cards = base.cards_for(instruction, ctx.cards)
    if len(pages) == preset.panels:
        prompts, numbers = [describe_page(page, instruction, cards) for page in pages], [p.number for p in pages]
    elif len(pages) == 1 and not instruction.pages:
        prompts, numbers = [instruction.prompt] * preset.panels, list(range(1, preset.panels + 1))
    else:
        return None
    scenes = [instruction.page_scene(number) for number in numbers]  # what each panel shows, understood
    panels = [Panel(prompt=prompt, page=number, **({"scene": scene} if scene else {}))
              for prompt, number, scene in zip(prompts, numbers, scenes)]
    args = InContextArgs(preset=preset.name, summary=instruction.prompt, panels=panels, seed=ctx.seed,
                         **_size_args(ctx, instruction))
    step = Step(id="s1", call=ToolCall.of("incontext", args), pages=numbers,
                purpose=f"{preset.panels} panels jointly with the {preset.title} In-Context LoRA")
    return Plan(steps=[step], rationale=f"the request names the {preset.title} preset")
