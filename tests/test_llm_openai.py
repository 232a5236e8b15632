"""The openai backend against a real HTTP server on 127.0.0.1 speaking the chat-completions API."""

import json

import pytest
from chatdit.agents.parser import parse_message
from openai_server import ChatCompletionsServer

from chatdit.config import load_settings
from chatdit.errors import LLMOutputError, LLMUnavailableError
from chatdit.llm.backends import get_backend

GOOD = {"task": "generate", "prompt": "two red cats left of a blue car", "output_count": 1,
        "subjects": [{"name": "cat", "count": 2, "color": "red", "position": {"relation": "left of", "target": 1}},
                     {"name": "car", "count": 1, "color": "blue"}]}


def scripted_server(replies, delay=0.0) -> ChatCompletionsServer:
    """Answers each POST with the next scripted reply."""
    queue = list(replies)
    return ChatCompletionsServer(lambda body: queue.pop(0) if queue else "{}", delay)


@pytest.fixture
def serve():
    servers = []

    def start(replies, delay=0.0):
        servers.append(scripted_server(replies, delay))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def backend_for(url, timeout=5.0):
    return get_backend(load_settings(llm="openai", llm_url=url, llm_model="test-model", llm_api_key="sk-test", llm_timeout=timeout))


def test_a_valid_answer_becomes_the_instruction_and_the_request_carries_the_schema(serve):
    server = serve([json.dumps(GOOD)])
    instruction = parse_message("a photo of two red cats left of a blue car", [], None, backend=backend_for(server.url))
    assert instruction.subjects[0].name == "cat" and instruction.subjects[0].position.target == 1
    [request] = server.requests
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    assert request["body"]["response_format"]["type"] == "json_schema"
    assert request["body"]["messages"][0]["role"] == "system" and "Instruction" in json.dumps(request["body"]["response_format"])


def test_garbage_then_a_valid_answer_is_repaired_with_the_problem_stated(serve):
    server = serve(["Sure! Here you go: {not json", "```json\n" + json.dumps(GOOD) + "\n```"])
    instruction = parse_message("two red cats", [], None, backend=backend_for(server.url))
    assert instruction.subjects[0].count == 2
    assert "not usable" in server.requests[1]["body"]["messages"][-1]["content"]


def test_a_schema_violation_is_fed_back_by_field(serve):
    bad = dict(GOOD, output_count=0)
    server = serve([json.dumps(bad), json.dumps(GOOD)])
    parse_message("two red cats", [], None, backend=backend_for(server.url))
    assert "output_count" in server.requests[1]["body"]["messages"][-1]["content"]


def test_garbage_twice_is_a_clear_llm_output_error(serve):
    server = serve(["no idea", '{"task": "paint"}'])
    with pytest.raises(LLMOutputError, match='llm = "rules"'):
        parse_message("two red cats", [], None, backend=backend_for(server.url))
    assert len(server.requests) == 2


def test_a_server_that_is_down_names_the_url():
    with pytest.raises(LLMUnavailableError, match="127.0.0.1:9/v1/chat/completions"):
        parse_message("two red cats", [], None, backend=backend_for("http://127.0.0.1:9/v1"))


def test_a_slow_server_times_out_with_advice(serve):
    server = serve([json.dumps(GOOD)], delay=1.5)
    with pytest.raises(LLMUnavailableError, match="llm_timeout"):
        parse_message("two red cats", [], None, backend=backend_for(server.url, timeout=0.3))


def test_the_key_comes_from_openai_api_key_and_the_url_from_openai_base_url(serve, monkeypatch):
    server = serve([json.dumps(GOOD)])
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    backend = get_backend(load_settings(llm="openai", llm_model="test-model"))
    parse_message("two red cats", [], None, backend=backend)
    [request] = server.requests
    assert request["auth"] == "Bearer sk-from-env" and request["body"]["model"] == "test-model"


def test_a_server_error_is_retried_with_backoff(serve):
    from openai_server import Status

    answers = iter([Status(500, "overloaded"), Status(503, "busy"), json.dumps(GOOD)])

    def reply(body):
        answer = next(answers)
        if isinstance(answer, Status):
            raise answer
        return answer

    server = serve([])
    server.reply = reply
    instruction = parse_message("two red cats", [], None, backend=backend_for(server.url))
    assert instruction.subjects[0].count == 2 and len(server.requests) == 3


def test_a_bad_key_is_not_retried_and_says_where_the_key_goes(serve):
    from openai_server import Status

    server = serve([])
    server.reply = lambda body: (_ for _ in ()).throw(Status(401, "invalid api key"))
    with pytest.raises(LLMUnavailableError, match="HTTP 401.*OPENAI_API_KEY"):
        parse_message("two red cats", [], None, backend=backend_for(server.url))
    assert len(server.requests) == 1


def test_a_server_trickling_bytes_is_cut_off_by_the_total_deadline(serve):
    import time

    server = serve([json.dumps(GOOD)])
    server.trickle = 1.0  # a byte a second: no read waits long enough to time out, the body takes minutes
    started = time.perf_counter()
    with pytest.raises(LLMUnavailableError, match="no answer within 3 s"):
        parse_message("two red cats", [], None, backend=backend_for(server.url, timeout=3.0))
    assert time.perf_counter() - started < 60  # the body alone takes minutes at this rate


@pytest.mark.parametrize(("llm", "url", "model"), [
    ("vllm", "http://127.0.0.1:8000/v1", "Qwen/Qwen2.5-7B-Instruct"),
    ("ollama", "http://127.0.0.1:11434/v1", "qwen2.5:7b")])
def test_server_presets_have_their_usual_address_and_a_model(llm, url, model, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    backend = get_backend(load_settings(llm=llm))
    assert backend.client.server.url == url and backend.client.server.model == model
    assert backend.client.server.api_key == "EMPTY"  # local servers take any key


def test_openai_without_a_key_says_to_set_one(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(LLMUnavailableError, match="set OPENAI_API_KEY"):
        parse_message("two red cats", [], None, backend=get_backend(load_settings(llm="openai")))
