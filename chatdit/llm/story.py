"""A story's hero and what each page must show, read once for the planner and the critic.

"a book about a red fox with a bushy tail: page 1 wearing a scarf, page 2 he sleeps in his den"
has one hero, the red fox (the tail describes it); both pages are about it (a bare setting and
"he" both mean the hero), so both pages are drawn with the fox and checked for it. A page that
names other things and not the hero ("page 3 a house by the sea") shows those instead.
"""

from __future__ import annotations

import re

from chatdit.llm.grammar import is_verbish
from chatdit.llm.scenery import find_background, without_settings
from chatdit.llm.subjects import describe, noun_phrase, parse_subjects
from chatdit.llm.tagging import tagged
from chatdit.llm.vocab import NUMBER_NAMES
from chatdit.llm.words import is_part, only_verb, parts_of_speech
from chatdit.schema import CharacterSpec, PageSpec, Subject

PRONOUN = re.compile(r"\b(?:he|she|it|they|him|her|them|his|its|their|hers|theirs|himself|herself|itself|themselves|"
                     r"everyone|everybody)\b",
                     re.IGNORECASE)
GROUP_PRONOUN = re.compile(r"\b(?:they|them|their|both|the two(?: of them)?|everyone|everybody|together)\b", re.IGNORECASE)
"""'they share an umbrella' after 'a robot and a cat become friends': the whole cast."""
LEADING_PRONOUN = re.compile(r"^\s*(?:and\s+)?(?:(?:then|finally|first|next|later|suddenly|soon|one day|at last),?\s+)?"
                             r"(?:he|she|it|they|(?:the two|both) of them|both)\b\s*", re.IGNORECASE)
NOUN_START = re.compile(rf"(?:a|an|the|\d+|{'|'.join(NUMBER_NAMES.values())})\s")
"""A page that starts with its own noun phrase ('three little mice help her')."""
TAG = re.compile(r"\[([^\]]+)\]")
WORLD_BACKGROUNDS = ("day", "night", "sunset", "sea", "snow")
MAX_CARDS = 2
"""Characters kept on cards: the hero and one companion (more crowd a 4-panel canvas)."""
PREPOSITIONS = {"in", "on", "at", "under", "by", "near", "with", "inside", "outside", "across", "through", "over",
                "above", "below", "beside", "behind", "into", "onto", "along", "around", "among", "between", "up",
                "down", "from", "to", "toward", "towards", "beneath", "underneath", "off", "out", "during", "after",
                "before", "while", "without", "atop", "upon", "back", "home", "high", "far", "deep", "all", "alone"}


class Cast:
    """The hero (first subject of the book's header), its description, and the other characters."""

    @classmethod
    def of(cls, subjects: list[Subject], characters: list[CharacterSpec], pages: list[PageSpec]) -> Cast:
        """The cast from the header; with no header subject and no named character, the first
        page's first subject is the hero ('1. A blue whale swims in the sea 2. She sings')."""
        if subjects or characters or not pages:
            return cls(subjects, characters)
        first = [s for s in parse_subjects(without_settings(find_background(TAG.sub(" ", pages[0].prompt))[1]))
                 if not is_part(s.name)]
        return cls(first[:1], characters)

    def __init__(self, subjects: list[Subject], characters: list[CharacterSpec]):
        self.characters = {c.name.lower(): c for c in characters}
        # what each named character is ('Jerry' -> a mouse), read once for every page
        self.kinds = {key: next(iter(parse_subjects(c.description)), None) for key, c in self.characters.items()}
        self.first_character = characters[0].name.lower() if characters else None
        parts = [s for s in subjects[1:] if is_part(s.name)]
        others = [s for s in subjects if s not in parts]
        self.hero: Subject | None = others[0].model_copy(update={"hero": True, "position": None, "depth": None}) if others else None
        self.companions = [s.model_copy(update={"position": None, "depth": None}) for s in others[1:]]
        self.parts = parts

    def hero_words(self) -> str:
        """'a red fox with a white belly and a bushy tail': the hero as every page draws it."""
        if self.hero is None:
            return ""
        words = describe(self.hero)
        if self.parts:
            described = [describe(p.model_copy(update={"count": 1})) if p.count_stated else noun_phrase(p) + "s"
                         for p in self.parts]
            words += " with " + (", ".join(described[:-1]) + " and " + described[-1] if len(described) > 1 else described[0])
        return words

    def members(self) -> list[Subject]:
        """The hero and the other characters the header names (not the hero's tail or scarf)."""
        return [self.hero, *self.companions] if self.hero else []

    def cards(self) -> list[CharacterSpec]:
        """Cards for the hero (with its whole description) and the other characters the header
        names, so the pages keep them; not for things a page merely shows (the moon)."""
        if self.hero is None:
            return []
        hero = [] if self.hero.character else [
            CharacterSpec(name=self.hero.name, description=self.hero_words().removeprefix("a ").removeprefix("an "))]
        others = [CharacterSpec(name=s.name, description=noun_phrase(s)) for s in self.companions[:MAX_CARDS - 1]
                  if not s.character and s.name != self.hero.name]
        return hero + others

    def names_as_nouns(self, prompt: str) -> str:
        """'Tom chases Jerry' -> 'Tom chases the mouse': a named character other than the hero is
        drawn as what it is ('[Jerry]' tags are read by `tagged`)."""
        for key, spec in self.characters.items():
            kind = self.kinds[key]
            if kind and not (self.hero is not None and (self.hero.character or "").lower() == key):
                prompt = re.sub(rf"(?<!\[)\b{re.escape(spec.name)}\b(?!\])", "the " + noun_phrase(kind), prompt)
        return prompt

    def tagged(self, prompt: str) -> list[Subject]:
        """The characters a StoryDiffusion-style page tags ('[Bob] at home'), as subjects."""
        subjects = []
        for name in dict.fromkeys(t.strip() for t in TAG.findall(prompt)):
            spec, kind = self.characters.get(name.lower()), self.kinds.get(name.lower())
            if spec and kind:
                hero = self.hero is None and spec.name.lower() == self.first_character
                subjects.append(kind.model_copy(update={"character": spec.name, "hero": hero, "position": None,
                                                            "depth": None, "attributes": []}))
        return subjects


