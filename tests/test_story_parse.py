"""Story requests as people and public story benchmarks phrase them: the hero is on its pages."""

import sys
from pathlib import Path

import pytest

from chatdit import parse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))


def page_subjects(instruction):
    return [[(s.name, s.color, s.hero) for s in page.subjects] for page in instruction.pages]


def test_settings_only_pages_are_about_the_hero_and_name_it_for_the_model():
    instruction = parse("a 4-page picture book about a red fox: page 1 flying on a broomstick under a full moon, "
                        "page 2 helping travelers across a river, page 3 playing tricks in a quiet village, "
                        "page 4 working in a hidden underground garden")
    assert all(page.subjects[0].name == "fox" and page.subjects[0].hero for page in instruction.pages)
    assert all(page.prompt.startswith("a red fox ") for page in instruction.pages)
    names = {s.name for s in instruction.subjects}
    assert not names & {"working", "trick", "village", "garden", "river", "flying"}


def test_a_heroes_description_is_its_attributes_not_more_subjects():
    instruction = parse("a red fox with a vibrant red coat, white belly, and bushy tail: page 1 wearing a scarf, "
                        "page 2 sleeping in its den, page 3 he meets a blue bird under a tree, page 4 a house by the sea")
    assert page_subjects(instruction) == [
        [("fox", "red", True)], [("fox", "red", True)],
        [("fox", "red", True), ("bird", "blue", False), ("tree", None, False)], [("house", None, False)]]
    assert "white belly" in instruction.pages[0].prompt and "scarf" in instruction.pages[0].prompt
    assert [s.name for s in instruction.subjects] == ["fox", "bird", "tree", "house"]


def test_bright_orange_feathers_describe_the_bird():
    instruction = parse("a picture book about a bird with bright orange feathers: page 1 at sunset, page 2 flying over two boats")
    assert page_subjects(instruction) == [[("bird", None, True)], [("bird", None, True), ("boat", None, False)]]
    assert instruction.pages[0].background == "sunset"


def test_storydiffusion_script_tags_are_characters_and_verbs_are_not_subjects():
    instruction = parse("[Bob] A man, wearing a black suit\n[Alice] a woman, wearing a white shirt\n"
                        "[Bob] wake up in the bed #Bob wakes up.\n[Alice] go to work, laughing\n"
                        "[NC] A house in the forest, at night\n[Bob] and [Alice] running very fast, close to the car")
    assert page_subjects(instruction) == [
        [("man", None, True), ("bed", None, False)], [("woman", None, False)],
        [("house", None, False)], [("man", None, True), ("woman", None, False), ("car", None, False)]]
    assert instruction.pages[2].background == "night" and instruction.pages[0].text == "Bob wakes up."


@pytest.mark.parametrize("prompt, expected", [
    ("a photo of a computer mouse", [("computer mouse", 1)]),
    ("a computer keyboard and a tv remote", [("computer keyboard", 1), ("tv remote", 1)]),
    ("five hamburgers sizzled on the grill", [("hamburger", 5), ("grill", 1)]),
    ("three strawberries attracted four fish", [("strawberry", 3), ("fish", 4)]),
    ("four microphones sang", [("microphone", 4)]),
    ("a hot dog next to a fire hydrant", [("hot dog", 1), ("fire hydrant", 1)]),
    ("The fluffy dog and leather leash walk on the wooden park bench.", [("dog", 1), ("leash", 1), ("park bench", 1)]),
    ("a blue cat is looking at an upside down gray bicycle", [("cat", 1), ("bicycle", 1)]),
    ("one drum and three refrigerators", [("drum", 1), ("refrigerator", 3)]),
    ("a diamond watch and a round cufflink", [("watch", 1), ("cufflink", 1)]),
    ("a rubber band and a beach ball", [("rubber band", 1), ("beach ball", 1)]),
    ("three players won two prizes", [("player", 3), ("prize", 2)]),
    ("The patterns of the windows were a stunning display of artistry.", [("window", 2)]),
    ("The clock was mounted on the blue wall.", [("clock", 1)]),
    ("a green grass and a yellow flower", [("flower", 1)]),  # grass is ground, a setting, as "a white sand" is
    ("The sticky honey dripped onto the brown bread.", [("bread", 1)]),
    ("The red fire truck drove past the grey building.", [("fire truck", 1), ("building", 1)]),
    ("the dog saw a bird", [("dog", 1), ("bird", 1)]),
    ("the fox left the den", [("fox", 1)]),
    ("A child is building a sandcastle on the beach.", [("child", 1), ("sandcastle", 1)]),
    ("The yoga teacher is holding a challenging pose.", [("yoga teacher", 1)]),
])
def test_nouns_as_a_person_means_them(prompt, expected):
    assert [(s.name, s.count) for s in parse(prompt).subjects] == expected


