"""Where a scene is, as opposed to what is in it: backgrounds and setting phrases.

"two boats on the sea at sunset" has boats in it and a sea and a sunset behind them; the
background is read once here, and the setting phrases are cut before subjects are read.
"""

from __future__ import annotations

import re

BACKGROUNDS: list[tuple[str, str]] = [
    (r"\b(?:at|in the|during the|on a|in a|on the)(?: (?!snowy|sunny)[a-z]+){0,2}? (?:night(?: sky)?|nighttime|night time|midnight)\b"
     r"|\bunder the stars\b|\b(?=under the moon\b)|\bat night\b", "night"),  # the moon is night, and drawn
    (r"\b(?:at|during) (?:sunset|dusk|sundown|twilight)\b|\b(?:at|watch|watches|watching|watched) the sunset\b|\bin the evening(?: glow| light| sun)?\b", "sunset"),
    (r"\b(?:at|during) (?:sunrise|dawn|daybreak)\b", "sunrise"),
    (r"\b(?:in|on|over|across|through) (?:the )?snow\b|\bin (?:the )?winter(?: snow)?\b|\bsnowy (?:day|field|landscape)\b"
     r"|\bin a snowstorm\b|\bsnowy (?=(?:forest|woods|field|meadow|hills?|mountains?|park|village|town|garden|valley|path|road|"
     r"street|yard|clearing|night|evening|morning)\b)", "snow"),
    (r"\b(?:by|at|on|in|near|over|across|into|along|beside) the (?:sea|ocean|seaside|beach)\b|\bat sea\b|\bunder ?water\b|\bunder the sea\b"
     r"|\b(?:on|over|across) the (?:water|waves)\b|\b(?:on|at|to|by) a (?:[a-z]+ )?beach\b", "sea"),
    (r"\b(?:during|in) the (?:day|daytime|morning|afternoon)\b|\bon a (?:[a-z]+ )?(?:day|afternoon|morning)\b|\bat noon\b"
     r"|\bby day\b", "day"),
    (r"\b(?:in|at|inside|on|through|into|by|near) (?:the|a|an|its|his|her|their) (?:[a-z]+ ){0,2}"
     r"(?:forest|woods|park|city|town|village|garden|kitchen|living room|bedroom|room|street|desert|jungle|field|meadow|"
     r"mountains|space|outer space|library|castle|classroom|farm|countryside|cave|sky|clouds|rain|office|museum|"
     r"playground|zoo|market|school|studio|bathroom|attic|swamp|valley|savanna|arctic|island|den|burrow|river|lake|pond|"
     r"barn)\b|\bat home\b", "place"),
]
# Phrases that say where a scene is, never what is in it: the backgrounds above and the sky. The
# first one found is the instruction's background; any other ("stars over the sea at night") stays
# in the prompt for the model but is not a subject to draw, check or warn about.
SETTING_PHRASES = re.compile(
    "|".join(f"(?:{pattern})" for pattern, name in BACKGROUNDS if name != "place")
    + r"|\b(?:over|above|across|along|beside) the (?:sea|ocean|waves|water|snow)\b"
    + r"|\b(?:up )?(?:in|across|into|through|under|on) the (?:sky|snow)\b",
    re.IGNORECASE)


def find_background(text: str) -> tuple[str | None, str]:
    """(background, text without it): the nano world's names where they fit, else the phrase."""
    bare = re.search(r",\s*(day|daytime|night|sunset|dusk|snow|sea)\s*[.!]?\s*$", text, flags=re.IGNORECASE)
    if bare:
        name = {"daytime": "day", "dusk": "sunset"}.get(bare.group(1).lower(), bare.group(1).lower())
        return name, text[: bare.start()].strip(" ,")
    for pattern, name in BACKGROUNDS:
        match = next((m for m in re.finditer(pattern, text, flags=re.IGNORECASE) if not names_a_thing(text, m)), None)
        if match:
            phrase = match.group(0).strip()
            rest = (text[: match.start()] + text[match.end():]).strip()
            return (phrase.lower() if name == "place" else name), re.sub(r"\s{2,}", " ", rest).strip(" ,")
    return None, text


def names_a_thing(text: str, match: re.Match[str]) -> bool:
    """'on a park bench': the place word starts a thing's name, so the phrase is no setting."""
    from chatdit.llm.vocab import singular
    from chatdit.llm.words import compound_nouns

    following = re.match(r"\s+([a-z]+)", text[match.end():].lower())
    if not following:
        return False
    place = match.group(0).lower().split()[-1]
    return f"{place} {singular(following.group(1))}" in compound_nouns()


def without_settings(scene: str) -> str:
    """The scene with its setting phrases cut, for reading its subjects ('two boats on the sea at
    sunset' has boats, not a sea)."""
    cut = SETTING_PHRASES.sub(" ", scene)
    return re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", cut)).strip(" ,")
