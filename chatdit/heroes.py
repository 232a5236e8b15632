"""Photo heroes, training-free: a character card that holds a person's own picture of the hero.

`/attach rex.jpg as Rex`, `[Rex] rex.jpg` in a script or `session.add_card("Rex", "rex.jpg")`
stores the photo upright (EXIF) and cropped to its subject, and makes a card whose description
comes from the photo where chatdit can read it (the storybook world's detector names kind and
color: "a red fox"), so the page prompts say what the hero looks like. After the planner has
planned a turn, `with_hero_photos` redraws every new page that shows a hero through the
in-context reference path, with the photos of the heroes on that page, and only those, as known
panels (the inpaint path on nano, Fill on FLUX.1). The card lives in the graph state beside the
others, so undo and branch travel back through it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from chatdit.errors import ChatditError, InputImageError
from chatdit.schema import CharacterCard, CharacterSpec, Instruction, Plan, Step, Subject, ToolCall

if TYPE_CHECKING:
    from chatdit.tools.generate import Panel

CROP_MARGIN = 0.2
"""Share of the subject's box added on each side of the crop, so the hero is not cut at its edges."""
BACKGROUND_DISTANCE = 60
"""RGB distance from the border's median colour beyond which a pixel is taken as the subject."""
PALETTE_DISTANCE, PALETTE_SHARE = 40, 0.85
"""A pixel within this RGB distance of a world colour counts as one; this share of them makes a world picture."""
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9 _'-]{0,39}$")


def upright_photo(path: str | Path):
    """The photo turned upright by its EXIF orientation (Pillow ignores it unless asked), as RGB."""
    from PIL import ImageOps

    from chatdit.inputs import open_checked_image

    file = Path(path).expanduser()
    open_checked_image(file)  # the checks and their messages
    from PIL import Image

    with Image.open(file) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def subject_box(image) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the subject: the storybook detector's largest object on world pictures,
    else the pixels far from the border's colour; the whole picture when neither finds one."""
    import numpy as np

    from chatdit.storybook.detector import detect_scene

    objects = detect_scene(image).objects
    if objects:
        x0, y0, x1, y1 = max(objects, key=lambda o: o.area).bbox
        sx, sy = image.width / 64, image.height / 64
        return round(x0 * sx), round(y0 * sy), round(x1 * sx), round(y1 * sy)
    pixels = np.asarray(image, dtype=np.int32)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    far = np.linalg.norm(pixels - np.median(border, axis=0), axis=-1) > BACKGROUND_DISTANCE
    ys, xs = np.nonzero(far)
    if len(xs) < far.size * 0.01:
        return 0, 0, image.width, image.height
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def crop_to_subject(image):
    """A square crop around the subject with a margin, padded with the picture's own edge."""
    from PIL import ImageOps

    x0, y0, x1, y1 = subject_box(image)
    side = round(max(x1 - x0, y1 - y0) * (1 + 2 * CROP_MARGIN))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    box = (round(cx - side / 2), round(cy - side / 2), round(cx - side / 2) + side, round(cy - side / 2) + side)
    pad = max(0, -box[0], -box[1], box[2] - image.width, box[3] - image.height)
    padded = ImageOps.expand(image, border=pad, fill=image.getpixel((0, 0))) if pad else image
    return padded.crop(tuple(v + pad for v in box))


def is_storybook_picture(image) -> bool:
    """True when nearly every pixel is one of the storybook world's flat colours: only there does
    the world detector's reading of kind and colour mean anything."""
    import numpy as np

    from chatdit.storybook import BACKGROUNDS, COLORS

    palette = np.array([*COLORS.values(), *(c for pair in BACKGROUNDS.values() for c in pair)], dtype=np.float32)
    pixels = np.asarray(image.convert("RGB").resize((64, 64)), dtype=np.float32).reshape(-1, 1, 3)
    nearest = np.linalg.norm(pixels - palette[None], axis=-1).min(axis=1)
    return float((nearest < PALETTE_DISTANCE).mean()) >= PALETTE_SHARE


def world_words(color: str, kind: str) -> str:
    """'an orange bird', 'a purple fox'."""
    return f"{'an' if color[:1] in 'aeiou' else 'a'} {color} {kind}"


