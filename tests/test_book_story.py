"""The words of a book: the offline writer, titles from the story, whose text is whose."""

import re

import pytest
from chatdit.agents.planner import cards_for

from chatdit.book.story import write_story
from chatdit.book.texts import page_text_command, person_texts, settle_texts
from chatdit.book.title import story_title
from chatdit.llm.rules import parse_rules
from chatdit.schema import CharacterCard, PageEntry

SIX_PAGES = "make a six-page picture book about a red fox and a blue bird"


def book_of(message: str) -> tuple[list[CharacterCard], dict[int, str]]:
    instruction = parse_rules(message)
    return list(cards_for(instruction, {}).values()), {p.number: p.prompt for p in instruction.pages}


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s and s != "The end."]


def test_offline_writer_writes_a_sentence_or_two_of_prose_per_page_never_the_prompt():
    cards, pages = book_of(SIX_PAGES)
    texts = write_story(cards, pages)
    assert sorted(texts) == [1, 2, 3, 4, 5, 6]
    assert len(set(texts.values())) == 6  # no two pages alike
    for number, text in texts.items():
        assert 1 <= len(sentences(text)) <= 2 and text[0].isupper() and text.endswith(".")
        assert pages[number] not in text and "[" not in text and "," + " day" not in text
    assert texts[1].count("a red fox and a blue bird") == 1  # introduced once, then "the fox"
    assert "the fox and the bird" in texts[3].lower() and texts[6].endswith("The end.")


def test_a_recolored_page_calls_its_character_by_the_new_color_and_keeps_its_other_words():
    cards, pages = book_of("make a four-page picture book about a little orange fox\npage 1: the fox at sunset\n"
                           "page 2: the fox under a moon at night\npage 3: the fox by the sea with two boats\n"
                           "page 4: the fox in the snow with a green tree")
    before = write_story(cards, pages)
    pages[2] = pages[2].replace("orange", "blue")
    after = write_story(cards, pages)
    assert "blue fox" in after[2] and "blue" not in before[2]
    assert after[2].replace("blue ", "") == re.sub(r"\b(?:little|orange) ", "", before[2])
    assert {n: t for n, t in after.items() if n != 2} == {n: t for n, t in before.items() if n != 2}


def test_things_on_a_page_are_met_and_named_characters_keep_their_names():
    cards = [CharacterCard(name="Finn", description="a red fox")]
    texts = write_story(cards, {1: "Finn the fox, day", 2: "Finn with three yellow stars at night", 3: "Finn and two boats, sea"})
    assert "a red fox named Finn" in texts[1]
    assert "Finn" in texts[2] and "three yellow stars" in texts[2] and "two boats" in texts[3]


@pytest.mark.parametrize("message, title", [
    ("make a six-page picture book about a little orange fox", "The Little Orange Fox"),
    (SIX_PAGES, "The Red Fox and the Blue Bird"),
    ("a six-page picture book about a fox who learns to fly", "The Fox Who Learns to Fly"),
    ("a three-page book about a fox named Finn", "Finn the Fox"),
])
def test_the_title_comes_from_the_story_not_the_request(message, title):
    instruction = parse_rules(message)
    assert story_title(instruction, list(cards_for(instruction, {}).values())) == title


@pytest.mark.parametrize("message, expected", [
    ("page 2 text: Der Fuchs schläft.", (2, "Der Fuchs schläft.")),
    ("Page 3's text = «Лиса спит»", (3, "Лиса спит")),
    ("the text of page 1: Once,\nthere was a fox.", (1, "Once,\nthere was a fox.")),
    ("page 4 text:", (4, None)),
    ("page 2: make the fox blue", None),
    ("a book with text on every page", None),
])
def test_the_page_text_command(message, expected):
    assert page_text_command(message) == expected


def test_a_persons_texts_are_those_in_their_message_or_set_at_approval():
    message = "a two-page picture book about a fox\npage 1: the fox # Der  Fuchs\n schläft.\npage 2: the fox at night"
    instruction = parse_rules(message)
    assert person_texts(instruction, message) == {1: "Der  Fuchs\n schläft."}  # as written
    templated = parse_rules(SIX_PAGES)
    assert templated.pages[0].text and person_texts(templated, SIX_PAGES) == {}
    assert person_texts(templated, SIX_PAGES, {"2": "Mine."}) == {2: "Mine."}
    tidied = instruction.model_copy(update={"pages": [instruction.pages[0].model_copy(update={"text": "Der Fuchs schläft"})]})
    assert person_texts(tidied, message) == {1: "Der Fuchs schläft"}  # as a language model may copy it


def test_a_redone_page_keeps_a_persons_text_and_owes_a_new_one_for_chatdits():
    before = {1: PageEntry(asset_id="a", prompt="p", text="Mine.", text_source="person"),
              2: PageEntry(asset_id="b", prompt="p", text="Chatdit's.", text_source="chatdit"),
              3: PageEntry(asset_id="c", prompt="p", text="Kept.")}
    after = {1: before[1].model_copy(update={"asset_id": "a2"}), 2: before[2].model_copy(update={"asset_id": "b2"}),
             3: before[3], 4: PageEntry(asset_id="d", prompt="p")}
    settled, owed = settle_texts(before, after, person={})
    assert settled[1].text == "Mine." and settled[1].text_source == "person" and settled[1].asset_id == "a2"
    assert settled[3] == before[3] and owed == {2, 4}
    assert settled[2].text is None and settled[2].text_source == "chatdit"


def test_variations_get_no_story_text():
    after = {1: PageEntry(asset_id="a", prompt="a fox"), 2: PageEntry(asset_id="b", prompt="a fox")}
    settled, owed = settle_texts({}, after, person={}, story=False)
    assert owed == set() and all(e.text is None and e.text_source is None for e in settled.values())


def test_a_page_names_only_the_characters_it_shows():
    cards = [CharacterCard(name="Rex", description="a purple fox"), CharacterCard(name="Mia", description="an orange bird")]
    texts = write_story(cards, {1: "[Rex] and [Mia] in a meadow", 2: "[Rex] naps under a tree", 3: "[Mia] sings on a branch",
                                4: "a quiet meadow at sunset"})
    assert "Rex" in texts[2] and "Mia" not in texts[2]
    assert "Mia" in texts[3] and "Rex" not in texts[3]
    assert "Rex" in texts[4] and "Mia" in texts[4]  # a page naming no one is about everyone


def test_a_lost_thing_on_a_page_does_not_make_the_hero_far_from_home():
    """Seen in the TUI: 'Lily and the lost puppy sleep at home at night' got the text 'The road was
    long, and the world was big and new.'"""
    from chatdit.book import phrases

    def action(words: str) -> list[str] | None:
        return next((choices for keys, choices in phrases.ACTIONS if any(k in words for k in keys)), None)

    assert "asleep" in action("lily and the lost puppy sleep at home at night")[0]
    assert "far from home" in action("the fox got lost in the woods")[0]
