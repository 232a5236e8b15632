"""The offline story writer: the one or two sentences a picture book prints under each page,
written from what each page shows and what the pages before it showed, when no language model
is configured.

It reads each page's description with the parser's own vocabulary (subjects, colors, counts,
backgrounds), so it never prints the description itself; the book's characters come from its
character cards. Wordings are drawn from `phrases` by a seed made of the characters' names and
the page number, never the colors: redoing "page 2: make the fox blue" rewrites page 2 with the
same sentence about "the blue fox".
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from chatdit.book import phrases
from chatdit.schema import CharacterCard, Subject

PLURAL_THINGS = {"star", "tree", "bird"}
"""Things with their own wording when there are several ('counted three stars')."""
UNIQUE_THINGS = {"sun", "moon"}
"""Things a story calls 'the' from the start ('the moon', not 'a moon')."""


@dataclass
class PageFacts:
    """What one page shows, as fields: its things, its background, the words of its action."""

    subjects: list[Subject]
    background: str | None
    words: str


def page_facts(shows: str) -> PageFacts:
    from chatdit.llm.scenery import find_background
    from chatdit.llm.subjects import parse_subjects
    from chatdit.llm.vocab import NOUNS

    cleaned = re.sub(r"\[([^\]]*)\]", r" \1 ", shows)  # '[Rex] naps': the text may name Rex
    background, scene = find_background(cleaned)
    subjects = [s for s in parse_subjects(scene) if s.name in NOUNS]
    return PageFacts(subjects=subjects, background=background if background in phrases.SETTINGS else None,
                     words=cleaned.lower())


def cast_of(cards: list[CharacterCard]) -> list[Subject]:
    """The book's characters as subjects (a named card keeps its name as `character`)."""
    from chatdit.llm.subjects import parse_subjects

    cast = []
    for card in cards[:2]:
        found = parse_subjects(card.description)
        subject = found[0] if found else Subject(name=card.name.lower())
        named = card.name if card.name.lower() != subject.name else None
        cast.append(subject.model_copy(update={"character": named, "position": None, "depth": None}))
    return cast


@dataclass
class Character:
    """One of the book's characters as the text refers to it, page after page."""

    subject: Subject
    introduced: bool = False

    def first(self) -> str:
        from chatdit.llm.subjects import describe

        words = describe(self.subject)
        return f"{words} named {self.subject.character}" if self.subject.character else words

    def again(self, shown: Subject | None, rng: random.Random) -> str:
        """'the little fox', 'Finn', or 'the blue fox' when this page shows it in another color."""
        if self.subject.character:
            return self.subject.character
        color = shown.color if shown and shown.color and shown.color != self.subject.color else None
        size = [a for a in self.subject.attributes if a in ("little", "small", "tiny", "big", "young", "old")]
        with_size = rng.random() < 0.6  # drawn whatever the color, so a recolor changes nothing else
        words = [color] if color else (size if size and with_size else [])
        noun = self.subject.name if self.subject.count == 1 else f"{self.subject.name}s"
        return " ".join(["the", *words, noun])


