"""The VLM critic: any OpenAI-compatible vision model (Qwen2.5-VL on vLLM or Ollama, GPT-4o)
judges each requirement, answering into a JSON schema with one field per requirement.

The picture goes as a data URL in an `image_url` part. A server that is down, slow, or answers
something that does not fit the schema is not fatal: the offline critic judges instead and the
person is told once. Requirements the model leaves "unknown" keep the offline verdict.
"""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable

import httpx
from pydantic import BaseModel, ValidationError

from chatdit.critics.base import CritiqueContext, Judgement, Requirement, edited_picture, make_critique, requirements_for
from chatdit.critics.offline import OfflineCritic, quality_checks
from chatdit.schema import Instruction, RequirementCheck

RETRY_AFTER = 300.0
"""Seconds a failed server is left alone before it is asked again."""
SYSTEM = ("You are the critic of an image generator. Look at the picture and judge each numbered claim "
          "strictly: 'pass' if the picture clearly shows it, 'fail' if it clearly does not, 'unknown' if you "
          "cannot tell. Give a short reason for every verdict. Answer only with JSON in the given schema.")


class Verdict(BaseModel):
    verdict: str
    reason: str = ""


def image_data_url(image, max_side: int = 768) -> str:
    image = image.convert("RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def verdict_schema(requirements: list[Requirement]) -> dict:
    """One required property per requirement (r1, r2, ...), each a verdict and a reason."""
    item = {"type": "object", "additionalProperties": False, "required": ["verdict", "reason"],
            "properties": {"verdict": {"type": "string", "enum": ["pass", "fail", "unknown"]}, "reason": {"type": "string"}}}
    keys = [f"r{i}" for i in range(1, len(requirements) + 1)]
    return {"type": "object", "additionalProperties": False, "required": keys, "properties": {k: item for k in keys}}


EDIT_DONE = "edit: done"
EDIT_KEPT = "edit: rest kept"


def edit_requirements(change: str | None) -> list[Requirement]:
    """What an edit is asked about besides the instruction's subjects: that the change was made
    (required: it is what the person asked for) and that nothing else was changed."""
    if not change:
        return []
    return [Requirement(name=EDIT_DONE, kind="presence", question=f"Compared with the first picture, was this change made: {change!r}?"),
            Requirement(name=EDIT_KEPT, kind="presence",
                        question="Apart from that change, does the second picture keep everything the first one shows?")]


class VLMUnusable(Exception):
    """The server failed, timed out or answered outside the schema."""


class VLMCritic:
    name = "vlm"

    def __init__(self, url: str, model: str, *, api_key: str | None = None, timeout: float = 60.0,
                 fallback: OfflineCritic | None = None, notify: Callable[[str], None] | None = None):
        self.url = url.rstrip("/") + "/chat/completions"
        self.model, self.api_key, self.timeout = model, api_key, timeout
        self.fallback = fallback or OfflineCritic()
        self.notify = notify or (lambda message: None)
        self.down: str | None = None
        self.down_since = 0.0

    @classmethod
    def from_settings(cls, settings, fallback=None, notify=None) -> "VLMCritic":
        return cls(settings.llm_url, settings.llm_model, api_key=settings.llm_api_key, timeout=settings.llm_timeout,
                   fallback=fallback, notify=notify)

    def judge(self, image, instruction: Instruction, context: CritiqueContext) -> Judgement:
        offline = self.fallback.judge(image, instruction, context)
        if self.down and time.monotonic() - self.down_since > RETRY_AFTER:
            self.down = None
        try:
            source = edited_picture(context)
        except OSError:  # the offline verdict says it was unreadable
            source = None
        requirements = requirements_for(instruction, context.prompt) + (edit_requirements(context.edit) if source else [])
        if self.down or not requirements or any(c.verdict == "fail" for c in quality_checks(image.convert("RGB"))):
            return offline
        try:
            answers = self.ask(image, requirements, source)
        except VLMUnusable as exc:
            self.down, self.down_since = str(exc), time.monotonic()
            self.notify(f"the VLM critic at {self.url} is unusable ({exc}); the offline critic judges this turn")
            return offline
        known = {c.name: c for c in offline.critique.checks}
        checks = [c for c in offline.critique.checks if c.kind in ("structure", "quality")]
        for req, answer in zip(requirements, answers):
            if answer.verdict == "unknown" and req.name in known:
                checks.append(known[req.name])
            else:
                checks.append(RequirementCheck(name=req.name, kind=req.kind, verdict=answer.verdict, detail=answer.reason[:200],
                                               required=req.name == EDIT_DONE))
        failing = {c.name for c in checks if c.verdict == "fail"}
        failing_subjects = {req.subject for req in requirements if req.name in failing}
        regions = [r for r in offline.regions if r.subject in failing_subjects]
        covered = {r.subject for r in regions}
        unlocalised = [req.name for req in requirements if req.name in failing and (req.subject is None or req.subject not in covered)]
        return Judgement(critique=make_critique(checks, context, self.name), regions=regions, unlocalised=unlocalised)

    def ask(self, image, requirements: list[Requirement], source=None) -> list[Verdict]:
        """The claims about `image`; with `source` (the picture an edit changed) both pictures go,
        the one before the edit first, so the claims about the change can be judged."""
        claims = "\n".join(f"r{i}: {req.question}" for i, req in enumerate(requirements, start=1))
        pictures = [source, image] if source is not None else [image]
        intro = ("The first picture is before the edit, the second after it; the claims are about the second.\n"
                 if source is not None else "")
        body = {
            "model": self.model, "temperature": 0,
            "messages": [{"role": "system", "content": SYSTEM},
                         {"role": "user", "content": [{"type": "text", "text": f"{intro}Claims about the picture:\n{claims}"},
                                                      *({"type": "image_url", "image_url": {"url": image_data_url(p)}}
                                                        for p in pictures)]}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "critique", "strict": True, "schema": verdict_schema(requirements)}},
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout)
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
            data = json.loads(content)
            answers = [Verdict.model_validate(data[f"r{i}"]) for i in range(1, len(requirements) + 1)]
        except httpx.TimeoutException:
            raise VLMUnusable(f"no answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise VLMUnusable(f"{exc.__class__.__name__}: {exc}") from None
        except (ValueError, KeyError, IndexError, TypeError, ValidationError) as exc:
            raise VLMUnusable(f"the answer did not fit the schema: {str(exc)[:80]}") from None
        bad = [a.verdict for a in answers if a.verdict not in ("pass", "fail", "unknown")]
        if bad:
            raise VLMUnusable(f"the answer used verdicts {bad[:3]} outside pass/fail/unknown")
        return answers
