"""A real chat-completions endpoint on 127.0.0.1 for the tests of everything that talks to an
OpenAI-compatible server (the LLM backend, the VLM critic): faked at the protocol level only."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Status(Exception):
    """Raised by a reply function: answer with this HTTP status and an OpenAI-style error body."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class ChatCompletionsServer:
    """Answers each POST with `reply(body)` (a string, or an object sent as its JSON; raise Status for
    an error) after `delay` seconds, or byte by byte every `trickle` seconds, and records every
    request (path, body, Authorization header)."""

    def __init__(self, reply: Callable[[dict], Any], delay: float = 0.0, trickle: float = 0.0):
        self.reply, self.delay, self.trickle, self.requests = reply, delay, trickle, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                time.sleep(server.delay)
                try:
                    content, status = server.reply(body), 200
                    payload = json.dumps({"id": "x", "object": "chat.completion", "model": body.get("model"),
                                          "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                              "role": "assistant",
                                              "content": content if isinstance(content, str) else json.dumps(content)}}]})
                except Status as error:
                    status = error.code
                    payload = json.dumps({"error": {"message": error.message, "type": "invalid_request_error"}})
                self.send(status, payload.encode())

            def send(self, status: int, payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if not server.trickle:
                        self.wfile.write(payload)
                    for byte in payload if server.trickle else b"":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(server.trickle)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as the deadline tests want

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
