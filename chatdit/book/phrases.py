"""The offline writer's phrase book: what a picture book says about a setting, a thing on the
page, or what the characters do. Each entry has several wordings so that a book reads like
prose, not a form; `{who}` is the character(s), `{thing}` the thing, `{was}` agrees with `{who}`.
"""

from __future__ import annotations

OPENINGS = [
    "Once upon a time there {was} {who}.",
    "There once lived {who}.",
    "This is the story of {who}.",
    "Not so long ago, in a land not so far away, there lived {who}.",
]

SETTINGS: dict[str, list[str]] = {
    "day": ["The sun was warm and the sky was blue.", "It was a bright and sunny day.",
            "The morning was fresh and full of light."],
    "sunrise": ["The sun was just coming up, pink and gold.", "A new day was beginning."],
    "sunset": ["The sun was going down, and the sky turned gold and pink.", "Evening came, and the sky glowed orange.",
               "As the sun sank low, long shadows stretched across the ground."],
    "night": ["Night had come, and the stars were out.", "It was dark and still, and the world was asleep.",
              "The night was quiet, and the sky was deep and dark."],
    "snow": ["Snow had fallen, and everything was soft and white.", "Snowflakes drifted slowly down from the sky.",
             "The world was cold and white and very quiet."],
    "sea": ["The waves rolled gently onto the shore.", "The sea sparkled as far as the eye could see.",
            "A salty wind blew in from the water."],
}

TRANSITIONS: dict[str, list[str]] = {
    "day": ["The next morning, ", "When the sun came up, "],
    "sunrise": ["Early the next morning, "],
    "sunset": ["That evening, ", "As the day came to an end, "],
    "night": ["That night, ", "When it grew dark, "],
    "snow": ["When winter came, ", "One snowy day, "],
    "sea": ["Down by the sea, ", "At the seaside, "],
}
"""How a page begins when its setting differs from the page before."""

THINGS: dict[str, list[str]] = {
    "moon": ["{Who} looked up at {thing}.", "{Who} sat quietly and watched {thing} rise."],
    "sun": ["{Who} smiled up at {thing}.", "{Who} felt the warmth of {thing}."],
    "star": ["{Who} made a wish on {thing}.", "{Who} gazed up at {thing}, twinkling high above."],
    "stars": ["{Who} counted {thing}, one by one.", "{Who} gazed up at {thing}, twinkling high above."],
    "cloud": ["{Who} watched {thing} drift slowly by.", "{Who} lay back and looked at {thing}."],
    "tree": ["{Who} rested in the shade of {thing}.", "{Who} found {thing} and sat down beside it."],
    "trees": ["{Who} walked among {thing}.", "{Who} played hide and seek among {thing}."],
    "flower": ["{Who} stopped to smell {thing}.", "{Who} found {thing} growing all alone."],
    "fish": ["{Who} watched {thing} splash in the water.", "{Who} waved to {thing} swimming by."],
    "bird": ["{Who} met {thing}, who sang a cheerful song.", "{Who} made friends with {thing}."],
    "birds": ["{Who} listened to {thing} singing.", "{Who} made friends with {thing}."],
    "boat": ["{Who} watched {thing} bobbing on the water.", "{Who} waved to {thing} sailing past."],
    "house": ["{Who} came upon {thing}.", "{Who} knocked on the door of {thing}."],
    "heart": ["{Who} found {thing} and felt warm inside."],
    "fox": ["{Who} met {thing}.", "{Who} made friends with {thing}."],
}
GENERIC_THING = ["{Who} found {thing}.", "{Who} saw {thing}.", "{Who} came across {thing}."]

ACTIONS: list[tuple[tuple[str, ...], list[str]]] = [
    (("back home", "home again", "came home", "going home"),
     ["At last {who} came home again.", "{Who} went back home, tired and happy."]),
    (("journey", "setting off", "set off", "adventure"),
     ["{Who} set off on a long journey.", "{Who} set off to see the wide world."]),
    (("far from home", "got lost", "gets lost", "is lost", "was lost", "are lost", "were lost"),  # not 'the lost puppy'
     ["{Who} {was} far, far from home now.", "The road was long, and the world was big and new."]),
    (("looking up", "look up", "the sky", "wonder"),
     ["{Who} looked up and wondered what lay beyond the sky.", "{Who} gazed at the sky for a long, long time."]),
    (("trying again", "try again", "tries again", "falls", "fell"), ["{Who} fell down, got up, and tried again."]),
    (("new friends", "friends", "friend"), ["Along the way {who} made new friends.", "{Who} {was} never lonely now."]),
    (("happy", "at last", "smiling"), ["{Who} {was} happy at last.", "{Who} smiled a great big smile."]),
    (("sleep", "asleep", "sleeping", "dream"), ["{Who} curled up and fell fast asleep.", "{Who} closed {their} eyes and dreamed."]),
    (("play", "playing", "games"), ["{Who} ran and jumped and played.", "{Who} played and dreamed of adventures."]),
    (("fly", "flying", "flies"), ["{Who} flew high above the ground.", "Up, up, up went {who}, into the air."]),
    (("swim", "swimming"), ["{Who} swam in the cool, clear water."]),
    (("run", "running", "race"), ["{Who} ran as fast as the wind."]),
    (("jump", "jumping", "hop"), ["{Who} jumped as high as {they} could."]),
    (("dance", "dancing"), ["{Who} danced and twirled."]),
    (("walk", "walking", "wander"), ["{Who} went for a long walk.", "{Who} wandered on and on."]),
    (("eat", "eating", "picnic", "lunch"), ["{Who} sat down for a little picnic."]),
    (("hide", "hiding"), ["{Who} hid and waited, very still."]),
    (("read", "reading", "book"), ["{Who} read a story, page by page."]),
]
"""Words a page's description may use, and what the text says then (first match wins)."""

WANDERING = ["{Who} wandered on, looking at everything.", "{Who} stopped and looked around.",
             "{Who} {was} out exploring.", "{Who} took a deep breath and went on."]
