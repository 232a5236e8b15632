"""A real chat-completions endpoint on 127.0.0.1 for the tests of everything that talks to an
OpenAI-compatible server (the LLM backend, the VLM critic): faked at the protocol level only."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ChatCompletionsServer:
    """Answers each POST with `reply(body)` (a string, or an object sent as its JSON) after `delay`
    seconds, and records every request (path, body, Authorization header)."""

    def __init__(self, reply: Callable[[dict], Any], delay: float = 0.0):
        self.reply, self.delay, self.requests = reply, delay, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                time.sleep(server.delay)
                content = server.reply(body)
                payload = json.dumps({"id": "x", "object": "chat.completion", "model": body.get("model"),
                                      "choices": [{"index": 0, "finish_reason": "stop", "message": {
                                          "role": "assistant",
                                          "content": content if isinstance(content, str) else json.dumps(content)}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