def has_own_subject(text: str) -> bool:
    """'a house by the sea' names its subject; 'flying on a broomstick', 'under a full moon' and
    'he swims' leave it to the story (the hero)."""
    words = re.findall(r"[a-z']+", text.lower())
    while words and words[0] in ("and", "then", "now", "later", "finally", "next", "suddenly", "one", "day"):
        words = words[1:]
    if not words:
        return False
    first = words[0]
    if PRONOUN.fullmatch(first) or first in PREPOSITIONS:
        return False
    return not (is_verbish(first) or only_verb(first) or (first.endswith("ing") and "VERB" in parts_of_speech(first)))


def without_actor(text: str, hero: Subject | None, tagged: bool) -> str:
    """The page's words with its actor and the actor's verb cut ('the dragon lives in a cave' ->
    'in a cave', '[Bob] wakes up' -> 'up'), so neither is read as something else to draw."""
    names = [r"he|she|it|they"] + ([rf"(?:the|a|an)?\s*(?:\w+\s+){{0,2}}{re.escape(hero.name)}"] if hero else [])
    if hero and hero.character:
        names.append(re.escape(hero.character))
    actor = rf"^\s*(?:(?:and|then|now|suddenly|later|finally)\s+)*(?:{'|'.join(names)})\s+" if not tagged else r"^\s*(?:and\s+)?"
    match = re.match(actor + r"([a-z]+)\b", text, flags=re.IGNORECASE)
    if match and "VERB" in parts_of_speech(match.group(1)) and match.group(1).lower() not in ("and", "with"):
        return text[match.end():]
    return text


def names_hero(text: str, hero: Subject) -> bool:
    words = set(re.findall(r"[a-z]+", text.lower()))
    last = hero.name.split()[-1]
    return bool({last, last + "s", last + "es"} & words) or bool(hero.character and hero.character.lower() in words)


