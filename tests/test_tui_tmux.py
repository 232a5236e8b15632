"""The real `chatdit` command in tmux, read back with capture-pane as a person would see it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

CHATDIT = Path(sys.executable).with_name("chatdit")
BOOK = "make a two-page picture book about a red fox and a blue bird"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None or not CHATDIT.exists(), reason="needs tmux and the chatdit script")


class Terminal:
    """One tmux window running a command: type into it, read what it shows.

    Each terminal runs its own tmux server (its own socket, no user config): on a shared default
    server, a new session started just as the last one was killed can reach the dying server and
    fail with "server exited unexpectedly", which is how CI once failed this test.
    """

    def __init__(self, command: list[str], env: dict[str, str], size=(120, 45)):
        self.name = f"chatdit-test-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(size[0]), "-y", str(size[1]),
                  f"sleep 0.5; env {exports} {' '.join(command)}; sleep 30")
        self.tmux("resize-window", "-t", self.name, "-x", str(size[0]), "-y", str(size[1]))

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a tmux command on this terminal's server; its stderr stays in the test's output."""
        return subprocess.run(["tmux", "-L", self.name, "-f", "/dev/null", *args], check=check,
                              stdout=subprocess.PIPE, text=True)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name, check=False).stdout

    def wait_for(self, *texts: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(text in shown for text in texts):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"never saw {texts} on screen:\n{self.screen()}")

    def wait_gone(self, text: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while text in self.screen():
            assert time.monotonic() < deadline, f"{text!r} is still on screen"
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)
        time.sleep(0.2)
        self.keys("Enter")

    def close(self) -> None:
        self.tmux("kill-server", check=False)


@pytest.fixture
def chatdit_env(tmp_path) -> dict[str, str]:
    """256 px pages: a 200-step turn then runs for seconds, long enough to see its ETA and cancel it."""
    return {"CHATDIT_HOME": str(tmp_path / "home"), "CHATDIT_MODEL": "tiny", "CHATDIT_CRITIC": "false",
            "CHATDIT_STEPS": "4", "CHATDIT_WIDTH": "256", "CHATDIT_HEIGHT": "256", "TERM": "xterm-256color",
            "PATH": os.environ["PATH"], "PYTHONPATH": os.environ.get("PYTHONPATH", "")}


@pytest.mark.slow
def test_book_progress_cancel_quit_and_reopen_in_tmux(chatdit_env):
    first = Terminal([str(CHATDIT)], chatdit_env)
    try:
        first.wait_for("Message (Enter sends", timeout=60)
        first.type(BOOK)
        # typed only once the turn is over, as a person would: "Made" is its summary line
        first.wait_for("Made 2 pages", "page 1", "page 2", "step 1/", "✓", "▀", timeout=240)  # half blocks in tmux
        first.type("/steps 200")
        first.wait_for("steps = 200", timeout=30)
        first.type("make a four-page picture book about a green frog")
        first.wait_for("four-page", "ETA", timeout=180)
        first.keys("Escape")
        first.wait_for("cancelled", timeout=60)
        first.keys("C-q")
        first.wait_gone("Message (Enter sends", timeout=60)
    finally:
        first.close()

    again = Terminal([str(CHATDIT)], chatdit_env)
    try:
        again.wait_for("Message (Enter sends", timeout=60)
        again.keys("C-o")
        again.wait_for("Sessions", "The Red Fox and the Blue Bird", "2 turns", timeout=20)
        again.keys("Enter")
        shown = again.wait_for("page 1", "page 2", "▀", timeout=60)
        assert "green frog" not in shown  # the cancelled turn is not part of the story
    finally:
        again.close()
