"""Critics that judge a picture against the instruction: offline detectors, or a vision-language
model over any OpenAI-compatible server (falling back to offline when it fails)."""

from __future__ import annotations

from collections.abc import Callable

from chatdit.critics.base import Critic, CritiqueContext, Judgement, Region, Requirement, requirements_for


def get_critic(settings, notify: Callable[[str], None] | None = None) -> Critic:
    """The critic the settings name: 'offline', or 'vlm' (which falls back to offline with a notice)."""
    from chatdit.critics.offline import OfflineCritic

    if settings.critic_backend == "vlm":
        from chatdit.critics.vlm import VLMCritic

        return VLMCritic.from_settings(settings, fallback=OfflineCritic(), notify=notify)
    return OfflineCritic()


__all__ = ["Critic", "CritiqueContext", "Judgement", "Region", "Requirement", "get_critic", "requirements_for"]
