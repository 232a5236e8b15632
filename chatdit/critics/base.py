"""What every critic shares: the requirements an output must meet, the protocol, the verdict.

A critic judges one picture against the requirements derived from the Instruction (each subject's
presence, count, color and position; the background; text the picture must show; a character's
identity). A requirement it cannot check is "unknown", never "pass": the score counts only what
was checked, and the feedback says what was not.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, Field

from chatdit.lexicon import NUMBER_NAMES, plural
from chatdit.schema import Critique, EditSpec, Instruction, RequirementCheck, Subject

if TYPE_CHECKING:
    from PIL import Image

RequirementKind = Literal["presence", "count", "color", "position", "text", "identity"]
Box = tuple[float, float, float, float]
"""A region of the picture, normalised xyxy (0..1)."""

ABSOLUTE_POSITIONS = ("top left", "top right", "bottom left", "bottom right", "left", "right", "top", "bottom", "center")
BLANK_STDDEV = 2.0
"""Below this pixel standard deviation a picture is a flat fill, which no prompt asks for."""
QUOTED_TEXT = re.compile(r"""(?:says|saying|reads|reading|text|written|titled|sign|label)\s*:?\s*["“']([^"”']{1,60})["”']""",
                         re.IGNORECASE)


class Requirement(BaseModel):
    """One checkable claim about one output: 'two foxes', 'the fox is red', 'the sun left of the tree'."""

    name: str
    kind: RequirementKind
    subject: int | None = Field(default=None, description="index into Instruction.subjects")
    question: str = Field(description="the claim asked as a yes/no question (what the VLM critic is asked)")
    text: str | None = None
    position: str | None = Field(default=None, description="absolute position word, or a relation")
    target: int | None = None
    required: bool = Field(default=False, description="the story's hero: missing fails the page, unknown leaves it unchecked")


class CritiqueContext(BaseModel):
    """What a critic knows about the output besides its pixels."""

    asset_id: str = ""
    prompt: str = Field(default="", description="the prompt this output was drawn from")
    page: int | None = None
    attempt: int = 0
    threshold: float = 0.75
    edit: str | None = Field(default=None, description="for an edit, the change asked for ('make the fox blue')")
    edit_spec: EditSpec | None = Field(default=None, description="the same change as the parser understood it")
    source: str | None = Field(default=None, description="for an edit, the picture it changed (a path): an edit is "
                                                         "judged on what it kept as well as on what it changed")


def edited_picture(context: CritiqueContext) -> "Image.Image | None":
    """The picture an edit changed, or None when the output is not an edit; raises OSError when
    that file cannot be read (each critic says what that means for its verdict)."""
    from PIL import Image

    if not (context.source and context.edit):
        return None
    with Image.open(context.source) as opened:
        return opened.convert("RGB")


class Region(BaseModel):
    """Where a failing requirement is, for the inpaint strategy: the box to redraw."""

    requirement: str
    subject: int | None = None
    box: Box
    action: Literal["add", "remove", "redraw", "replace"] = "redraw"  # replace: a misread lookalike by a clean one


class Judgement(BaseModel):
    """A critic's answer: the Critique (stored, streamed) and the regions it could localise."""

    critique: Critique
    regions: list[Region] = Field(default_factory=list)
    unlocalised: list[str] = Field(default_factory=list, description="failing requirements no region covers")

    @property
    def localised(self) -> bool:
        """True when every failing requirement has a region to redraw (the inpaint strategy applies)."""
        return bool(self.regions) and not self.unlocalised


class Critic(Protocol):
    name: str

    def judge(self, image: "Image.Image", instruction: Instruction, context: CritiqueContext) -> Judgement: ...


# ---------------------------------------------------------------- requirements


def describe_subject(subject: Subject, count: int | None = None) -> str:
    """'a red fox', 'two blue birds'."""
    n = subject.count if count is None else count
    noun = subject.name if n == 1 else plural(subject.name)
    words = ["a" if n == 1 else NUMBER_NAMES.get(n, str(n)), subject.color, noun]
    return " ".join(w for w in words if w)


def absolute_position(subject: Subject) -> str | None:
    """An absolute position among the subject's attributes ('on the left' -> 'left')."""
    for attribute in subject.attributes:
        text = attribute.lower().replace("middle", "center").replace("centre", "center")
        for position in ABSOLUTE_POSITIONS:
            if re.search(rf"\b{position}\b", text):
                return position
    return None


def mentioned(subject: Subject, prompt: str) -> bool:
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    name = subject.name.lower().split()[-1]
    return name in words or plural(name) in words or (subject.character or "").lower() in words - {""}


def subjects_for(instruction: Instruction, prompt: str) -> list[int]:
    """Indices of the subjects this output must show: all for a single picture, else those its prompt names."""
    many = len(instruction.pages) > 1 or instruction.output_count > 1
    indices = list(range(len(instruction.subjects)))
    if not many or not prompt:
        return indices
    return [i for i in indices if mentioned(instruction.subjects[i], prompt)]


