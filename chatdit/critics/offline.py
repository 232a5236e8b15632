"""The offline critic: image analysis that needs no download.

- quality: blank and low-contrast pictures fail (a corrupt file fails before it gets here);
- the storybook world: objects, colors, counts, positions and backgrounds, by the world detector,
  when the picture is drawn in the world's palette (the nano model's pictures);
- faces: the shipped BlazeFace detector (chatdit/vision/faces.py) counts frontal faces for people subjects;
- text: OCR when rapidocr is installed.
Anything else is "unknown", so a picture is never praised for what nobody looked at.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from chatdit.critics import world
from chatdit.critics.base import BLANK_STDDEV, CritiqueContext, Judgement, Requirement, edited_picture, make_critique, requirements_for
from chatdit.schema import Instruction, RequirementCheck

LOW_CONTRAST = 16.0
"""Luminance spread (2nd to 98th percentile) below which nothing in the picture can be told apart."""
PEOPLE = {"person", "people", "man", "men", "woman", "women", "boy", "girl", "child", "children", "kid", "kids",
          "baby", "face", "faces", "portrait", "lady", "guy", "king", "queen", "princess", "prince", "astronaut"}
TEXT_MATCH = 0.6


def quality_checks(image) -> list[RequirementCheck]:
    gray = np.asarray(image.convert("L"), dtype=np.float32)
    spread = float(np.asarray(image.convert("RGB"), dtype=np.float32).reshape(-1, 3).std(axis=0).max())
    lo, hi = np.percentile(gray, [2, 98])
    checks = [RequirementCheck(name="not blank", kind="quality", verdict="pass" if spread >= BLANK_STDDEV else "fail",
                               detail=f"pixel spread {spread:.1f}")]
    if spread >= BLANK_STDDEV:
        checks.append(RequirementCheck(name="contrast", kind="quality", verdict="pass" if hi - lo >= LOW_CONTRAST else "fail",
                                       detail=f"luminance range {hi - lo:.0f}"))
    return checks


def count_faces(image) -> int | None:
    """Frontal faces found by the shipped BlazeFace detector (OpenCV 5 has no Haar cascades)."""
    from chatdit.vision.faces import count_faces as blazeface_count

    return blazeface_count(image)


def check_people(req: Requirement, instruction: Instruction, faces: int | None) -> RequirementCheck | None:
    """Frontal faces say a person is there; not finding one proves nothing (profiles, drawings)."""
    if req.subject is None or req.kind not in ("presence", "count"):
        return None
    subject = instruction.subjects[req.subject]
    if subject.name.lower().split()[-1] not in PEOPLE:
        return None
    if faces is None:
        return RequirementCheck(name=req.name, kind=req.kind, verdict="unknown",
                                detail="no face detector in this OpenCV build (it needs the Haar cascades)")
    wanted = 1 if req.kind == "presence" else subject.count
    ok = faces >= 1 if req.kind == "presence" else faces == wanted
    return RequirementCheck(name=req.name, kind=req.kind, verdict="pass" if ok else "unknown",
                            detail=f"{faces} frontal face(s) found" + ("" if ok else "; the face detector misses profiles and drawings"))


@lru_cache(maxsize=1)
def _ocr_engine():
    try:
        from rapidocr import RapidOCR  # type: ignore
    except ImportError:
        try:
            from rapidocr_onnxruntime import RapidOCR  # type: ignore
        except ImportError:
            return None
    return RapidOCR()


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def check_text(req: Requirement, image) -> RequirementCheck:
    engine = _ocr_engine()
    if engine is None:
        return RequirementCheck(name=req.name, kind="text", verdict="unknown", detail="no OCR installed (pip install rapidocr-onnxruntime)")
    from difflib import SequenceMatcher

    result = engine(np.asarray(image.convert("RGB")))
    lines = result[0] if isinstance(result, tuple) else getattr(result, "txts", None)
    read = " ".join((line[1] if isinstance(line, (list, tuple)) else str(line)) for line in (lines or []))
    ratio = SequenceMatcher(None, _normalise(req.text or ""), _normalise(read)).ratio() if read else 0.0
    return RequirementCheck(name=req.name, kind="text", verdict="pass" if ratio >= TEXT_MATCH else "fail",
                            detail=f"read {read[:40]!r}" if read else "no text found")


class OfflineCritic:
    """Detectors that run anywhere; honest about what they cannot see."""

    name = "offline"

    def judge(self, image, instruction: Instruction, context: CritiqueContext) -> Judgement:
        image = image.convert("RGB")
        checks = quality_checks(image)
        if any(c.verdict == "fail" for c in checks):
            return Judgement(critique=make_critique(checks, context, self.name))
        requirements = requirements_for(instruction, context.prompt)
        scene = None
        if world.applies(image):
            from chatdit.storybook.detector import detect_scene

            scene = detect_scene(image)
        faces = count_faces(image) if any(self._about_people(r, instruction) for r in requirements) else 0
        failing: list[Requirement] = []
        for req in requirements:
            check = None
            if req.kind == "text":
                check = check_text(req, image)
            if check is None and scene is not None:
                check = world.check_world(req, instruction, scene, image)
                if check is not None and check.verdict == "fail":
                    failing.append(req)
            if check is None:
                check = check_people(req, instruction, faces)
            checks.append(check or RequirementCheck(name=req.name, kind=req.kind, verdict="unknown",
                                                    detail=self._why_unknown(req, scene)))
        edited = self._edit_checks(context, image)
        checks += edited
        regions = world.localise(failing, instruction, scene) if failing else []
        covered = {r.subject for r in regions}
        failed = {c.name for c in checks if c.verdict == "fail"}
        unlocalised = [r.name for r in requirements if r.name in failed and (r.subject is None or r.subject not in covered)
                       and (r.target is None or r.target not in covered)]  # a relation fixed by adding its target
        unlocalised += [c.name for c in edited if c.verdict == "fail"]
        return Judgement(critique=make_critique(checks, context, self.name), regions=regions, unlocalised=unlocalised)

    @staticmethod
    def _edit_checks(context: CritiqueContext, image) -> list[RequirementCheck]:
        """The edit's change and what it kept, when the output is an edit and the picture it changed
        is in the world too."""
        from chatdit.critics.world_edit import edit_checks, unchecked

        try:
            before = edited_picture(context)
        except OSError as exc:
            return [RequirementCheck(name="kept: the rest", kind="presence", verdict="unknown",
                                     detail=f"the picture it changed is unreadable ({exc.__class__.__name__})")]
        if before is None:
            return []
        if not (world.applies(before) and world.applies(image)):
            return [unchecked(context.edit or "", "outside the storybook world: no offline check of the change")]
        return edit_checks(before, image, context.edit_spec or context.edit)

    @staticmethod
    def _about_people(req: Requirement, instruction: Instruction) -> bool:
        return req.subject is not None and instruction.subjects[req.subject].name.lower().split()[-1] in PEOPLE

    @staticmethod
    def _why_unknown(req: Requirement, scene) -> str:
        if req.kind == "identity":
            return "identity needs the VLM critic"
        if req.kind == "position" and req.position in ("in front of", "behind") and scene is None:
            return "depth order is checked offline only in the storybook world"
        return "no offline detector for this" if scene is None else "outside the storybook world"
