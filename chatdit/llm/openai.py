"""Any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama, llama.cpp) through the
`openai` package: retries with backoff on 429/5xx and dropped connections, and one deadline for
the whole request, retries included (a per-read timeout never ends a server trickling bytes).

The schema goes out as `response_format: json_schema`; servers that ignore it still get the
schema in the system prompt, and the answer is validated either way (one repair round).
"""

from __future__ import annotations

import asyncio

from chatdit.errors import LLMUnavailableError
from chatdit.llm.base import Schema, fill_with_repair
from chatdit.llm.servers import Endpoint

READ_TIMEOUT = 30.0
"""Seconds one read may wait; the request's deadline (llm_timeout) bounds everything."""


class ServerError(Exception):
    """The server could not answer: `reason` is "timeout", "status" (with `status`) or "unreachable"."""

    def __init__(self, message: str, reason: str, status: int | None = None):
        super().__init__(message)
        self.reason, self.status = reason, status


class ChatClient:
    """One endpoint, asked one chat completion at a time."""

    def __init__(self, server: Endpoint, deadline: float, retries: int = 2):
        self.server, self.deadline, self.retries = server, deadline, retries
        self.where = f"{server.url}/chat/completions"

    async def _ask(self, body: dict) -> str:
        import openai

        async with openai.AsyncOpenAI(base_url=self.server.url, api_key=self.server.api_key or None,
                                      max_retries=self.retries, timeout=min(READ_TIMEOUT, self.deadline)) as client:
            response = await client.chat.completions.create(model=self.server.model, temperature=0, **body)
        return response.choices[0].message.content or ""

    def complete(self, messages: list[dict], response_format: dict | None = None) -> str:
        """The text of one chat completion, or ServerError saying why there is none."""
        import openai

        if not self.server.api_key:
            raise ServerError(f"no API key for {self.where}: set OPENAI_API_KEY (or llm_api_key)", "status", 401)
        body = {"messages": messages, **({"response_format": response_format} if response_format else {})}
        try:
            return asyncio.run(asyncio.wait_for(self._ask(body), self.deadline))
        except TimeoutError:
            raise ServerError(f"no answer within {self.deadline:g} s", "timeout") from None
        except openai.APIStatusError as exc:
            raise ServerError(f"HTTP {exc.status_code}: {str(exc.message)[:200]}", "status", exc.status_code) from None
        except openai.APIConnectionError as exc:
            raise ServerError(f"cannot reach it ({exc.__cause__ or exc})", "unreachable") from None
        except (openai.OpenAIError, AttributeError, IndexError, TypeError) as exc:
            raise ServerError(f"it does not speak the OpenAI chat API ({exc.__class__.__name__}: {exc})", "status") from None


class OpenAIBackend:
    """The parser backend for llm = "openai", "vllm" or "ollama"."""

    name = "openai"

    def __init__(self, server: Endpoint, deadline: float, retries: int = 2):
        self.client = ChatClient(server, deadline, retries)
        self.url = server.url

    def fill(self, schema: type[Schema], system: str, user: str, context: object = None) -> Schema:
        response_format = {"type": "json_schema",
                           "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()}}
        return fill_with_repair(schema, lambda messages: self.complete(messages, response_format),
                                system, user, who=f"the LLM at {self.url}")

    def complete(self, messages: list[dict], response_format: dict | None = None) -> str:
        """The text of one chat completion; LLMUnavailableError saying what to do when there is none."""
        try:
            return self.client.complete(messages, response_format)
        except ServerError as exc:
            advice = {"timeout": "raise llm_timeout, or set llm = \"rules\" to parse offline",
                      "unreachable": "start the server or set llm = \"rules\" to parse offline"}.get(
                exc.reason, "check llm_model and the API key (OPENAI_API_KEY or llm_api_key), or set llm = \"rules\"")
            raise LLMUnavailableError(f"the LLM at {self.client.where}: {exc}; {advice}") from None
