"""Hand labels for compbench_gold2.jsonl, in sample.json order (written by reading the text only)."""
import json


def S(name, count=1, color=None, unspec=False):
    d = {"name": name, "count": count, "color": color}
    if unspec:
        d["count_unspecified"] = True
    return d


def P(name, color=None):  # plural without a number
    return S(name, 2, color, True)


def R(s, rel, t):
    return {"subject": s, "relation": rel, "target": t}


NEXT = "'next to' is not one of the six relations; omitted."
ON = "plain 'on' (support) is not one of the six relations; omitted."
HID = "'A hidden by B' normalised to A behind B (B occludes A; T2I-CompBench 3d_spatial meaning)."

# (subjects, relations, background, notes) per row, same order as sample.json
L = [
    # numeracy
    ([S("shrimp"), S("microphone", 4)], [], None, ""),
    ([S("bee", 7)], [], None, ""),
    ([S("microwave", 3), S("girl", 2)], [], None, "'dinner' is a meal/activity object of 'cooked', not taken as a drawn subject."),
    ([S("chicken", 3), S("hamburger", 3), S("cup", 4), S("train"), S("pig", 4), S("table")], [], None,
     "table is the object they fill -> subject; 'filled' is no relation. 'chickens' could be animals or food; name is 'chicken' either way."),
    ([S("chair", 7)], [], None, ""),
    ([S("desk", 6)], [], None, ""),
    ([S("pen", 3), S("book"), S("camel", 3), S("bear"), S("boy")], [], None, ""),
    ([S("mouse", 8)], [], None, "'mice' -> mouse (read as the animal)."),
    ([S("cat", 4), S("television", 3)], [], None, ""),
    ([S("book"), S("kite", 2), S("dog"), S("bag", 3)], [], None, ""),
    ([S("suitcase", 6)], [], None, ""),
    ([S("book", 3), S("computer", 4), S("backpack", 4)], [], None, ""),
    ([S("train"), S("bowl")], [], None, ""),
    ([S("plate", 7)], [], None, ""),
    ([S("computer", 6)], [], None, ""),
    # color
    ([S("tomato", 1, "red"), S("cucumber", 1, "green")], [], None, ""),
    ([S("earring", 1, "silver"), S("necklace", 1, "gold")], [], None,
     "'silver'/'gold' taken as color words (this is a color_train prompt); they could be read as materials (then null)."),
    ([S("cow", 1, "blue"), S("horse", 1, "brown")], [], None, ""),
    ([S("apple", 1, "green"), S("bowl", 1, "red")], [], None, ""),
    ([S("purse", 1, "brown"), S("bench", 1, "green")], [], None, "'sitting on' is plain support; " + ON),
    ([S("lemon", 1, "yellow"), S("apple", 1, "red")], [], None, ""),
    ([S("car", 1, "red"), S("sheep", 1, "pink")], [], None, ""),
    ([S("cat", 1, "black"), S("bowl", 1, "white")], [], None,
     "'black and green cat': two colors, one field -> the first ('black'); green also applies. 'sitting in' is containment, omitted."),
    ([S("chair", 1, "red"), S("vase", 1, "blue")], [], None, ""),
    ([S("car", 1, "red"), S("giraffe", 1, "brown")], [], None, ""),
    ([], [], "wall", "walls and floors are settings: no concrete subject; the first setting is 'wall' (before 'bathroom'); colors of settings not recorded."),
    ([S("man"), S("paper", 1, "white"), S("toilet", 1, "black")], [], None,
     "'a white piece of paper' -> paper x1 (the piece is the counted portion). 'black seated toilet' = toilet with a black seat; the seat is a part, so the toilet is black. 'into' is no relation."),
    ([P("fixture", "white"), S("counter", 1, "black")], [], "bathroom",
     "fixtures plural without number; the red tiled floor is a setting (floor), its red not recorded."),
    ([S("cat", 1, "yellow"), S("dog", 1, "brown")], [], None, ""),
    ([S("toilet", 1, "brown"), S("sink")], [R("sink", "behind", "toilet")], None,
     "'a white lid' is a part of the toilet, not a separate subject (its white is not the toilet's color: the toilet is brown). 'it' = the toilet."),
    # spatial
    ([S("woman"), S("butterfly")], [R("woman", "left of", "butterfly")], None, ""),
    ([S("person"), S("giraffe")], [R("person", "above", "giraffe")], None, ""),
    ([S("cat"), S("car")], [R("cat", "below", "car")], None, "'on the bottom of' normalised to below."),
    ([S("bee"), S("woman")], [R("bee", "right of", "woman")], None, ""),
    ([S("bicycle"), S("chicken")], [R("bicycle", "above", "chicken")], None, ""),
    ([S("wallet"), S("man")], [R("wallet", "right of", "man")], None, ""),
    ([S("turtle"), S("car")], [R("turtle", "above", "car")], None, ""),
    ([S("frog"), S("woman")], [R("frog", "right of", "woman")], None, ""),
    ([S("dog"), S("girl")], [R("dog", "above", "girl")], None, ""),
    ([S("microwave"), S("boy")], [R("microwave", "above", "boy")], None, ""),
    ([S("horse"), S("microwave")], [R("horse", "right of", "microwave")], None, ""),
    ([S("boy"), S("key")], [], None, "'on side of' is not one of the six relations; omitted."),
    ([S("chicken"), S("chair")], [], None, NEXT),
    ([S("bee"), S("book")], [R("bee", "right of", "book")], None, ""),
    ([S("sheep"), S("bicycle")], [], None, NEXT),
    # complex
    ([P("cactus plant")], [], "desert",
     "'cactus plants' plural without number, noun compound kept whole; background 'desert' (from 'harsh desert environment'); 'arid conditions' abstract."),
    ([S("mirror"), S("person")], [], None,
     "the surface is part of the mirror; the person gazing into it is present -> subject ('the image of' / reflection not a separate subject). 'a reflection of the self' abstract."),
    ([P("ice skate"), P("figure skater")], [], "ice",
     "blades are part of the ice skates; skates (worn) and figure skaters plural without number; the ice they skate on is ground -> setting 'ice' (could be read as a mass noun with no background)."),
    ([S("apple", 1, "red"), S("pear", 1, "green")], [], None, NEXT),
    ([S("couch")], [], "floor",
     "'the tired body' is the body of an unnamed person: not a subject; the hard floor is a setting (floor)."),
    ([S("apple", 1, "red"), S("bowl", 1, "yellow")], [R("apple", "above", "bowl")], None, "'on top of' = above."),
    ([], [], "mountain trail",
     "terrain of the mountain trail is the setting (background 'mountain trail'); 'even the most experienced hikers' is a generic remark, hikers not taken as drawn. Ambiguous."),
    ([S("remote"), S("television", 1, "black")], [], None, NEXT),
    ([P("skyscraper")], [], "city skyline",
     "skyscrapers are buildings (concrete, plural without number); the city skyline is the setting; 'bright sunlight' lighting."),
    ([S("plant", 1, "green"), S("pot", 1, "white")], [], None, NEXT),
    ([P("hiker")], [], "mountain trail",
     "terrain of the mountain trail is the setting; hikers are present here ('as they climbed'), plural without number; 'summit' is part of the landscape."),
    ([S("rose", 1, "pink")], [], None,
     "'rose petals' and 'stem' are parts of a rose -> one rose; pink applies to its petals -> rose pink (brown is the stem's, a part). Could be read as loose petals."),
    ([S("pyramid"), S("prism"), S("star")], [], None, "geometric shapes taken as objects; 'propped up against' is no relation."),
    ([P("snowflake")], [], "sky",
     "snowflakes treated as drawn things like clouds (could be read as weather/snow, i.e. setting); sky and ground are settings, first 'sky' (its gray not recorded); 'blanket of white' is metaphor."),
    ([S("fireplace"), S("family")], [], "living room",
     "fireplace is a concrete object -> subject; its glow is light (mass). 'family' is a collective noun kept as one subject. 'a night in' is an idiom, not time of day."),
    # shape
    ([S("cufflink"), S("tie")], [], None, "'diamond' is a shape here."),
    ([S("cupcake"), S("wrapper")], [], None, ""),
    ([S("sandwich"), S("apple")], [], None, ""),
    ([S("rug")], [], "nursery", "pattern and fringe are parts of the rug."),
    ([S("cow"), S("calf")], [], None, ""),
    ([S("necklace"), S("brooch")], [], None, "'diamond' is a shape (or material); not part of the name."),
    ([S("ring"), S("ring holder")], [], None, "noun compound kept whole ('ring holder')."),
    ([S("ring"), S("brooch")], [], None, ""),
    ([S("bookend"), S("book")], [], None, ""),
    ([S("flag"), S("monument")], [], None, ""),
    ([S("sink"), S("countertop")], [], None, ""),
    ([S("platter"), S("plate")], [], None, ""),
    ([S("watermelon"), S("sandwich")], [], None, ""),
    ([S("cucumber"), S("mango")], [], None, ""),
    ([S("bread"), S("pear")], [], None, "'an oblong loaf of bread' -> bread x1 (the loaf is the counted portion)."),
    # texture
    ([S("rubber band"), P("shoe")], [], None,
     "'rubber band' is a lexicalised object name, kept whole; 'a leather shoes' is ungrammatical: read as shoes, plural without explicit number."),
    ([S("door"), S("table")], [], None, "'glass table': glass is a material."),
    ([S("dog"), S("couch")], [], "floor", "the wooden floor is a setting (floor); 'sleeps on' is plain support, omitted."),
    ([P("glove"), S("blanket")], [], None, "'rubber gloves' plural without number."),
    ([S("cutlery"), S("blanket")], [], None, "'a plastic cutlery': collective noun kept as one subject."),
    ([S("ball"), S("picture frame")], [], None, "noun compound kept whole ('picture frame')."),
    ([S("curtain"), S("mirror")], [], None, ""),
    ([S("spoon"), S("teddy bear")], [], None, ""),
    ([S("phone case"), S("vase")], [], None, "noun compound kept whole ('phone case')."),
    ([S("spoon"), S("hat")], [], None, ""),
    ([S("toy"), S("towel")], [], None, ""),
    ([S("door"), S("sweater")], [], None, ""),
    ([S("container"), S("pillow")], [], None, ""),
    ([P("sock"), P("slipper")], [], "floor",
     "socks and slippers plural without number; the wooden floor and the bedroom are settings, first is 'floor'."),
    ([S("bottle"), S("mirror")], [], None, ""),
    # 3d_spatial
    ([S("cup"), S("pig")], [R("cup", "behind", "pig")], None, HID),
    ([S("dog"), S("microwave")], [R("dog", "behind", "microwave")], None, HID),
    ([S("backpack"), S("bee")], [R("backpack", "behind", "bee")], None, ""),
    ([S("mouse"), S("bird")], [R("mouse", "behind", "bird")], None, HID),
    ([S("television"), S("desk")], [R("television", "in front of", "desk")], None, ""),
    ([S("giraffe"), S("chicken")], [R("giraffe", "behind", "chicken")], None, HID),
    ([S("computer"), S("man")], [R("computer", "behind", "man")], None, HID),
    ([S("couch"), S("desk")], [R("couch", "behind", "desk")], None, HID),
    ([S("lamp"), S("lamp")], [R("lamp", "in front of", "lamp")], None, "two distinct lamps, listed as two entries."),
    ([S("wallet"), S("mouse")], [R("wallet", "behind", "mouse")], None, ""),
    ([S("horse"), S("refrigerator")], [R("horse", "behind", "refrigerator")], None, HID),
    ([S("couch"), S("microwave")], [R("couch", "behind", "microwave")], None, HID),
    ([S("bee"), S("butterfly")], [R("bee", "behind", "butterfly")], None, HID),
    ([S("computer"), S("cat")], [R("computer", "behind", "cat")], None, HID),
    ([S("rabbit"), S("bowl")], [R("rabbit", "behind", "bowl")], None, ""),
    # non_spatial
    ([S("police officer")], [], "intersection", "traffic is a mass noun, not a subject."),
    ([S("child"), S("hula hoop")], [], "backyard", ""),
    ([S("book"), S("fireplace")], [], None,
     "fireplace is a concrete object -> subject; 'by' (near) is no relation; the reader is implied, not named."),
    ([S("spider"), S("web"), S("window")], [], None,
     "the web is a concrete thing the spider makes -> subject; window is an object; 'on' omitted."),
    ([S("woman"), S("laptop")], [], "home", "'working from home': home taken as the setting."),
    ([S("person"), S("sunglasses"), S("parade")], [], None,
     "'sunglasses' is plurale tantum, one object, count 1 (worn). 'a parade' (an event of people/floats) taken as a drawn subject; could be read as a scene/setting."),
    ([S("sun")], [], "mountains",
     "the sun is treated as a drawn object; the mountains are landscape (setting), so 'behind' has no subject target and is not recorded."),
    ([S("woman")], [], "conference room", "'presentation' is abstract."),
    ([S("person")], [], "gym", "'at a local gym' -> background 'gym'; rock climbing is an activity."),
    ([S("couple")], [], "stars",
     "'a couple' kept as one subject named 'couple' (could be person x2). 'under the stars' read as the night-sky setting, not stars as subjects, so no 'below' relation."),
    ([S("tree")], [], "breeze", "the breeze is weather -> setting."),
    ([S("couple")], [], "rink", "'a couple' kept as one subject named 'couple' (could be person x2)."),
    ([S("dog"), S("owner")], [], None, "the owner is present (the dog is in the owner's lap); lap is a body part; 'in' is no relation."),
    ([S("man"), S("map")], [], "mountain trail", ""),
    ([S("person"), S("window")], [], None, "stained glass is the window's material; 'looking at' is no relation."),
]


def main():
    rows = json.load(open("sample.json", encoding="utf-8"))
    assert len(rows) == len(L) == 120, (len(rows), len(L))
    with open("compbench_gold2.jsonl", "w", encoding="utf-8") as f:
        for r, (subj, rel, bg, note) in zip(rows, L):
            names = [s["name"] for s in subj]
            for x in rel:
                assert x["subject"] in names and x["target"] in names, r
            out = {"file": r["file"], "line": r["line"], "prompt": r["prompt"],
                   "subjects": subj, "relations": rel, "background": bg, "notes": note}
            f.write(json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