@dataclass
class StoryWriter:
    """Writes every page of one book in order; page n depends on pages 1..n only."""

    cast: list[Subject]
    count: int
    characters: list[Character] = field(default_factory=list)
    previous: str | None = None
    seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.characters = [Character(subject) for subject in self.cast]
        self.seed = "+".join(s.character or s.name for s in self.cast) or "book"

    def write(self, pages: dict[int, str]) -> dict[int, str]:
        """Page number -> text, for page number -> what the page shows."""
        return {number: self.page(number, shows) for number, shows in sorted(pages.items())}

    def page(self, number: int, shows: str) -> str:
        rng = random.Random(f"{self.seed}:{number}")
        facts = page_facts(shows)
        who, plural = self.who(facts, rng)
        sentences = []
        if number == 1 or not any(c.introduced for c in self.characters):
            sentences.append(fill(rng.choice(phrases.OPENINGS), who, plural))
            who, plural = self.who(facts, rng)
            sentences.append(self.scene(facts, who, plural, rng, opening=True))
        else:
            sentences.append(self.scene(facts, who, plural, rng, opening=False))
        if number == self.count and self.count > 1:
            sentences.append("The end.")
        self.previous = facts.background or self.previous
        return " ".join(s for s in sentences if s)

    def who(self, facts: PageFacts, rng: random.Random) -> tuple[str, bool]:
        """How the text names the characters on this page, and whether that is plural."""
        if not self.characters:
            return "a little friend", False
        named = []
        for character in self.on_page(facts):
            shown = next((s for s in facts.subjects if s.name == character.subject.name), None)
            named.append(character.again(shown, rng) if character.introduced else character.first())
            character.introduced = True
        plural = len(named) > 1 or self.characters[0].subject.count > 1
        return " and ".join(named), plural

    def on_page(self, facts: PageFacts) -> list[Character]:
        """The characters this page shows (by kind or by name); all of them when it names none."""
        kinds = {s.name for s in facts.subjects}
        shown = [c for c in self.characters if c.subject.name in kinds
                 or (c.subject.character and re.search(rf"\b{re.escape(c.subject.character.lower())}\b", facts.words))]
        return shown or self.characters

    def scene(self, facts: PageFacts, who: str, plural: bool, rng: random.Random, opening: bool) -> str:
        """One or two sentences: what happens (an action, a thing met, or wandering), then the setting."""
        cast_names = {c.subject.name for c in self.characters}
        things = [s for s in facts.subjects if s.name not in cast_names]
        action = next((choices for words, choices in phrases.ACTIONS if any(w in facts.words for w in words)), None)
        if things:
            template, thing = self.meet(things[0], rng)
        else:
            template, thing = rng.choice(action or phrases.WANDERING), ""
        setting = phrases.SETTINGS.get(facts.background or "")
        transition = rng.choice(phrases.TRANSITIONS.get(facts.background or "", [""]))
        with_setting = rng.random() < 0.7
        if opening:
            return fill(template, who, plural, thing) if things else (rng.choice(setting) if setting else "")
        if facts.background != self.previous and transition and template.startswith("{Who}"):
            return transition + fill(template.replace("{Who}", "{who}", 1), who, plural, thing, capital=False)
        main = fill(template, who, plural, thing)
        return f"{rng.choice(setting)} {main}" if setting and with_setting else main

    def meet(self, thing: Subject, rng: random.Random) -> tuple[str, str]:
        """The wording for meeting a thing on this page, and the thing in words ('the' once seen)."""
        from chatdit.llm.subjects import describe, noun_phrase

        key = thing.name + ("s" if thing.count > 1 and thing.name in PLURAL_THINGS else "")
        known = thing.name in self.seen or (thing.name in UNIQUE_THINGS and thing.count == 1)
        self.seen.add(thing.name)
        words = ("the " + (noun_phrase(thing) if thing.count == 1 else describe(thing).split(" ", 1)[1])) if known else describe(thing)
        return rng.choice(phrases.THINGS.get(key, phrases.GENERIC_THING)), words


def fill(template: str, who: str, plural: bool, thing: str = "", capital: bool = True) -> str:
    """A phrase with its characters, thing and verb agreement filled in."""
    text = template.format(who=who, Who=who[:1].upper() + who[1:], thing=thing, was="were" if plural else "was",
                           they="they" if plural else "it", their="their" if plural else "its")
    return text[:1].upper() + text[1:] if capital else text


def write_story(cards: list[CharacterCard], pages: dict[int, str]) -> dict[int, str]:
    """Every page's text for a book whose pages show `pages` (number -> description)."""
    return StoryWriter(cast_of(cards), count=max(pages, default=0)).write(pages)