def requirements_for(instruction: Instruction, prompt: str = "") -> list[Requirement]:
    """Every checkable claim the instruction makes about the output drawn from `prompt`."""
    prompt = prompt or instruction.prompt
    chosen = subjects_for(instruction, prompt)
    reqs: list[Requirement] = []
    for i in chosen:
        subject = instruction.subjects[i]
        one = describe_subject(subject, 1)
        reqs.append(Requirement(name=f"{subject.name}: present", kind="presence", subject=i, required=subject.hero,
                                question=f"Does the picture show {one}?"))
        if subject.count_stated:
            reqs.append(Requirement(name=f"{subject.name}: count {subject.count}", kind="count", subject=i,
                                    question=f"Does the picture show exactly {subject.count} "
                                             f"{subject.name if subject.count == 1 else plural(subject.name)}?"))
        if subject.color:
            reqs.append(Requirement(name=f"{subject.name}: {subject.color}", kind="color", subject=i,
                                    question=f"Is the {subject.name} {subject.color}?"))
        where = absolute_position(subject)
        if where:
            reqs.append(Requirement(name=f"{subject.name}: {where}", kind="position", subject=i, position=where,
                                    question=f"Is the {subject.name} at the {where} of the picture?"))
        if subject.position and subject.position.target in chosen and subject.position.target != i:
            other = instruction.subjects[subject.position.target].name
            rel = subject.position.relation
            reqs.append(Requirement(name=f"{subject.name} {rel} {other}", kind="position", subject=i, position=rel,
                                    target=subject.position.target, question=f"Is the {subject.name} {rel} the {other}?"))
        if subject.depth and subject.depth.target in chosen and subject.depth.target != i:
            other = instruction.subjects[subject.depth.target].name
            rel = subject.depth.relation
            reqs.append(Requirement(name=f"{subject.name} {rel} {other}", kind="position", subject=i, position=rel,
                                    target=subject.depth.target, question=f"Is the {subject.name} {rel} the {other}?"))
        if subject.character:
            reqs.append(Requirement(name=f"{subject.character}: identity", kind="identity", subject=i,
                                    question=f"Is this the same {subject.name} ({subject.character}) as in the reference?"))
    if instruction.background and (len(instruction.pages) <= 1 or instruction.background.lower() in prompt.lower()):
        reqs.append(Requirement(name=f"background: {instruction.background}", kind="presence",
                                question=f"Is the setting {instruction.background}?", text=instruction.background))
    if instruction.setting:  # 'in a snowy forest': the forest is asked for too
        reqs.append(Requirement(name=f"setting: {instruction.setting}", kind="presence",
                                question=f"Is the setting a {instruction.setting}?", text=instruction.setting))
    for quoted in QUOTED_TEXT.findall(prompt):
        reqs.append(Requirement(name=f"text: {quoted}", kind="text", text=quoted,
                                question=f'Does the picture show the text "{quoted}" legibly?'))
    if any(item.role == "face" for item in instruction.inputs):
        reqs.append(Requirement(name="face: identity", kind="identity",
                                question="Does the person's face match the attached face picture?"))
    return reqs


# ---------------------------------------------------------------- verdict


def content_checks(checks: list[RequirementCheck]) -> list[RequirementCheck]:
    return [c for c in checks if c.kind not in ("structure", "quality")]


def coverage_of(checks: list[RequirementCheck]) -> float | None:
    """Share of content requirements with a verdict; None when there are none to check."""
    content = content_checks(checks)
    if not content:
        return None
    return round(sum(c.verdict != "unknown" for c in content) / len(content), 4)


def score_checks(checks: list[RequirementCheck]) -> float:
    """Share of checked requirements met; a structure or quality failure makes it 0. With nothing
    checked nothing failed, so it is 1, and the critique's coverage (0) says it means nothing."""
    if any(c.verdict == "fail" and c.kind in ("structure", "quality") for c in checks):
        return 0.0
    judged = [c for c in content_checks(checks) if c.verdict != "unknown"]
    if not judged:
        return 1.0
    return sum(c.verdict == "pass" for c in judged) / len(judged)


def failing_checks(checks: list[RequirementCheck]) -> list[RequirementCheck]:
    """The failures worth saying: a subject that is missing is said once, not again as its wrong
    count, color and position."""
    missing = {c.name.removesuffix(": present") for c in checks if c.verdict == "fail" and c.name.endswith(": present")}
    return [c for c in checks if c.verdict == "fail" and
            (c.name.endswith(": present") or not any(c.name.startswith((f"{m}:", f"{m} ")) for m in missing))]


def feedback_text(checks: list[RequirementCheck]) -> str:
    """What a person (and the next attempt) should know: what failed, what could not be checked."""
    failing = [f"{c.name} ({c.detail})" if c.detail else c.name for c in failing_checks(checks)]
    unknown = [c.name for c in checks if c.verdict == "unknown"]
    parts = []
    if failing:
        parts.append("fix: " + "; ".join(failing))
    if unknown:
        parts.append(f"not checked: {', '.join(unknown[:4])}" + (f" and {len(unknown) - 4} more" if len(unknown) > 4 else ""))
    if coverage_of(checks) == 0 and not failing:
        parts.insert(0, "the critic could check none of the requirements")
    return ". ".join(parts) or "every checked requirement is met"


def make_critique(checks: list[RequirementCheck], context: CritiqueContext, critic: str) -> Critique:
    score = score_checks(checks)
    passed = score >= context.threshold and not any(c.verdict == "fail" and (c.required or c.kind in ("structure", "quality"))
                                                    for c in checks)
    return Critique(asset_id=context.asset_id, score=round(score, 4), passed=passed, checks=checks, coverage=coverage_of(checks),
                    feedback=feedback_text(checks), critic=critic, attempt=context.attempt)
