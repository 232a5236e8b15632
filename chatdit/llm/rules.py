"""The offline `rules` parser: a chat message -> Instruction, deterministically, with no model.

It reads what a picture-book maker or a benchmark prompt says: how many pictures and of what
kind (book, storyboard, variations), per-page lists, references to earlier pages, attached
images' roles, sizes, places in the picture, and the subjects (see chatdit.llm.subjects).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chatdit.consent import consent_given
from chatdit.edits import edit_spec_of
from chatdit.errors import InstructionError
from chatdit.inputs import check_message
from chatdit.llm.counts import (
    check_long_numbers,
    check_page_count_words,
    check_page_reference,
    check_subject_counts,
    number_of,
    page_number,
)
from chatdit.llm.scenery import find_background, without_settings
from chatdit.llm.story import Cast, carry_descriptions, header_props, named_characters, page_scene, story_pages, subjects_of_pages
from chatdit.llm.subjects import describe, parse_subjects, places_of
from chatdit.llm.vocab import NUMBER_WORDS
from chatdit.schema import MAX_PAGES, CharacterSpec, Instruction, LayoutBox, PageSpec, Subject, Target

NUMBER_WORDS_RE = "|".join(sorted((w for w in NUMBER_WORDS if w not in ("a", "an", "no", "pair", "couple")), key=len, reverse=True))
NUMBER = rf"(\d+|{NUMBER_WORDS_RE})"
ANY_NUMBER = rf"(?:\d+|{NUMBER_WORDS_RE})"
CHAT_PREFIX = re.compile(
    r"^(?:(?:hi|hey|hello|ok|okay|now|so|then|next|also|and)[,!.]?\s+)*(?:please\s+)?(?:(?:can|could|would|will) you\s+)?"
    r"(?:please\s+)?(?:(?:make|create|draw|generate|paint|render|produce|design|illustrate|give|show|write|sketch)"
    r"(?:\s+(?:me|us))?\s+)?(?:please\s+)?", re.IGNORECASE)
MEDIUM_PREFIX = re.compile(
    r"^(?:an?\s+)?(?:photo|photograph|picture|image|painting|drawing|illustration|render|sketch|snapshot|shot|"
    r"close-?up|portrait)\s+(?:of|showing|with)\s+", re.IGNORECASE)
STYLE_PATTERNS = [
    r"in (?:the )?style of [\w\s'-]+?(?=[,.;]|$)", r"in (?:a |an )?[\w-]+ style", r"(?<![\w-])[\w-]+ style\b",
    r"\b(?:watercolou?r|oil painting|pixel art|comic book|anime|cartoon|photorealistic|3d render|pencil sketch|"
    r"line art|claymation|low poly)\b",
]
STORY_WORDS = re.compile(r"\b(?:(?:picture|story|bedtime|children'?s)\s+)?(?:book|story|tale|storybook)\b", re.IGNORECASE)
TITLE_LINE = re.compile(r"^[ \t]*title[ \t]*:.*$", re.IGNORECASE | re.MULTILINE)
HERO_LABEL = re.compile(r"\b(?:the\s+)?(?:hero|main character|protagonist|star)\s*(?:is|:)\s*", re.IGNORECASE)
NOUN_UNITS = r"(?:pages?|panels?|images?|pictures?|illustrations?|drawings?|frames?|scenes?|shots?|photos?|versions?|variations?|variants?|options?|takes?)"
EDIT_VERBS = r"(?:make|turn|change|add|remove|delete|erase|replace|give|put|move|recolou?r|brighten|darken|fix|redo|redraw|regenerate|swap|let|set|use|show|draw|shift|enlarge|shrink)"
INPAINT_VERBS = re.compile(r"^\s*(?:remove|delete|erase|replace|get rid of|take out)\b", re.IGNORECASE)
LAST_REFERENCE = re.compile(
    r"\b(?:the (?:last|previous|latest|final) (?:one|image|picture|page|photo|drawing)|the last one|"
    r"(?:this|that) (?:one|image|picture|photo|drawing)|(?:make|turn) (?:it|this|that|them)\b|\bit (?:more|less)\b)",
    re.IGNORECASE)
FACESWAP = re.compile(r"\b(?:face ?swap|swap (?:my|the|his|her|their|this) face|put my face|replace (?:the|his|her|their) face|"
                      r"my face (?:in|into|onto|on))\b", re.IGNORECASE)
PAGE_MARKER = re.compile(r"(?:^|(?<=[\n;.]))[^\S\n]*(?:page|panel|shot|scene|frame|image|picture)\s*#?(\d+)\s*[:.)-]\s*", re.IGNORECASE)
# 'page 1 the fox at sunset, page 2 the fox at night': markers inside a sentence, after a comma or
# colon, with or without their own colon; trusted only when they count 1, 2, 3... in order
INLINE_PAGE_MARKER = re.compile(r"(?:^|(?<=[\n;.,:]))[^\S\n]*(?:and\s+)?(?:on\s+)?(?:page|panel)\s*#?(\d+)\s*[:.)-]?\s+",
                                re.IGNORECASE)
NUMBERED_LINE = re.compile(r"^\s*(\d+)\s*[.):]\s+(.+)$")
INLINE_NUMBER = re.compile(r"(?:^|(?<=[\s;,:.]))\(?([1-9]\d?)[.)]\s+(?=[A-Za-z\[])")
"""'1) the dragon in her kitchen 2) she burns the first batch': numbers counting 1, 2, 3... in one line."""
DEDICATION = re.compile(r"\bfor (?:my|our|a|an|the)\s+(?:little\s+|\d+[- ]year[- ]old\s+)?(?:daughter|son|kids?|children|child|"
                        r"grand(?:son|daughter|kids?|children)|niece|nephew|class|students?|toddler|baby|boy|girl)\b",
                        re.IGNORECASE)
"""'a picture book for my daughter': who the book is for, not who is in it."""
CHARACTER_LINE = re.compile(r"^\s*\[(\w[\w '-]*)\]\s*([^\[#].*)$")
SIZE = re.compile(r"(?<![\w.])(\d+)\s*(?:x|×|by)\s*(\d+)\s*(px|pixels)?\b", re.IGNORECASE)

PLACE_BOXES = {
    "top left": (0.0, 0.0, 0.5, 0.5), "top right": (0.5, 0.0, 1.0, 0.5),
    "bottom left": (0.0, 0.5, 0.5, 1.0), "bottom right": (0.5, 0.5, 1.0, 1.0),
    "left": (0.0, 0.2, 0.5, 1.0), "right": (0.5, 0.2, 1.0, 1.0),
    "top": (0.2, 0.0, 0.8, 0.5), "bottom": (0.2, 0.5, 0.8, 1.0), "center": (0.25, 0.25, 0.75, 0.75),
}
DEFAULT_BOOK_PAGES = 4


@dataclass
class Collection:
    kind: str = "single"
    count: int = 1
    topic: str = ""


@dataclass
class Listed:
    """Pages the message lists one by one, and characters it defines ('[Bob] a man in a suit')."""

    pages: list[PageSpec] = field(default_factory=list)
    characters: list[CharacterSpec] = field(default_factory=list)
    header: str = ""


def check_count(count: int, unit: str) -> int:
    if count < 1:
        raise InstructionError(f"{count} {unit}s is nothing to make; ask for at least one")
    if count > MAX_PAGES:
        raise InstructionError(f"{count} {unit}s is more than chatdit makes in one request (at most {MAX_PAGES}); "
                               "ask for fewer, or make the book in parts")
    return count


def strip_chat(text: str) -> str:
    text = CHAT_PREFIX.sub("", text.strip(), count=1)
    return MEDIUM_PREFIX.sub("", text, count=1).strip()


def find_collection(text: str) -> Collection:
    """Book / storyboard / variations / a set of N, with the count and what it is about."""
    lowered = text.lower()
    check_page_count_words(lowered)
    patterns = [
        (rf"\b{NUMBER}[- ](?:page|pages)\s+(?:long\s+)?(?:illustrated\s+|children'?s\s+|kids'?\s+)?(?:picture\s*|story\s*|comic\s*)?(?:book|story|storybook|comic)\b", "book"),
        (rf"\b(?:picture\s*|story\s*|children'?s\s+)?(?:book|storybook|story|comic)\s+(?:with|of|in)\s+{NUMBER}\s+(?:pages|panels|chapters)\b", "book"),
        (rf"\bstoryboard\s+(?:of|with|in)\s+{NUMBER}\s+(?:shots|panels|frames|scenes|images)\b", "storyboard"),
        (rf"\b{NUMBER}[- ](?:shot|panel|frame|scene)\s+(?:storyboard|comic|strip|comic strip)\b", "storyboard"),
        (rf"\b(?:comic|comic strip|strip)\s+(?:of|with|in)\s+{NUMBER}\s+(?:panels|frames|pages|scenes|pictures|images)\b", "storyboard"),
        (rf"\b(?:story|tale)\s+(?:\w+\s+){{0,3}}(?:in|with|as)\s+{NUMBER}\s+(?:pictures|images|illustrations|scenes|parts)\b", "book"),
        (rf"\b{NUMBER}\s+(?:pages|panels)\s+(?:about|of|on|for|telling)\b", "book"),  # 'six pages about a snowman'
        (rf"\b{NUMBER}\s+(?:variations|versions|variants|options|alternatives|takes)\b", "variations"),
        (rf"\b{NUMBER}\s+{NOUN_UNITS}\b", "set"),
    ]
    for pattern, kind in patterns:
        match = re.search(pattern, lowered)
        if match:
            count = number_of(match.group(1))
            unit = "page" if kind == "book" else "image"
            check_count(count, unit)
            topic = (text[: match.start()] + " " + text[match.end():]).strip()
            return Collection(kind=kind, count=count, topic=clean_topic(topic))
    if re.search(r"\b(?:picture\s*book|story\s*book|storybook|children'?s book)\b", lowered):
        topic = re.sub(r"\b(?:an?\s+)?(?:picture\s*book|story\s*book|storybook|children'?s book)\b", " ", text, flags=re.IGNORECASE)
        return Collection(kind="book", count=DEFAULT_BOOK_PAGES, topic=clean_topic(topic))
    if re.match(r"^\s*(?:an?\s+|the\s+)?(?:[a-z'-]+\s+){0,2}(?:book|story|tale|comic)\s+(?:about|of|for)\b", lowered):
        topic = re.sub(r"^.*?\b(?:book|story|tale|comic)\s+(?:about|of|for)\s+", "", text, count=1, flags=re.IGNORECASE)
        return Collection(kind="book", count=DEFAULT_BOOK_PAGES, topic=clean_topic(topic))
    if re.search(r"\b(?:storyboard|comic strip)\b", lowered):
        topic = re.sub(r"\b(?:an?\s+)?(?:storyboard|comic strip)\b", " ", text, flags=re.IGNORECASE)
        return Collection(kind="storyboard", count=DEFAULT_BOOK_PAGES, topic=clean_topic(topic))
    return Collection(topic=text)


def clean_topic(topic: str) -> str:
    """'a six-page book about a fox' -> 'a fox': drop the connecting words around the topic."""
    topic = re.sub(r"^\s*(?:an?|the)\s*$", "", topic.strip(), flags=re.IGNORECASE)
    # 'a one-page book: a star' leaves 'a : a star' (the article of the book, then its colon)
    topic = re.sub(r"(^|\s)(?:an?|the)\s*[,:;\u2013\u2014-]+\s+", r"\1", topic, count=1, flags=re.IGNORECASE)
    topic = re.sub(r"^[\s,:;-]*(?:an?\s+)?(?:that is |which is )?(?:about|of|on|showing|featuring|starring|with|where|in which|for|telling)\s+",
                   "", topic, flags=re.IGNORECASE)
    topic = re.sub(r"^(?:an?|the)\s+(?=(?:about|of|showing|featuring)\b)", "", topic, flags=re.IGNORECASE)
    topic = re.sub(r"^(?:about|of|showing|featuring)\s+", "", topic.strip(), flags=re.IGNORECASE)
    return topic.strip(" ,.;:")


def find_style(text: str) -> tuple[str | None, str]:
    for pattern in STYLE_PATTERNS:
        match = re.search(pattern, text, flags=re.IGNORECASE)
        if match:
            rest = (text[: match.start()] + text[match.end():]).strip()
            return match.group(0).strip().lower(), re.sub(r"\s{2,}", " ", rest).strip(" ,")
    return None, text


def find_size(text: str) -> tuple[int | None, int | None, str]:
    match = SIZE.search(text)
    if not match:
        return None, None, text
    sides = match.group(1), match.group(2)
    if all(len(side) == 1 and side != "0" for side in sides) and not match.group(3):
        return None, None, text  # "a 3x3 grid" is not a size
    width, height = (number_of(side) for side in sides)
    if not (16 <= width <= 4096 and 16 <= height <= 4096):
        shown = "x".join(side if len(side) <= 9 else side[:9] + "..." for side in sides)
        raise InstructionError(f"{shown} is outside what chatdit makes (16 to 4096 px per side); ask for a size in that range")
    rest = re.sub(r"\s{2,}", " ", text[: match.start()] + text[match.end():]).strip(" ,")
    rest = re.sub(r"\b(?:at|in|of|sized?)\s*(?:pixels|px)?\s*$", "", rest).strip(" ,")
    return width, height, rest


SENTENCE_BREAK = r"(?<=[.!?])\s+"


def parts_of(text: str, pattern: str) -> list[str]:
    """The non-empty pieces of `text` split at `pattern`, without their edge punctuation."""
    return [part.strip(" ,.") for part in re.split(pattern, text) if part.strip(" ,.!?")]


def split_into(text: str, count: int, patterns: tuple[str, ...]) -> list[str] | None:
    """`text` in exactly `count` pieces, split at the first of `patterns` that gives that many."""
    return next((parts for parts in (parts_of(text, pattern) for pattern in patterns) if len(parts) == count), None)


def colon_list(topic: str, count: int, after_colon: bool = False) -> tuple[str, list[PageSpec]] | None:
    """'a fish story with three pages: swimming, sleeping at night, jumping at sunset': exactly
    `count` pages listed after a colon, one per comma (or one per sentence: `after_colon` when the
    colon came before the topic, 'a story in 3 panels: a girl plants a seed. ...')."""
    head, colon, rest = topic.partition(":")
    patterns = (r",|;|\band then\b", SENTENCE_BREAK) if colon else (SENTENCE_BREAK,) if after_colon else ()
    items = split_into(rest if colon else topic, count, patterns) if count >= 2 else None
    if not items:
        return None
    items[-1] = re.sub(r"^and\s+", "", items[-1])
    return (head if colon else "").strip(), [PageSpec(number=i, prompt=item) for i, item in enumerate(items, start=1)]


def find_listed(text: str) -> Listed:
    """'page 1: ...; page 2: ...', numbered lines, or StoryDiffusion-style '[Bob] ...' blocks."""
    listed = Listed()
    lines = [line for line in text.splitlines() if line.strip()]
    defined: set[str] = set()
    body: list[str] = []
    for line in lines:
        match = CHARACTER_LINE.match(line)
        if match and not body and match.group(1) not in defined and match.group(1).upper() != "NC":
            listed.characters.append(CharacterSpec(name=match.group(1).strip(), description=match.group(2).strip(" ,")))
            defined.add(match.group(1))
        else:
            body.append(line)
    joined = "\n".join(body)
    markers = list(PAGE_MARKER.finditer(joined))
    for pattern in (INLINE_PAGE_MARKER, INLINE_NUMBER):
        inline = list(pattern.finditer(joined)) if len(markers) < 2 else []
        if len(inline) >= 2 and [int(m.group(1)) for m in inline] == list(range(1, len(inline) + 1)):
            markers = inline
    numbered = [(i, NUMBERED_LINE.match(line)) for i, line in enumerate(body)]
    numbered = [(i, m) for i, m in numbered if m]
    if len(markers) >= 2:
        listed.header = joined[: markers[0].start()]
        segments = [(int(m.group(1)), joined[m.end(): markers[i + 1].start() if i + 1 < len(markers) else len(joined)])
                    for i, m in enumerate(markers)]
    elif len(numbered) >= 2:
        listed.header = "\n".join(body[: numbered[0][0]])
        segments = [(int(m.group(1)), m.group(2)) for _, m in numbered]
    elif listed.characters and len(body) >= 1:
        segments = [(i, line) for i, line in enumerate(body, start=1)]
    else:
        return listed
    for position, (number, segment) in enumerate(segments, start=1):
        prompt, _, caption = segment.strip(" ;\n").partition("#")
        prompt = prompt.strip(" ;,.")
        names = [c.name for c in listed.characters if f"[{c.name.lower()}]" in prompt.lower()]
        text_value = caption.strip() or None
        listed.pages.append(PageSpec(number=number if number >= 1 else position, prompt=prompt or segment.strip(),
                                     text=text_value, characters=names))
    numbers = [page.number for page in listed.pages]
    if len(set(numbers)) != len(numbers):
        listed.pages = [page.model_copy(update={"number": i}) for i, page in enumerate(listed.pages, start=1)]
    return listed


def find_targets(text: str, has_history: bool) -> tuple[list[Target], str] | None:
    """Earlier outputs the message changes, and the change itself; None for a new request."""
    check_page_reference(text)
    match = re.match(rf"^\s*(?:on\s+|for\s+|in\s+)?(?:page|panel|shot|picture|image)s?\s+({ANY_NUMBER}(?:\s*(?:,|and|&)\s*{ANY_NUMBER})*)\s*[:,.-]?\s*(.*)$",
                     text, flags=re.IGNORECASE | re.DOTALL)
    if match:
        numbers = [number_of(n) for n in re.findall(ANY_NUMBER, match.group(1), flags=re.IGNORECASE)]
        return [Target(kind="page", page=page_number(str(n))) for n in numbers], match.group(2).strip()
    match = re.search(rf"\b{EDIT_VERBS}\s+(?:on\s+)?page\s+(\d+)\b", text, flags=re.IGNORECASE)
    if match:
        verb = text[match.start(): match.end()].rsplit("page", 1)[0].strip()
        change = re.sub(r"\s+", " ", f"{text[: match.start()]} {verb} it {text[match.end():]}").strip(" ,.")
        if re.fullmatch(r"(?i)(?:redo|redraw|regenerate)", change.strip()):
            change = ""
        return [Target(kind="page", page=page_number(match.group(1)))], change
    match = re.search(r"\b(?:on|in|to|for) page (\d+)\b", text, flags=re.IGNORECASE)
    if match and re.match(rf"^\s*{EDIT_VERBS}\b", text, flags=re.IGNORECASE):
        change = (text[: match.start()] + text[match.end():]).strip(" ,.")
        return [Target(kind="page", page=page_number(match.group(1)))], change
    follow_up = re.match(
        r"^\s*(?:now\s+|and\s+|also\s+|then\s+|ok\s+)?(?:add|remove|delete|erase|replace|put|give|move|change|recolou?r|"
        r"brighten|darken|fix|shift|enlarge|shrink|swap|turn|make)\b", text, flags=re.IGNORECASE)
    reference = LAST_REFERENCE.search(text)
    said_first = reference is not None and (not reference.group(0).lower().startswith(("make", "turn")) or re.match(
        r"^\s*(?:(?:now|please|ok|and|then|also|can you|could you)\s+)*(?:make|turn)\b", text, flags=re.IGNORECASE))
    if said_first or (has_history and (follow_up or reference)):  # 'using their skills to make it run again' is no edit
        if re.match(r"^\s*(?:make|draw|create|generate|show)\s+(?:an?|one|two|three|four|\d+)\b", text, flags=re.IGNORECASE):
            return None
        change = LAST_REFERENCE.sub(lambda m: "make it" if m.group(0).lower().startswith(("make", "turn")) else "it", text)
        return [Target(kind="last")], change.strip()
    return None


def layout_boxes(scene: str, subjects: list[Subject]) -> list[LayoutBox]:
    """Boxes for subjects placed in the picture ('the fox in the bottom left'); a subject in front
    of or behind a placed one shares its box, ordered front to back."""
    places = places_of(scene)
    if not any(places) or len(places) != len(subjects):
        return []
    boxes: dict[int, tuple[float, float, float, float]] = {i: PLACE_BOXES[p] for i, p in enumerate(places) if p}
    for i, subject in enumerate(subjects):
        if subject.depth is not None:
            j = subject.depth.target
            if i in boxes and j not in boxes and j < len(subjects):
                boxes[j] = boxes[i]
            elif j in boxes and i not in boxes:
                boxes[i] = boxes[j]
    order = {i: 0 for i in boxes}
    for i, subject in enumerate(subjects):
        if subject.depth is not None and i in order and subject.depth.target in order:
            if subject.depth.relation == "behind":
                order[i] = order[subject.depth.target] + 1
            else:
                order[subject.depth.target] = order[i] + 1
    return [LayoutBox(phrase=describe(subjects[i]), box=boxes[i], order=order[i])
            for i in sorted(boxes, key=lambda k: (order[k], k))]


def parse_rules(text: str, has_history: bool = False) -> Instruction:
    """What the message asks for, as a careful reader would fill the Instruction schema."""
    message = check_message(text).strip()  # bounded before any pattern runs
    if not message:
        raise InstructionError("the message is empty: say what to draw, e.g. 'a red fox in the snow'")
    check_long_numbers(message)
    listed = find_listed(message)
    faceswap = FACESWAP.search(message)
    if not listed.pages:
        targets = find_targets(message, has_history)
        # "swap my face into this clip" is a face swap, not an edit of the last picture
        if targets is not None and targets[0] and not (faceswap and targets[0][0].kind == "last"):
            return edit_instruction(targets[0], targets[1])
    if faceswap:
        return Instruction(task="faceswap", prompt=message, consent=consent_given(message))
    characters, message = named_characters(message)
    characters = listed.characters + characters
    width, height, message = find_size(message)
    if re.search(r"\b(?:wide|landscape|panoramic)\b", message, flags=re.IGNORECASE) and width is None:
        width, height = 1024, 576
    header = named_characters(listed.header)[1].strip(" :;\n") if listed.pages else message  # 'a turtle named Tom: page 1 ...'
    header = DEDICATION.sub("", TITLE_LINE.sub("", HERO_LABEL.sub("", header))).strip(" :;,.\n")
    collection = find_collection(strip_chat(header.strip()))
    if not listed.pages and (items := colon_list(collection.topic, collection.count, ":" in header)):
        collection.topic, listed.pages = items
    storied = listed.pages or collection.kind in ("book", "storyboard")
    style, topic = find_style(STORY_WORDS.sub(" ", collection.topic) if storied else collection.topic)
    background, scene = find_background(strip_chat(topic))
    scene = strip_chat(scene)
    subject_text = without_settings(scene)
    subjects = parse_subjects(subject_text) if scene else []
    check_subject_counts(subject_text, subjects)
    for character in characters:
        for subject in subjects:
            if subject.name in character.description.lower().split() and subject.character is None:
                subject.character = character.name
                break
    cast = Cast.of(subjects, characters, listed.pages)
    if listed.pages:
        pages = carry_descriptions(listed.pages, subjects + header_props(subject_text, subjects))
        kind = collection.kind if collection.kind != "single" else "book"
        count = check_count(len(pages), "page")
        scene = scene or "; ".join(page.prompt for page in pages)
    else:
        kind, count = collection.kind, collection.count
        pages = story_pages(cast.members(), scene or topic, count, background, kind) if kind in ("book", "storyboard") else []
    if pages:
        pages = [page_scene(page, cast) for page in pages]
        subjects = subjects_of_pages(pages, cast.members())
        characters = cast.cards() + characters
    layout = layout_boxes(subject_text, subjects) if kind == "single" else []
    task = "layout" if layout else ("group" if count > 1 else "generate")
    return Instruction(
        task=task, collection=kind, prompt=scene or message, output_count=count, subjects=subjects,
        background=background, style=style, pages=pages, characters=characters, layout=layout,
        width=width, height=height,
    )


def edit_instruction(targets: list[Target], change: str) -> Instruction:
    change = change.strip(" ,.;:")
    task = "inpaint" if INPAINT_VERBS.match(change) else "edit"
    redo = re.fullmatch(r"(?i)(?:(?:redo|redraw|regenerate)(?: it)?|again|another (?:one|version|try)|try again)?", change)
    adding = re.match(r"(?i)^\s*(?:add|put|draw|give it|place|include)\s+(.*)$", change)
    subjects = parse_subjects(adding.group(1)) if adding else []
    return Instruction(task=task, prompt=change, edit=None if redo else change, targets=targets,
                       edit_spec=None if redo else edit_spec_of(change), subjects=subjects, output_count=max(1, len(targets)))
