"""Which backend reads messages, by the `llm` setting: kept apart from the protocol in
chatdit.llm.base so the backends can import the protocol without importing each other."""

from __future__ import annotations

from chatdit.config import Settings
from chatdit.llm.base import Backend, RulesBackend


def get_backend(settings: Settings) -> Backend:
    if settings.llm in ("openai", "vllm", "ollama"):
        from chatdit.llm.openai import OpenAIBackend
        from chatdit.llm.servers import endpoint

        server = endpoint(settings.llm, settings.llm_url, settings.llm_model, settings.llm_api_key, "llm")
        return OpenAIBackend(server, settings.llm_timeout, settings.llm_retries)
    if settings.llm == "local":
        from chatdit.llm.local import LocalBackend
        from chatdit.llm.servers import LOCAL_LLM

        return LocalBackend(settings.llm_model or LOCAL_LLM)
    return RulesBackend()