def page_scene(page: PageSpec, cast: Cast) -> PageSpec:
    """The page with what it must show (its subjects, the hero first when the page is about it),
    its own background, and a prompt that names the hero so the model draws it."""
    page = page.model_copy(update={"prompt": cast.names_as_nouns(page.prompt)})
    raw = page.prompt
    tagged = cast.tagged(raw)
    untagged = TAG.sub(" ", raw)
    background, setting, scene = page_setting(untagged)
    hero = cast.hero
    named = {n for n in (hero.character if hero else None, *(s.character for s in tagged)) if n}
    acting = without_actor(without_settings(scene), hero, bool(tagged))
    parsed = parse_subjects(acting)
    own = [s for s in parsed if not is_part(s.name) and s.name not in {n.lower() for n in named}]  # 'wearing a scarf': worn
    if hero is not None:  # 'three yellow fish' beside a fish hero are others, not the hero restated
        restated = [s for s in own if s.name in (hero.name, hero.name.split()[-1]) and s.count == hero.count]  # 'the cat' of an astronaut cat
        own = [s for s in own if s not in restated]
        if restated and restated[0].color and restated[0].color != hero.color:
            hero = hero.model_copy(update={"color": restated[0].color})
    no_character = "[nc]" in raw.lower()
    about_hero = hero is not None and not no_character and not tagged and (
        names_hero(untagged, hero) or bool(PRONOUN.search(untagged)) or not own or not has_own_subject(untagged))
    group = [c for c in cast.companions if about_hero and GROUP_PRONOUN.search(untagged) and not names_hero(untagged, c)
             and c.name not in {s.name for s in own}]
    subjects = [*tagged, *([hero] if about_hero else []), *group, *own]
    prompt = page.prompt
    if about_hero and not names_hero(untagged, hero):
        rest = LEADING_PRONOUN.sub("", prompt).strip(" ,")
        who = " and ".join([cast.hero_words(), *(describe(c) for c in group)])
        joined = ", " if NOUN_START.match(rest.lower()) else " "  # 'a purple dragon, three little mice help her'
        prompt = f"{who}{joined}{rest}".strip() if rest else who
    subjects = relinked(parsed, subjects, len(tagged) if about_hero else None, hero.name if hero else None)
    return page.model_copy(update={"subjects": subjects, "background": background, "setting": setting, "prompt": prompt})


def page_setting(text: str) -> tuple[str | None, str | None, str]:
    """(the world's background, another place the page names, the words without the first):
    'in a snowy forest' -> snow and 'forest'; 'at sunrise on the beach' -> sea and 'sunrise' (every
    picture has a sky: 'in the sky' asks for nothing more)."""
    first, scene = find_background(text)
    found = [b for b in (first, find_background(scene)[0]) if b]
    background = next((b for b in found if b in WORLD_BACKGROUNDS), None)
    setting = next((b.split()[-1] for b in found if b not in WORLD_BACKGROUNDS and b.split()[-1] not in ("sky", "air")), None)
    return background, setting, scene


def relinked(parsed: list[Subject], subjects: list[Subject], hero_at: int | None, hero: str | None) -> list[Subject]:
    """The page's subjects with the relations its words said ('a boat in front of the house'), each
    pointing at its target's place among them (the hero's where the words restate it); a relation
    whose target is not drawn is left out."""
    at = {i: next((k for k, s in enumerate(subjects) if s is p), hero_at if p.name == hero else None) for i, p in enumerate(parsed)}
    linked = list(subjects)
    for i, p in enumerate(parsed):
        if (k := at[i]) is not None:
            moved = [r.model_copy(update={"target": at[r.target]}) if r and at.get(r.target) not in (None, k) else None
                     for r in (p.position, p.depth)]
            linked[k] = linked[k].model_copy(update={"position": moved[0], "depth": moved[1]})
    return linked


def story_pages(subjects: list[Subject], topic: str, count: int, background: str | None, kind: str) -> list[PageSpec]:
    """Pages for a book asked for by topic only: the same characters through a simple arc,
    in changing settings unless the person fixed one."""
    cast = subjects[:2]
    who = " and ".join(describe(s) for s in cast) if cast else topic
    the = " and ".join("the " + noun_phrase(s) if s.count == 1 else describe(s) for s in cast) if cast else topic
    they = "they" if len(cast) > 1 or (cast and cast[0].count > 1) else "it"
    was = "were" if cast and cast[0].count > 1 else "was"  # 'there were two foxes', 'there was a fox and a bird'
    settings = ["day", "sunset", "night", "snow", "sea", "day"] if background is None else [None] * 6
    beats = [
        ("", f"Once upon a time there {was} {topic}."),
        (" at play", f"Every day {the} played and dreamed of adventures."),
        (" setting off on a journey", f"One day {the} set off to see the wide world."),
        (" far from home", "The road was long, and the world was big and new."),
        (" looking up at the sky", f"{the[:1].upper()}{the[1:]} looked up and wondered what lay beyond the sky."),
        (" trying again", f"{they.capitalize()} fell, got up, and tried again."),
        (" with new friends", f"Along the way {the} made new friends."),
        (" happy at last", f"At last {the} found what {they} had been looking for."),
    ]
    pages = []
    for number in range(1, count + 1):
        if number == count and count > 1:
            suffix, text = " back home", f"And {the} lived happily ever after. The end."
        else:
            suffix, text = beats[number - 1] if number <= len(beats) else beats[1 + (number - 2) % (len(beats) - 1)]
        prompt = (the if number > 1 else who) + suffix
        setting = settings[(number - 1) % len(settings)]
        if setting:
            prompt = f"{prompt}, {setting}"
        pages.append(PageSpec(number=number, prompt=prompt, text=text if kind == "book" else None))
    return pages


