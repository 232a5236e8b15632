"""Where the language and vision models are served: presets for OpenAI, vLLM and Ollama.

Each preset is the server's usual address, a model that fits it, and how many pictures one
prompt may carry (vLLM serves one per prompt unless started with --limit-mm-per-prompt).
A setting left empty takes the preset's value; for OpenAI the standard OPENAI_BASE_URL and
OPENAI_API_KEY variables are honoured first, as the openai package itself does.
"""

from __future__ import annotations

import os
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel

ServerKind = Literal["openai", "vllm", "ollama"]
LOCAL_LLM = "Qwen/Qwen2.5-1.5B-Instruct"
"""llm = "local": a small instruct model transformers runs on a CPU."""


class ServerPreset(BaseModel):
    url: str
    llm_model: str
    vlm_model: str
    max_images: int | None
    """Pictures one prompt may carry; None: as many as the critic sends (two)."""


PRESETS: dict[str, ServerPreset] = {
    "openai": ServerPreset(url="https://api.openai.com/v1", llm_model="gpt-4o-mini", vlm_model="gpt-4o-mini",
                           max_images=None),
    "vllm": ServerPreset(url="http://127.0.0.1:8000/v1", llm_model="Qwen/Qwen2.5-7B-Instruct",
                         vlm_model="Qwen/Qwen2.5-VL-7B-Instruct", max_images=1),
    "ollama": ServerPreset(url="http://127.0.0.1:11434/v1", llm_model="qwen2.5:7b", vlm_model="qwen2.5vl:7b",
                           max_images=None),
}


class Endpoint(BaseModel):
    """One chat-completions server as a client needs it."""

    kind: ServerKind
    url: str
    model: str
    api_key: str
    max_images: int | None = None


def endpoint(kind: ServerKind, url: str | None, model: str | None, api_key: str | None,
             role: Literal["llm", "vlm"]) -> Endpoint:
    """The endpoint for a preset with the settings' overrides; local servers take any key."""
    preset = PRESETS[kind]
    env_url = os.environ.get("OPENAI_BASE_URL") if kind == "openai" else None
    address = (url or env_url or preset.url).rstrip("/")
    local = urlsplit(address).hostname in ("127.0.0.1", "localhost", "::1")
    key = api_key or os.environ.get("OPENAI_API_KEY") or ("" if kind == "openai" and not local else "EMPTY")
    return Endpoint(kind=kind, url=address,
                    model=model or (preset.llm_model if role == "llm" else preset.vlm_model),
                    api_key=key, max_images=preset.max_images)