def describe_photo(image) -> tuple[str | None, str]:
    """(words for the hero, how they were found): the detector's kind and color on a storybook
    picture; None where chatdit cannot tell what the photo shows (then the person's words are used)."""
    from chatdit.storybook.detector import detect_scene

    if not is_storybook_picture(image):
        return None, "not a storybook-world picture: its look is not checked; describe it in words"
    objects = detect_scene(image).objects
    if not objects:
        return None, "not a storybook-world picture: its look is not checked; describe it in words"
    biggest = max(objects, key=lambda o: o.area)
    return world_words(biggest.color, biggest.kind), f"storybook world: {biggest.color} {biggest.kind} (detector score {biggest.score:.2f})"


def make_card(name: str, photo_asset: str, description: str | None, image) -> CharacterCard:
    """The card for a hero: the photo's own description unless the person gave one."""
    if not NAME.match(name.strip()):
        raise ChatditError(f"{name!r} cannot name a character: use letters, digits and spaces (up to 40), e.g. Rex")
    seen, how = describe_photo(image)
    words = description or seen
    if not words:
        raise InputImageError(f"chatdit cannot tell what the photo of {name} shows ({how}); "
                              f"say it: /attach PATH as {name}: a small brown dog")
    return CharacterCard(name=name.strip(), description=words, asset_id=photo_asset, photo=photo_asset, identity=how)


def save_cards(session, cards: dict[str, CharacterCard], message: str, images: list[str] | None = None,
               reply: str = "") -> None:
    session.commit_state(message, {"cards": {n: c.model_dump(mode="json") for n, c in cards.items()}}, images, reply)


def cards(session) -> dict[str, CharacterCard]:
    """The character cards at the session's head (photo heroes among them), by name."""
    return {n: CharacterCard.model_validate(c) for n, c in (session.state_after(session.record.head).get("cards") or {}).items()}


def add_card(session, name: str, photo: str | Path, description: str | None = None) -> CharacterCard:
    """Make `name` a photo hero: store the photo (upright, cropped to its subject) and make or
    replace `name`'s card, as a turn of its own."""
    from chatdit.schema import utc_now

    upright = upright_photo(photo)
    image = crop_to_subject(upright)
    asset = session.store.add_image(image, {"source": str(photo), "tool": "upload", "crop": "subject"},
                                    tool="upload", prompt=f"photo of {name}", created_at=utc_now())
    card = make_card(name, asset.id, description, upright)
    cards = session.cards()
    cards[card.name] = card
    save_cards(session, cards, f"/attach {photo} as {card.name}", [asset.id],
               f"{card.name} is a photo hero: {card.description} ({card.identity}); pages that name "
               f"{card.name} are drawn beside this photo.")
    return card


def edit_card(session, name: str, description: str) -> CharacterCard:
    """Change what a card says its character looks like; undo takes it back."""
    from chatdit.errors import SessionError

    cards = session.cards()
    if name not in cards:
        raise SessionError(f"no character card named {name!r}; cards: {', '.join(cards) or 'none yet'}")
    if not description.strip():
        raise ChatditError(f"say what {name} looks like, e.g. 'a small brown dog'")
    cards[name] = cards[name].model_copy(update={"description": description.strip()})
    save_cards(session, cards, f"/card {name}: {description.strip()}")
    return cards[name]


def heroes_on(prompt: str, cards: dict[str, CharacterCard]) -> list[CharacterCard]:
    """The cards with a photo whose name the page's prompt says."""
    return [card for card in cards.values()
            if card.photo and re.search(rf"\b{re.escape(card.name)}\b", prompt, re.IGNORECASE)]


def described(prompt: str, heroes: list[CharacterCard]) -> str:
    """The prompt with each hero's looks after its name where the page does not say them already
    ("Rex at the beach" -> "Rex, a purple fox, at the beach")."""
    for card in heroes:
        if card.description.lower() not in prompt.lower():
            prompt = re.sub(rf"\b{re.escape(card.name)}\b", f"{card.name}, {card.description},", prompt, count=1,
                            flags=re.IGNORECASE)
    return re.sub(r",\s*,", ",", prompt).strip(" ,")


