"""Turn an Instruction into a Plan of tool calls, grouping outputs the way in-context DiTs work best.

ChatDiT's referencing rules, fixed and extended:
- one new image: a single `generate` step (ChatDiT crashes on this case);
- 2..max_panels new images: one `group` step, all panels on one canvas with a joint caption;
- more: the first group jointly, every later chunk a `reference` step conditioned on the first
  group (through the character cards' pictures), with no upper cap;
- k attached images: every output conditioned on all k (`reference` steps);
- a redo of "page 3": that page alone, conditioned on the character cards.

A reference to a picture that does not exist yet is an `AssetRef(page=N)`, resolved by the
executor once the step that makes page N has run. Every call is built through its tool's argument
model, so a page number travels as a number from the Instruction to the asset.
"""

from __future__ import annotations

import re

from chatdit.tools.edit import EditArgs
from chatdit.tools.generate import GenerateArgs, GroupArgs, Panel
from chatdit.tools.inpaint import InpaintArgs
from chatdit.tools.reference import AssetRef, ReferenceArgs
from pydantic import BaseModel, Field

from chatdit.edits import edit_spec_of, edited_prompt, edits_in_place
from chatdit.errors import InstructionError, PageReferenceError
from chatdit.scenes import edited
from chatdit.schema import (
    Asset,
    CharacterCard,
    CharacterSpec,
    EditSpec,
    Instruction,
    PageEntry,
    PageSpec,
    Plan,
    Scene,
    Step,
    Target,
    ToolCall,
)

MAX_REFERENCES_PER_CANVAS = 2
"""Leave room for at least two generated panels next to the references in a 4-panel canvas."""


class InputAsset(BaseModel):
    asset_id: str
    role: str = "reference"
    prompt: str | None = None


class LastOutput(BaseModel):
    """An earlier picture a message may change: the last one made, or a page of the book."""

    asset_id: str
    prompt: str
    page: int | None = None
    scene: Scene | None = Field(default=None, description="what it was asked to show, understood")


class PlanContext(BaseModel):
    """What the planner may know about the session besides the instruction."""

    book: dict[int, PageEntry] = Field(default_factory=dict)
    cards: dict[str, CharacterCard] = Field(default_factory=dict)
    inputs: list[InputAsset] = Field(default_factory=list)
    last: LastOutput | None = None
    seed: int = 0
    max_panels: int = 4
    width: int | None = None
    height: int | None = None
    steps: int | None = None


def describe_page(page: PageSpec, instruction: Instruction, cards: dict[str, CharacterCard]) -> str:
    """The prompt a panel is drawn from: the page's words with characters described and the
    book's background and style added when the page does not say them itself."""
    prompt = page.prompt
    for name, card in cards.items():
        prompt = re.sub(rf"\[{re.escape(name)}\]", f"{name}, {card.description},", prompt, flags=re.IGNORECASE)
    prompt = re.sub(r"\[NC\]\s*", "", prompt)
    prompt = re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", prompt)).strip(" ,")
    for extra in (instruction.background, instruction.style):
        if extra and extra.lower() not in prompt.lower():
            prompt = f"{prompt}, {extra}"
    return prompt


def pages_of(instruction: Instruction) -> list[PageSpec]:
    """The outputs asked for, one PageSpec each, numbered from 1."""
    if instruction.pages:
        return sorted(instruction.pages, key=lambda page: page.number)
    return [PageSpec(number=i, prompt=instruction.prompt) for i in range(1, instruction.output_count + 1)]


MAX_IMPLIED_CHARACTERS = 2


