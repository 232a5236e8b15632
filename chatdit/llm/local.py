"""A transformers causal LM on this machine (by hub id or folder) as the parser backend.

Greedy decoding with the model's chat template when it has one; the first JSON object in the
answer is validated against the schema, with one repair round like the server backends.
"""

from __future__ import annotations

import threading

from chatdit.errors import LLMUnavailableError
from chatdit.llm.base import Schema, fill_with_repair

MAX_NEW_TOKENS = 768


class LocalBackend:
    name = "local"

    def __init__(self, model: str, max_new_tokens: int = MAX_NEW_TOKENS):
        self.model_name, self.max_new_tokens = model, max_new_tokens
        self._loaded = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._loaded is None:
                from transformers import AutoModelForCausalLM, AutoTokenizer

                try:
                    tokenizer = AutoTokenizer.from_pretrained(self.model_name)
                    model = AutoModelForCausalLM.from_pretrained(self.model_name)
                except (OSError, ValueError) as exc:
                    raise LLMUnavailableError(f"cannot load the local LLM {self.model_name!r} ({exc}); set llm_model to a "
                                              "downloaded model folder, or llm = \"rules\"") from exc
                model.eval()
                self._loaded = tokenizer, model
            return self._loaded

    def complete(self, messages: list[dict]) -> str:
        import torch

        tokenizer, model = self._load()
        if getattr(tokenizer, "chat_template", None):
            prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            prompt = "\n\n".join(f"{m['role']}: {m['content']}" for m in messages) + "\n\nassistant:"
        inputs = tokenizer(prompt, return_tensors="pt")
        with torch.no_grad():
            output = model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False,
                                    pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id)
        return tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)

    def fill(self, schema: type[Schema], system: str, user: str, context: object = None) -> Schema:
        return fill_with_repair(schema, self.complete, system, user, who=f"the local LLM {self.model_name!r}")
