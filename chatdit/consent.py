"""Reading a face-swap message for the consent of the person whose face is used.

Only an unambiguous affirmative counts ("I have their consent", "this is my face"). Any denial
in the sentence that speaks of consent ("consent withheld", "from nobody", "agreed to nothing",
"consent given: NO"), a question ("They agreed?") or a hedge ("I think he agreed") is not consent:
a denial refuses the swap, anything else unclear is asked (the `consent=` callback, the TUI's
dialog, the CLI's prompt) or refused. The reading keeps the words it relied on, so provenance can
say who affirmed and how.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from chatdit.errors import ConsentRequiredError
from chatdit.schema import Instruction

Verdict = Literal["affirm", "deny", "unclear"]

CONSENT_WORDS = re.compile(
    r"\b(?:consent\w*|agree\w*|disagree\w*|refus\w*|declin\w*|permission|permitted|allowed|approv\w*|ok(?:ay|'?d)?|fine with|sa(?:id|ys) (?:yes|no)|objecte?d?|"
    r"my (?:own )?face|this is me|it'?s me|that'?s me|face is mine)\b")
AFFIRMATIVE = re.compile(
    r"\b(?:(?:i|we) (?:have|got|obtained|received|hold|gave|give) (?:(?:their|his|her|the|full|explicit|written|"
    r"signed|verbal|clear|all|every|a|informed|the person'?s|everyone'?s) )*(?:consent|permission|ok|approval)|"
    r"(?:with|under|by) (?:(?:their|his|her|full|explicit|written|signed|clear|informed) )*(?:consent|permission)|"
    r"(?:consent|permission) (?:is |was |has been |have been )?(?:given|granted|obtained|confirmed|provided|received)|"
    r"(?:consent|consented|permission)\s*(?:[:=]|is|was)\s*(?:yes|true|given|granted)|"
    r"(?:i|we) (?:consent|agree|agreed|approve)|"
    r"(?:they|he|she|the person|the people|everyone|both|all of them|my (?:friend|wife|husband|partner|son|daughter|"
    r"brother|sister|mother|father|mom|mum|dad|colleague))"
    r" (?:(?:have|has|all|both|fully|explicitly|already) )*(?:agreed|consented|approved|said yes|gave (?:(?:their|his|her|"
    r"full|explicit|written) )*(?:consent|permission))|"
    r"it'?s (?:my (?:own )?face|me)|this is (?:me|my (?:own )?face)|that'?s me|the face is mine)\b")
NEGATION = re.compile(
    r"\b(?:no|not|never|nobody|no-?one|none|nothing|neither|nor|without|withh[eo]ld\w*|refus\w*|declin\w*|den(?:y|ied|ies)|"
    r"revok\w*|withdr[ae]w\w*|reject\w*|false|lack\w*|missing|against|nope|nah|unconsent\w*|disagree\w*|"
    r"unwilling|objects?|objected|cannot|(?:do|does|did|have|has|had|wo|would|ca|could|is|are|was|were|should|ai|must|need)nt)\b"
    r"|\w+n't\b")
HEDGE = re.compile(
    r"\b(?:maybe|probably|perhaps|possibly|think|guess|believe|suppose|assume|hope\w*|might|may|should|would|could|"
    r"will|shall|gonna|going to|if|unless|once|when|soon|later|pending|ask\w*|kind of|sort of|supposedly|"
    r"apparently|presumably|likely|fake|pretend\w*|joke|joking|kidding)\b")
ANSWER_NO = re.compile(r"^\W*(?:no|nope|nah|not really|no way|never|negative|false)\W*$")
RETRACTION = re.compile(r"\b(?:kidding|joking|jk|just a joke|not true|scratch that|actually no)\b")


class ConsentReading(BaseModel):
    """What a message says about consent, and the words that say it."""

    verdict: Verdict
    words: str = ""

    def note(self) -> str:
        """For provenance: who affirmed and how (only meaningful for an affirmative)."""
        return f"stated by the sender in the message: {self.words!r}"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'").lower())


def clauses(text: str) -> list[str]:
    """The message cut at sentence and clause marks, each clause keeping its own '?'."""
    parts = re.split(r"(?<=[.!?;,\n])|\bbut\b", normalise(text))
    return [part.strip() for part in parts if part.strip()]


def read_consent(text: str) -> ConsentReading:
    """affirm / deny / unclear, from the clauses that speak of consent (and the answers after them)."""
    parts = clauses(text[:20_000])
    spoken = [i for i, part in enumerate(parts) if CONSENT_WORDS.search(part)]
    if not spoken:
        return ConsentReading(verdict="unclear")
    doubted = False
    for i in spoken:
        part, following = parts[i], parts[i + 1: i + 3]
        if NEGATION.search(part) or part.endswith("?"):
            return ConsentReading(verdict="deny", words=part.strip(" ,.;"))
        if following and ANSWER_NO.match(following[0]) or any(RETRACTION.search(f) for f in following):
            return ConsentReading(verdict="deny", words=" ".join([part, *following]).strip(" ,.;"))
        # a short negative right after ("I have consent, not from her mother") puts the consent in doubt
        doubted |= any(len(f.split()) <= 5 and NEGATION.search(f) for f in following)
    affirmed = [parts[i] for i in spoken if AFFIRMATIVE.search(parts[i])]
    if not affirmed or doubted or any(HEDGE.search(parts[i]) for i in spoken):
        return ConsentReading(verdict="unclear", words=parts[spoken[0]].strip(" ,.;"))
    return ConsentReading(verdict="affirm", words=affirmed[0].strip(" ,.;"))


def consent_given(text: str) -> bool:
    """True only when the message affirms consent without doubt."""
    return read_consent(text).verdict == "affirm"


def settle_consent(instruction: Instruction, text: str) -> Instruction:
    """A face-swap instruction's consent as the message states it, whatever backend read it: a
    denial refuses, an affirmative is recorded with its words, anything else will be asked."""
    reading = read_consent(text)
    refuse_if_denied(reading)
    affirmed = reading.verdict == "affirm"
    return instruction.model_copy(update={"consent": affirmed, "consent_note": reading.note() if affirmed else None})


def refuse_if_denied(reading: ConsentReading) -> None:
    """A message that denies consent is refused outright; nobody is asked to overrule it."""
    if reading.verdict == "deny":
        raise ConsentRequiredError(
            f"the message says consent was not given ({reading.words!r}); face swap needs the consent of the person "
            "whose face is used, so nothing was generated. If they do agree, say so plainly ('I have their consent')")
