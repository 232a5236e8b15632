"""Critics that judge a picture against the instruction: offline detectors, or a vision-language
model over any OpenAI-compatible server (falling back to offline when it fails)."""

from __future__ import annotations

from collections.abc import Callable

from chatdit.critics.base import Critic, CritiqueContext, Judgement, Region, Requirement, requirements_for

_VLM_CRITICS: dict[tuple, object] = {}
"""One VLM critic per server, so a server found down is not waited on again every round."""


def get_critic(settings, notify: Callable[[str], None] | None = None) -> Critic:
    """The critic the settings name: 'offline', or 'vlm' (which falls back to offline with a notice)."""
    from chatdit.critics.offline import OfflineCritic

    if settings.critic_backend == "vlm":
        from chatdit.critics.vlm import VLMCritic

        key = (settings.llm_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout)
        critic = _VLM_CRITICS.get(key)
        if critic is None:
            critic = _VLM_CRITICS[key] = VLMCritic.from_settings(settings, fallback=OfflineCritic())
        critic.notify = notify or (lambda message: None)
        return critic
    return OfflineCritic()


__all__ = ["Critic", "CritiqueContext", "Judgement", "Region", "Requirement", "get_critic", "requirements_for"]