def hero_subjects(instruction: Instruction, cards: dict[str, CharacterCard]) -> Instruction:
    """The instruction with each subject that names a photo hero ("rex") read as what its card
    shows ("fox", purple, character Rex), so the critic checks it and the reply does not call it
    undrawable. Subjects of cards whose look is not a world kind stay as they were."""
    from chatdit.storybook import world_color, world_kind

    by_name = {name.lower(): card for name, card in cards.items() if card.photo}

    def read(subject: Subject) -> Subject:
        card = by_name.get(subject.name.lower())
        if card is None:
            return subject
        words = card.description.split()
        kind = next((world_kind(w) for w in reversed(words) if world_kind(w)), None)
        if kind is None:
            return subject.model_copy(update={"character": card.name})
        color = next((world_color(w) for w in words if world_color(w)), None)
        if subject.color and world_color(subject.color) != color:  # 'Rex in blue': not his photo's look, so no identity
            return subject.model_copy(update={"name": kind})
        return subject.model_copy(update={"name": kind, "color": color, "character": card.name})

    def named(name: str) -> str:
        return by_name[name.lower()].name if name.lower() in by_name else name

    if not by_name:
        return instruction
    pages = [page.model_copy(update={"subjects": [read(s) for s in page.subjects],
                                     "characters": list(dict.fromkeys(map(named, page.characters)))})
             for page in instruction.pages]
    characters = {named(c.name): CharacterSpec(name=named(c.name), description=by_name[c.name.lower()].description)
                  if c.name.lower() in by_name else c for c in instruction.characters}  # 'rex' is the card Rex
    return instruction.model_copy(update={"subjects": [read(s) for s in instruction.subjects], "pages": pages,
                                          "characters": list(characters.values())})


def _panels_of(step: Step) -> list[Panel] | None:
    """The pictures a new-image step draws (read through the tool's argument model), else None."""
    from chatdit.tools.generate import GroupArgs, Panel
    from chatdit.tools.registry import args_of

    if step.call.tool not in ("group", "generate"):
        return None
    args = args_of(step.call)
    if isinstance(args, GroupArgs):
        return list(args.panels)
    return [Panel(prompt=args.prompt, page=args.page, **({"scene": args.scene} if args.scene else {}))]


def with_hero_photos(plan: Plan, cards: dict[str, CharacterCard], max_panels: int) -> Plan:
    """The plan with every new picture that shows a photo hero drawn beside that hero's photo:
    pages are grouped by the heroes they show, each group one reference canvas."""
    made: list[tuple[str, Step]] = []  # (the planned step's id, a step that replaces it)
    for step in plan.steps:
        panels = _panels_of(step)
        if not panels or not any(heroes_on(p.prompt, cards) for p in panels):
            made.append((step.id, step))
            continue
        groups: dict[tuple[str, ...], list[Panel]] = {}
        for panel in panels:
            shown = heroes_on(panel.prompt, cards)[: max_panels - 1]
            panel = panel.model_copy(update={"prompt": described(panel.prompt, heroes_on(panel.prompt, cards))})
            groups.setdefault(tuple(card.name for card in shown), []).append(panel)
        for names, group in groups.items():
            made += [(step.id, new) for new in _hero_steps(step, [cards[n] for n in names], group, max_panels)]
    if len(made) == len(plan.steps) and all(a is b for (_, a), b in zip(made, plan.steps)):
        return plan
    first_of: dict[str, str] = {}
    for index, (old, _) in enumerate(made):
        first_of.setdefault(old, f"s{index + 1}")
    steps = [new.model_copy(update={"id": f"s{index + 1}", "depends_on": [first_of.get(d, d) for d in new.depends_on]})
             for index, (_, new) in enumerate(made)]
    return plan.model_copy(update={"steps": steps, "rationale": plan.rationale + "; pages showing a photo hero drawn beside its photo"})


def _hero_steps(step: Step, heroes: list[CharacterCard], panels: list[Panel], max_panels: int) -> list[Step]:
    """One step per canvas for pages that show the same heroes (none: drawn as planned)."""
    from chatdit.tools.generate import GroupArgs
    from chatdit.tools.reference import AssetRef, ReferenceArgs
    from chatdit.tools.registry import args_of

    base = args_of(step.call).model_dump(include={"seed", "width", "height", "steps"}, exclude_unset=True)

    def named(pages: list[int]) -> str:
        return f"page{'s' if len(pages) > 1 else ''} {', '.join(map(str, pages))}" if pages else "picture"

    chunk = max_panels - len(heroes)
    out = []
    for start in range(0, len(panels), chunk):
        part = panels[start: start + chunk]
        pages = [p.page for p in part if p.page]
        if heroes:
            args = ReferenceArgs(**base, references=[AssetRef(asset_id=card.photo) for card in heroes], panels=part,
                                 reference_prompts=[f"{card.name}, {card.description}" for card in heroes])
            call = ToolCall.of("reference", args)
            purpose = f"{named(pages)} beside the photo(s) of {', '.join(c.name for c in heroes)}"
        else:
            call = ToolCall.of("group", GroupArgs(**base, panels=part))
            purpose = f"{named(pages)} drawn jointly"
        out.append(Step(id=step.id, call=call, purpose=purpose, pages=pages, depends_on=step.depends_on))
    return out
