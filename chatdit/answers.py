"""Who answers the questions a turn pauses on (LangGraph interrupts): plan approval and consent.

A consent answer is `True` only when the callback says so in so many words (True, or a typed
answer the consent reader takes as an unambiguous yes), and it carries who gave it, for the
face swap's provenance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chatdit.events import Event, Notice
from chatdit.schema import Approval, ConsentRequest, Plan

ApproveFn = Callable[[Plan], Plan | Approval | None]
"""Plan approval: return the plan (edited or not), or an Approval that also changes page texts, to
go on; None to cancel."""

ConsentFn = Callable[[ConsentRequest], bool | str]
"""Face-swap consent: True when the people whose faces are attached agreed (or the person's typed
answer, read as consent only when it is an unambiguous yes)."""

YES = {"y", "yes", "yes they agreed", "yes, they agreed", "yes i consent", "yes, i consent"}


def consent_answer(consent: ConsentFn | None, request: ConsentRequest) -> dict:
    """{'consent': bool, 'by': who answered and how} for the consent question."""
    if consent is None:
        return {"consent": False, "by": "nobody was there to ask"}
    answer = consent(request)
    who = getattr(consent, "__qualname__", type(consent).__name__)
    if isinstance(answer, str):
        from chatdit.consent import read_consent

        typed = answer.strip().lower()
        agreed = typed in YES or read_consent(answer).verdict == "affirm"
        return {"consent": agreed, "by": f"answered {answer.strip()[:80]!r} when asked before the swap ({who})"}
    return {"consent": answer is True, "by": f"answered yes when asked before the swap ({who})"}


@dataclass
class Answers:
    """The callbacks that answer a turn's questions."""

    approve: ApproveFn | None = None
    consent: ConsentFn | None = None

    def answer(self, question: dict, handler: Callable[[Event], None]) -> dict:
        if "consent" in question:
            return consent_answer(self.consent, ConsentRequest.model_validate(question["consent"]))
        plan = Plan.model_validate(question["plan"])
        if self.approve is None:
            handler(Notice(message="plan approval is on but nobody is asked here; going ahead"))
            return {"action": "approve"}
        decided = self.approve(plan)
        if decided is None:
            return {"action": "cancel"}
        if isinstance(decided, Plan):
            decided = Approval(plan=decided)
        return {"action": "approve", **decided.model_dump(mode="json")}