def cards_for(instruction: Instruction, known: dict[str, CharacterCard]) -> dict[str, CharacterCard]:
    """Character cards this turn draws on: known ones, plus the ones the request defines. A book
    or storyboard with no named characters takes its first subjects ("a red fox") as characters."""
    cards = dict(known)
    characters = list(instruction.characters)
    if not characters and instruction.collection in ("book", "storyboard"):
        characters = [
            CharacterSpec(name=subject.name, description=" ".join(filter(None, [subject.color, *subject.attributes, subject.name])))
            for subject in instruction.subjects[:MAX_IMPLIED_CHARACTERS]
        ]
    for character in characters:
        existing = cards.get(character.name)
        cards[character.name] = CharacterCard(
            name=character.name,
            description=character.description,
            asset_id=existing.asset_id if existing else None,
            page=existing.page if existing else None,
            photo=existing.photo if existing else None,  # a photo hero stays one (chatdit/heroes.py)
            identity=existing.identity if existing else None,
        )
    return cards


def updated_cards(instruction: Instruction, known: dict[str, CharacterCard], chosen: list[Asset]) -> dict[str, CharacterCard]:
    """Cards gain the picture that first showed their character, and keep it afterwards."""
    cards = cards_for(instruction, known)
    for name, card in cards.items():
        if card.asset_id:
            continue
        showing = [a for a in chosen if a.page and name.lower() in (a.prompt or "").lower()] or [a for a in chosen if a.page]
        if showing:
            cards[name] = card.model_copy(update={"asset_id": showing[0].id, "page": showing[0].page})
    return cards


def card_ref(card: CharacterCard) -> AssetRef | None:
    """The picture a card points at: its asset, or the page this turn draws it on."""
    if card.asset_id:
        return AssetRef(asset_id=card.asset_id)
    return AssetRef(page=card.page) if card.page else None


def card_references(page: PageSpec, cards: dict[str, CharacterCard], fallback: AssetRef | None) -> list[AssetRef]:
    """Pictures that show the characters on this page, at most MAX_REFERENCES_PER_CANVAS."""
    refs: list[AssetRef] = []
    names = page.characters or list(cards)
    for name in names:
        card = cards.get(name)
        ref = card_ref(card) if card else None
        if ref and ref not in refs:
            refs.append(ref)
    return refs[:MAX_REFERENCES_PER_CANVAS] or ([fallback] if fallback else [])


def _size_args(ctx: PlanContext, instruction: Instruction) -> dict:
    args = {"width": instruction.width or ctx.width, "height": instruction.height or ctx.height, "steps": ctx.steps}
    return {key: value for key, value in args.items() if value is not None}


def _panel(page: PageSpec, instruction: Instruction, cards: dict[str, CharacterCard], numbered: bool) -> Panel:
    """A page to draw: its prompt, number, and the scene the parser understood (the model draws
    from those fields; without them it reads the prompt)."""
    return Panel(prompt=describe_page(page, instruction, cards), page=page.number if numbered else None,
                 scene=instruction.page_scene(page.number))


