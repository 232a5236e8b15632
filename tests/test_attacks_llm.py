"""Attack table, part 3: whatever an OpenAI-compatible server answers, from a real HTTP server on
127.0.0.1, is a one-line LLMOutputError or LLMUnavailableError, never a traceback or a hang."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest

from chatdit.errors import LLMOutputError, LLMUnavailableError

pytestmark = pytest.mark.timeout(60)


class RawServer:
    """A 127.0.0.1 server that answers every POST with the status and body it is given."""

    def __init__(self, status: int, body: bytes):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if status == 0:  # hang up without an answer
                    self.close_connection = True
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(content) -> bytes:
    return json.dumps({"id": "x", "object": "chat.completion", "model": "m",
                       "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}).encode()


LLM_REPLIES = {  # what the server answers -> the error
    "content an int": (200, completion(5), LLMOutputError), "content a dict": (200, completion({"task": "generate"}), LLMOutputError),
    "content a list": (200, completion([1, 2]), LLMOutputError), "content null": (200, completion(None), LLMOutputError),
    "content true": (200, completion(True), LLMOutputError), "content prose": (200, completion("I cannot help"), LLMOutputError),
    "content an open brace": (200, completion("{"), LLMOutputError), "content a bad task": (200, completion('{"task": "bogus", "prompt": "x"}'), LLMOutputError),
    "content prompt an int": (200, completion('{"prompt": 5}'), LLMOutputError),
    "content deeply nested": (200, completion('{"a":' * 50_000 + "1" + "}" * 50_000), LLMOutputError),
    "content deep list": (200, completion('{"prompt": "x", "subjects": ' + "[" * 50_000 + "]" * 50_000 + "}"), LLMOutputError),
    "content a megabyte": (200, completion("{" + '"a": 1, ' * 150_000 + "}"), LLMOutputError),
    "content a billion pages": (200, completion('{"prompt": "x", "output_count": 1000000000}'), LLMOutputError),
    "content negative pages": (200, completion('{"prompt": "x", "output_count": -1}'), LLMOutputError),
    "content width 100000": (200, completion('{"prompt": "x", "width": 100000}'), LLMOutputError),
    "content NaN": (200, completion('{"prompt": "x", "output_count": NaN}'), LLMOutputError),
    "content many braces": (200, completion('{"a": "' * 5000), LLMOutputError),
    "HTTP 500": (500, b'{"error": "boom"}', LLMUnavailableError), "HTTP 401": (401, b'{"error": "no key"}', LLMUnavailableError),
    "HTTP 404 html": (404, b"<html>not here</html>", LLMUnavailableError), "HTTP 429": (429, b"slow down", LLMUnavailableError),
    "body not JSON": (200, b"<html>hello</html>", LLMUnavailableError), "body not UTF-8": (200, b"\xff\xfe\xfa", LLMUnavailableError),
    "body without choices": (200, b'{"id": "x"}', LLMUnavailableError), "choices empty": (200, b'{"choices": []}', LLMUnavailableError),
    "message missing": (200, b'{"choices": [{"index": 0}]}', LLMUnavailableError), "body a list": (200, b"[1, 2]", LLMUnavailableError),
    "body empty": (200, b"", LLMUnavailableError), "hang up": (0, b"", LLMUnavailableError),
}


@pytest.mark.parametrize("name", list(LLM_REPLIES))
def test_whatever_an_llm_server_answers_is_a_one_line_chatdit_error(name):
    from chatdit.agents.parser import parse_message

    from chatdit.config import load_settings
    from chatdit.llm.backends import get_backend

    status, body, error = LLM_REPLIES[name]
    server = RawServer(status, body)
    try:
        backend = get_backend(load_settings(llm="openai", llm_url=server.url, llm_timeout=10))
        with pytest.raises((LLMOutputError, LLMUnavailableError)) as caught:
            parse_message("a red fox", [], None, backend)
    finally:
        server.close()
    assert isinstance(caught.value, error) and "\n" not in str(caught.value)