def test_the_white_feathers_of_the_swan_make_a_white_swan():
    assert [(s.name, s.color) for s in parse("The soft white feathers of the swan shone.").subjects] == [("swan", "white")]


def test_inline_numbered_pages_and_a_dedication_make_the_book():
    instruction = parse("a picture book for my daughter: a purple dragon who loves cookies. 1) the dragon in her "
                        "kitchen with a big bowl 2) she burns the cookies 3) three little mice help her")
    assert [p.number for p in instruction.pages] == [1, 2, 3]
    assert page_subjects(instruction)[2] == [("dragon", "purple", True), ("mouse", None, False)]
    assert "daughter" not in {s.name for s in instruction.subjects}
    assert instruction.pages[2].prompt == "a purple dragon, three little mice help her"  # not 'dragon three little mice'


def test_a_storydiffusion_img_trigger_and_a_park_bench_are_read_as_meant():
    instruction = parse("[Kitty] a girl img with yellow hair\n[Kitty] reading a book on a park bench")
    assert page_subjects(instruction) == [[("girl", None, True), ("book", None, False), ("park bench", None, False)]]


def test_they_on_a_page_is_the_whole_cast():
    instruction = parse("a 2 page comic: a robot and a cat become friends. panel 1 the robot finds the cat. "
                        "panel 2 the two of them share an umbrella.")
    assert [s.name for s in instruction.pages[1].subjects] == ["robot", "cat", "umbrella"]
    assert instruction.pages[1].prompt == "a robot and a cat share an umbrella"


def test_hand_labelled_story_requests_keep_the_hero_on_its_pages():
    import json

    from story_gold import DATA, compare
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    hero = [ok for row in rows for ok in compare(row)["hero on page"]]
    assert sum(hero) / len(hero) >= 0.95


def test_hand_labelled_compbench_prompts_do_not_regress():
    from parser_gold import gold_rows, score

    accuracy, _ = score(gold_rows())
    assert accuracy >= 0.94  # measured 0.963 on all 240; the 0.98 is not met on fresh prompts


def test_a_page_keeps_the_relations_its_words_say_pointing_at_its_own_subjects():
    boat = parse("Make a picture book about a yellow house by the sea. page 1 the house at sunset. "
                 "page 2 a boat stops in front of the house").pages[1]
    assert [(s.name, s.hero) for s in boat.subjects] == [("house", True), ("boat", False)]
    assert (boat.subjects[1].depth.relation, boat.subjects[1].depth.target) == ("in front of", 0)
    tree = parse("picture book, hero: a fox. page 1 the fox wakes up. page 2 the fox and a blue bird under a tree").pages[1]
    assert [s.name for s in tree.subjects] == ["fox", "bird", "tree"]
    assert (tree.subjects[1].position.relation, tree.subjects[1].position.target) == ("below", 2)


def test_three_yellow_fish_beside_a_fish_hero_are_others_not_the_hero_recolored():
    page = parse("a children's book about an orange fish named Finn. 1) Finn swims in the sea. "
                 "2) He meets three yellow fish.").pages[1]
    assert [(s.name, s.count, s.color, s.hero) for s in page.subjects] == [
        ("fish", 1, "orange", True), ("fish", 3, "yellow", False)]


def test_a_thing_the_header_describes_in_a_clause_keeps_its_description_on_pages():
    instruction = parse("a 2-page book about a girl who finds a green kite: page 1 she runs, page 2 the kite flies away")
    kites = [s for s in instruction.pages[1].subjects if s.name == "kite"]
    assert [(k.count, k.color) for k in kites] == [(1, "green")]
    assert [s.name for s in instruction.subjects if s.hero] == ["girl"]


def test_story_requests_phrased_as_people_phrase_them():
    panels = parse("a story in 3 panels: a girl plants a seed. the seed grows into a giant sunflower. the girl and her dog sit")
    assert [p.prompt for p in panels.pages] == ["a girl plants a seed", "the seed grows into a giant sunflower",
                                                "the girl and her dog sit"]
    assert len(parse("six pages about a snowman who wants to see summer").pages) == 6
    named = parse("a 2-page book about a little turtle named Tom: page 1 Tom swims, page 2 they rest on a rock")
    assert [c.name for c in named.characters] == ["Tom"]
    assert "tom" not in {s.name for page in named.pages for s in page.subjects}
    assert len(parse("a 2-page book about a fox. It is red.").pages) == 2
