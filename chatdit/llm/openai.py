"""Any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama, llama.cpp) as a backend.

The schema goes out as `response_format: json_schema`; servers that ignore it still get the
schema in the system prompt, and the answer is validated either way (one repair round).
"""

from __future__ import annotations

import httpx

from chatdit.errors import LLMUnavailableError
from chatdit.llm.base import Schema, fill_with_repair


class OpenAIBackend:
    name = "openai"

    def __init__(self, url: str, model: str, api_key: str | None, timeout: float):
        self.url, self.model, self.api_key, self.timeout = url.rstrip("/"), model, api_key, timeout

    def fill(self, schema: type[Schema], system: str, user: str, context: object = None) -> Schema:
        response_format = {"type": "json_schema",
                           "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()}}
        return fill_with_repair(schema, lambda messages: self.complete(messages, response_format),
                                system, user, who=f"the LLM at {self.url}")

    def complete(self, messages: list[dict], response_format: dict | None = None) -> str:
        """The text of one chat completion; LLMUnavailableError when the server cannot answer."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {"model": self.model, "messages": messages, "temperature": 0}
        if response_format:
            body["response_format"] = response_format
        endpoint = f"{self.url}/chat/completions"
        try:
            response = httpx.post(endpoint, json=body, headers=headers, timeout=self.timeout)
            response.raise_for_status()
            return response.json()["choices"][0]["message"]["content"] or ""
        except httpx.TimeoutException as exc:
            raise LLMUnavailableError(f"the LLM at {endpoint} did not answer within {self.timeout:g} s; raise "
                                      "llm_timeout, or set llm = \"rules\" to parse offline") from exc
        except httpx.HTTPStatusError as exc:
            raise LLMUnavailableError(f"the LLM at {endpoint} answered HTTP {exc.response.status_code}: "
                                      f"{exc.response.text[:200]}; check llm_model and llm_api_key, or set llm = \"rules\"") from exc
        except httpx.HTTPError as exc:
            raise LLMUnavailableError(f"cannot reach the LLM at {endpoint} ({exc}); start the server or set "
                                      "llm = \"rules\" to parse offline") from exc
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise LLMUnavailableError(f"the server at {endpoint} does not speak the OpenAI chat API "
                                      f"({exc.__class__.__name__}: {exc})") from exc
