"""The openai backend against a real HTTP server on 127.0.0.1 speaking the chat-completions API."""

import json

import pytest
from chatdit.agents.parser import parse_message
from openai_server import ChatCompletionsServer

from chatdit.config import load_settings
from chatdit.errors import LLMOutputError, LLMUnavailableError
from chatdit.llm.base import get_backend

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
