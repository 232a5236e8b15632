"""The VLM critic: any OpenAI-compatible vision model (Qwen2.5-VL on vLLM or Ollama, GPT-4o)
judges each requirement, answering into a JSON schema with one field per requirement.

The picture goes as a data URL in an `image_url` part; an edit's before and after go as two, or
side by side in one where the server takes one picture per prompt (vLLM's default). An answer
outside the schema is asked again once with the problem stated (code fences and prose around the
JSON are fine). A server that is down, slow, or still answers garbage is not fatal: the offline
critic judges instead and the person is told once. Requirements the model leaves "unknown" keep
the offline verdict.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable

from pydantic import BaseModel, ValidationError

from chatdit.critics.base import CritiqueContext, Judgement, Requirement, edited_picture, make_critique, requirements_for
from chatdit.critics.offline import OfflineCritic, quality_checks
from chatdit.llm.base import first_json_object
from chatdit.llm.openai import ChatClient, ServerError
from chatdit.llm.servers import Endpoint, endpoint
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
                 fallback: OfflineCritic | None = None, notify: Callable[[str], None] | None = None,
                 max_images: int | None = None, retries: int = 2):
        server = Endpoint(kind="openai", url=url.rstrip("/"), model=model, api_key=api_key or "EMPTY", max_images=max_images)
        self.client = ChatClient(server, timeout, retries)
        self.url, self.max_images = self.client.where, max_images
        self.fallback = fallback or OfflineCritic()
        self.notify = notify or (lambda message: None)
        self.down: str | None = None
        self.down_since = 0.0

    @classmethod
    def from_settings(cls, settings, fallback=None, notify=None) -> VLMCritic:
        server = endpoint(settings.vlm, settings.vlm_url, settings.vlm_model, settings.llm_api_key, "vlm")
        return cls(server.url, server.model, api_key=server.api_key, timeout=settings.llm_timeout, fallback=fallback,
                   notify=notify, max_images=server.max_images, retries=settings.llm_retries)

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
        response_format = {"type": "json_schema",
                           "json_schema": {"name": "critique", "strict": True, "schema": verdict_schema(requirements)}}
        messages = [{"role": "system", "content": SYSTEM},
                    {"role": "user", "content": self.picture_parts(claims, image, source)}]
        problem = ""
        for _ in range(2):  # one repair round, the problem stated
            answer = self.complete(messages, response_format, image, source, claims)
            try:
                return read_verdicts(answer, len(requirements))
            except ValueError as exc:
                problem = str(exc)
                messages = [*messages, {"role": "assistant", "content": answer[:4000]},
                            {"role": "user", "content": f"That answer was not usable: {problem}. Reply with one JSON "
                                                        "object matching the schema, and nothing else."}]
        raise VLMUnusable(f"the answer did not fit the schema: {problem[:80]}")

    def picture_parts(self, claims: str, image, source) -> list[dict]:
        """The prompt's parts: the claims, then the picture (or before and after: two pictures, or
        one side by side where the server takes one a prompt)."""
        if source is None:
            intro, pictures = "", [image]
        elif self.max_images == 1:
            intro, pictures = ("The picture shows two halves: on the left before the edit, on the right after it; "
                               "the claims are about the right half.\n"), [side_by_side(source, image)]
        else:
            intro, pictures = ("The first picture is before the edit, the second after it; the claims are about "
                               "the second.\n"), [source, image]
        return [{"type": "text", "text": f"{intro}Claims about the picture:\n{claims}"},
                *({"type": "image_url", "image_url": {"url": image_data_url(p)}} for p in pictures)]

    def complete(self, messages: list[dict], response_format: dict, image, source, claims: str) -> str:
        """One answer; a server that refuses two pictures (HTTP 400) is asked again with one, and
        is sent one from then on."""
        try:
            return self.client.complete(messages, response_format)
        except ServerError as exc:
            if exc.status == 400 and source is not None and self.max_images != 1:
                self.max_images = 1
                messages = [messages[0], {"role": "user", "content": self.picture_parts(claims, image, source)}, *messages[2:]]
                return self.complete(messages, response_format, image, source, claims)
            raise VLMUnusable(str(exc)) from None


def side_by_side(left, right):
    """Two pictures on one canvas, the same height, left to right."""
    from PIL import Image

    right = right.convert("RGB")
    left = left.convert("RGB").resize((round(left.width * right.height / left.height), right.height))
    canvas = Image.new("RGB", (left.width + right.width, right.height))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width, 0))
    return canvas


def read_verdicts(answer: str, count: int) -> list[Verdict]:
    """The verdicts r1..r{count} in a model's answer (fences and prose around the JSON allowed), or
    ValueError saying what is wrong."""
    try:
        data = first_json_object(answer)
        answers = [Verdict.model_validate(data[f"r{i}"]) for i in range(1, count + 1)]
    except KeyError as exc:
        raise ValueError(f"claim {exc.args[0]} has no verdict") from None
    except ValidationError as exc:
        raise ValueError(f"a verdict does not fit the schema ({exc.errors()[0]['msg']})") from None
    bad = [a.verdict for a in answers if a.verdict not in ("pass", "fail", "unknown")]
    if bad:
        raise ValueError(f"verdicts {bad[:3]} are outside pass/fail/unknown")
    return answers