def plan_new_images(instruction: Instruction, ctx: PlanContext) -> Plan:
    """New pictures, grouped into joint canvases; attached images condition every output."""
    pages = pages_of(instruction)
    cards = cards_for(instruction, ctx.cards)
    numbered = len(pages) > 1 or instruction.collection == "book"
    size = _size_args(ctx, instruction)
    conditioning = [AssetRef(asset_id=item.asset_id) for item in ctx.inputs if item.role != "source_video"]
    if len(conditioning) >= ctx.max_panels:
        raise InstructionError(
            f"{len(conditioning)} images were attached but one canvas holds {ctx.max_panels} panels; "
            f"attach at most {ctx.max_panels - 1} reference images"
        )
    steps: list[Step] = []
    if conditioning:
        chunk = ctx.max_panels - len(conditioning)
        prompts = [item.prompt or "the reference picture" for item in ctx.inputs if item.role != "source_video"]
        for start in range(0, len(pages), chunk):
            group = pages[start : start + chunk]
            steps.append(_reference_step(len(steps), conditioning, prompts, group, instruction, cards, numbered, size, ctx))
        return Plan(steps=steps, rationale=f"{len(pages)} output(s) conditioned on {len(conditioning)} attached image(s)")
    if len(pages) == 1:
        panel = _panel(pages[0], instruction, cards, numbered)
        args = GenerateArgs(prompt=panel.prompt, page=panel.page, scene=panel.scene, seed=ctx.seed, **size)
        steps.append(Step(id="s1", call=ToolCall.of("generate", args),
                          purpose="one picture", pages=[pages[0].number] if numbered else []))
        return Plan(steps=steps, rationale="a single image: one generate call")
    first, rest = pages[: ctx.max_panels], pages[ctx.max_panels :]
    steps.append(Step(
        id="s1",
        call=ToolCall.of("group", GroupArgs(panels=[_panel(p, instruction, cards, numbered) for p in first], seed=ctx.seed, **size)),
        purpose=f"pages {first[0].number}-{first[-1].number} drawn jointly on one canvas",
        pages=[p.number for p in first],
    ))
    anchors = {name: card.model_copy(update={"page": card.page or _first_page_showing(name, first)}) for name, card in cards.items()}
    index = 0
    while index < len(rest):
        refs = card_references(rest[index], anchors, fallback=AssetRef(page=first[0].number))
        chunk = ctx.max_panels - len(refs)
        group = rest[index : index + chunk]
        steps.append(_reference_step(len(steps), refs, _ref_prompts(refs, anchors), group, instruction, cards, numbered, size, ctx, depends_on=["s1"]))
        index += chunk
    rationale = f"{len(pages)} pages: the first {len(first)} jointly"
    if rest:
        rationale += f", the other {len(rest)} conditioned on them in {len(steps) - 1} more canvas(es)"
    return Plan(steps=steps, rationale=rationale)


def _first_page_showing(name: str, pages: list[PageSpec]) -> int:
    for page in pages:
        if name in page.characters or name.lower() in page.prompt.lower():
            return page.number
    return pages[0].number


def _shown_on(ref: AssetRef, cards: dict[str, CharacterCard]) -> str:
    """What a reference picture shows: every character whose card points at it."""
    return "; ".join(f"{card.name}, {card.description}" for card in cards.values() if card_ref(card) == ref)


def _ref_prompts(refs: list[AssetRef], cards: dict[str, CharacterCard]) -> list[str]:
    return [_shown_on(ref, cards) or "the earlier page" for ref in refs]


def _reference_step(index: int, refs: list[AssetRef], ref_prompts: list[str], pages: list[PageSpec], instruction: Instruction,
                    cards: dict[str, CharacterCard], numbered: bool, size: dict, ctx: PlanContext,
                    depends_on: list[str] | None = None) -> Step:
    panels = [_panel(p, instruction, cards, numbered) for p in pages]
    return Step(
        id=f"s{index + 1}",
        call=ToolCall.of("reference", ReferenceArgs(references=refs, reference_prompts=ref_prompts, panels=panels,
                                                    seed=ctx.seed + index, **size)),
        purpose=f"{'pages ' + ', '.join(str(p.number) for p in pages) if numbered else 'picture'} conditioned on {len(refs)} reference(s)",
        pages=[p.number for p in pages] if numbered else [],
        depends_on=depends_on or [],
    )


def _target_picture(target, ctx: PlanContext) -> LastOutput:
    """The picture a target names: its asset, prompt, page and understood scene."""
    if target.kind == "page":
        entry = ctx.book.get(target.page or 0)
        if entry is None:
            existing = ", ".join(map(str, sorted(ctx.book))) or "none yet"
            raise PageReferenceError(f"there is no page {target.page}; pages in this session: {existing}")
        return LastOutput(asset_id=entry.asset_id, prompt=entry.prompt, page=target.page, scene=entry.scene)
    asset_id = target.asset_id if target.kind == "asset" else (ctx.last.asset_id if ctx.last else None)
    if asset_id is None:
        raise PageReferenceError("there is no earlier picture in this session to change yet; ask for one first")
    same = ctx.last is not None and ctx.last.asset_id == asset_id
    return LastOutput(asset_id=asset_id, prompt=ctx.last.prompt if same else "", page=ctx.last.page if ctx.last else None,
                      scene=ctx.last.scene if same else None)


