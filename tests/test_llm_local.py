"""The local backend: a tiny random-weight Llama built offline, and the JSON extraction it relies on."""

import pytest

from chatdit.errors import LLMOutputError, LLMUnavailableError
from chatdit.llm.base import first_json_object
from chatdit.schema import Instruction


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    words = ["<pad>", "<eos>", "<unk>", "{", "}", '"', ":", ",", "task", "prompt", "generate", "a", "red", "fox", "user", "system", "assistant"]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>")
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(words), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=4096,
                                         pad_token_id=0, eos_token_id=1, bos_token_id=1))
    folder = tmp_path_factory.mktemp("llama")
    model.save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def test_random_output_ends_in_a_clear_error_after_a_repair_round(tiny_llama):
    from chatdit.llm.local import LocalBackend

    backend = LocalBackend(str(tiny_llama), max_new_tokens=8)
    calls = []
    original = backend.complete
    backend.complete = lambda messages: calls.append(messages) or original(messages)
    with pytest.raises(LLMOutputError, match="local LLM"):
        backend.fill(Instruction, "system text", "a red fox")
    assert len(calls) == 2 and "not usable" in calls[1][-1]["content"]


def test_a_missing_model_is_a_named_error(tmp_path):
    from chatdit.llm.local import LocalBackend

    with pytest.raises(LLMUnavailableError, match='llm = "rules"'):
        LocalBackend(str(tmp_path / "nothing")).fill(Instruction, "s", "u")


@pytest.mark.parametrize("answer, expected", [
    ('{"a": 1}', {"a": 1}),
    ('Here is the JSON:\n```json\n{"a": {"b": [1, 2]}}\n```\nDone.', {"a": {"b": [1, 2]}}),
    ('{broken {"a": "}"} tail', {"a": "}"}),
])
def test_first_json_object_finds_the_object_in_prose(answer, expected):
    assert first_json_object(answer) == expected


def test_no_json_at_all_is_a_value_error():
    with pytest.raises(ValueError):
        first_json_object("I cannot help with that")


def test_a_model_that_is_not_downloaded_fails_at_once_offline(monkeypatch, tmp_path):
    import time

    from chatdit.config import load_settings
    from chatdit.llm.backends import get_backend

    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))  # an empty cache
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # and no network
    started = time.perf_counter()
    with pytest.raises(LLMUnavailableError, match="not downloaded: run `hf download Qwen/Qwen2.5-1.5B-Instruct`"):
        get_backend(load_settings(llm="local")).fill(Instruction, "s", "u")
    assert time.perf_counter() - started < 15