def subjects_of_pages(pages: list[PageSpec], first: list[Subject]) -> list[Subject]:
    """The cast first, then everything else the pages show, once each."""
    seen: dict[tuple[str, str | None], Subject] = {(s.name, s.color): s for s in first}
    cast = {s.name for s in first}
    for page in pages:
        for subject in page.subjects:
            if not (subject.hero and subject.name in cast):  # a page's blue fox is still the hero
                seen.setdefault((subject.name, subject.color), subject)
    return list(seen.values())


def header_props(subject_text: str, subjects: list[Subject]) -> list[Subject]:
    """Things the header describes inside a clause ('a fox who finds a blue boat'): not subjects of
    the book, but 'the boat' on a page is that blue boat."""
    opened = parse_subjects(re.sub(r"\b(?:who|which|that)\b", ",", subject_text, flags=re.IGNORECASE))
    named = {s.name for s in subjects}
    return [s for s in opened if s.name not in named]


def carry_descriptions(pages: list[PageSpec], subjects: list[Subject]) -> list[PageSpec]:
    """'a book about a little red fox: page 1 the fox at sunset' draws a little red fox on page 1: a
    page's 'the fox' is the header's fox, so it gets the header's words (a page that says 'the blue
    fox' keeps its own). A thing a page brings in ('grows into a yellow flower') is the same on
    later pages ('a bird visits the flower')."""
    described = [(s.name, noun_phrase(s).removesuffix(s.name)) for s in subjects if s.count == 1]
    carried = []
    for page in pages:
        prompt = page.prompt
        for name, words in described:  # words: 'little red ', what comes before the name
            if words:
                prompt = re.sub(rf"\b(the)\s+({re.escape(name)})\b", rf"\1 {words}\2", prompt, flags=re.IGNORECASE)
        carried.append(page.model_copy(update={"prompt": prompt}))
        known = {name for name, _ in described}
        described += [(s.name, noun_phrase(s).removesuffix(s.name)) for s in parse_subjects(page.prompt)
                      if s.count == 1 and s.color and s.name not in known]
    return carried


APPOSITIVE = re.compile(r"\b([A-Z][a-z]+),? (?:the|a|an) ((?:[a-z]+[ ,.;:!?]*){1,6})")
"""'Lily the little girl finds ...', 'Max, a curious dog,': a name, then what it is."""
NOT_NAMES = {"the", "a", "an", "page", "shot", "scene", "panel", "story", "once", "then", "and", "but", "in", "on", "at",
             "with", "make", "draw", "create", "write", "add", "show", "now", "next", "finally", "later", "one", "chapter"}
NAMED = re.compile(r"\b(?:an?|the)\s+((?:[a-z]+\s+){0,3}?[a-z]+)\s+(?:named|called)\s+([A-Z][\w'-]*)")


def named_characters(text: str) -> tuple[list[CharacterSpec], str]:
    """'a red fox named Finn' -> Finn: a red fox (and the text keeps 'a red fox'); 'Lily the little
    girl', 'Max, a curious dog' -> Lily: a little girl, Max: a curious dog."""
    characters = []
    for match in NAMED.finditer(text):
        characters.append(CharacterSpec(name=match.group(2), description=match.group(1).strip()))
    text = NAMED.sub(lambda m: m.group(0).split(" named ")[0].split(" called ")[0], text)
    for match in reversed(list(APPOSITIVE.finditer(text))):
        name, words = match.group(1), noun_phrase_words(match.group(2))
        if name.lower() in NOT_NAMES or not words:
            continue
        characters.insert(0, CharacterSpec(name=name, description="a " + " ".join(words)))
        text = text[:match.start()] + "a " + " ".join(words) + match.group(2)[len(" ".join(words)):] + text[match.end():]
    return characters, text


def noun_phrase_words(tail: str) -> list[str]:
    """The words of 'little girl finds a lost puppy' up to the noun that ends its first noun phrase."""
    words = tagged(re.split(r"[,.;:!?]", tail)[0].split()[:5])
    ends = [i for i, w in enumerate(words) if w.tag in ("NN", "NNS") and (i + 1 == len(words) or words[i + 1].tag not in ("NN", "NNS"))]
    return [str(w) for w in words[: ends[0] + 1]] if ends else []