def _edit_call(instruction: Instruction, spec: EditSpec, asset_id: str, prompt: str, page: int | None, seed: int,
               size: dict, scene: Scene | None = None) -> ToolCall:
    """inpaint for a region or a named object (task 'inpaint'); edit for a change the EditSpec
    understood ('make the sky darker'), which the tool receives with it, and with what the changed
    picture shows (`scene`), which the fill path draws."""
    common = {"image": asset_id, "page": page, "seed": seed, "spec": spec, **({"scene": scene} if scene else {}),
              **({"steps": size["steps"]} if "steps" in size else {})}
    if instruction.task == "inpaint" and not edits_in_place(spec):
        boxes = [box.box for box in instruction.layout]
        target = None if boxes else (instruction.subjects[0].name if instruction.subjects else None)
        if not boxes and target is None:
            raise InstructionError("say where to redraw: name an object ('redraw the fox') or give a box")
        return ToolCall.of("inpaint", InpaintArgs(**common, prompt=prompt, boxes=boxes, object=target))
    return ToolCall.of("edit", EditArgs(**common, instruction=spec.text, prompt=prompt))


def plan_redo(instruction: Instruction, ctx: PlanContext) -> Plan:
    """Change earlier outputs. A change to what a picture shows ('page 3: make the sky darker') or an
    inpaint request goes through the edit / inpaint tools on that picture; any other redo redraws the
    targeted page alone, conditioned on the character cards (or on the picture itself when the book
    has none), with the change added to its prompt."""
    steps: list[Step] = []
    size = _size_args(ctx, instruction)
    change = instruction.edit or instruction.prompt
    spec = instruction.edit_spec or edit_spec_of(change)  # an LLM backend may leave it out
    targets = list(instruction.targets) or [Target(kind="asset", asset_id=item.asset_id) for item in ctx.inputs
                                            if item.role == "edit_target"]
    if not targets and instruction.task in ("edit", "inpaint") and ctx.last:
        targets = [Target(kind="last")]
    for target in targets:
        picture = _target_picture(target, ctx)
        asset_id, base, page = picture.asset_id, picture.prompt, picture.page
        prompt = edited_prompt(base, spec) if change else base
        scene = edited(picture.scene, spec) if picture.scene else None  # drawn from fields, not the edited words
        seed = ctx.seed + len(steps)
        where = f"page {page}" if page else "the picture"
        if instruction.task == "inpaint" or edits_in_place(spec):
            call = _edit_call(instruction, spec, asset_id, prompt, page, seed, size, scene)
            steps.append(Step(id=f"s{len(steps) + 1}", call=call, purpose=f"{call.tool} {where}: {spec.text}",
                              pages=[page] if page else []))
            continue
        if target.kind == "page":
            ids = dict.fromkeys(card.asset_id for card in ctx.cards.values() if card.asset_id and card.asset_id != asset_id)
            refs = [AssetRef(asset_id=ref) for ref in ids][:MAX_REFERENCES_PER_CANVAS] or [AssetRef(asset_id=asset_id)]
            prompts = [_shown_on(ref, ctx.cards) or base for ref in refs]
        else:
            refs, prompts = [AssetRef(asset_id=asset_id)], [base or "the earlier picture"]
        args = ReferenceArgs(references=refs, reference_prompts=prompts, panels=[Panel(prompt=prompt, page=page, **({"scene": scene} if scene else {}))],
                             seed=seed, **size)
        steps.append(Step(
            id=f"s{len(steps) + 1}",
            call=ToolCall.of("reference", args),
            purpose=f"redo {where}: {change}",
            pages=[page] if page else [],
        ))
    if not steps:
        raise InstructionError("nothing to change: say which page or picture, e.g. 'page 2: make the sky darker'")
    return Plan(steps=steps, rationale="redo the named outputs alone, keeping the characters")
