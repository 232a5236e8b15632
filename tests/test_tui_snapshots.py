"""Snapshots of the main screens (pytest-textual-snapshot); update with --snapshot-update after looking.

The home folder, dates and time zone are fixed so that the pictures are the same on every run.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from chatdit.session import Session
from chatdit.tui.app import ChatditApp
from chatdit.tui.widgets.composer import Composer

SIZE = (110, 36)
HOME = Path("/tmp/chatdit-tui-snapshots/home")
FIXED = "2026-03-14T09:26:53Z"
BOOK = "make a two-page picture book about a red fox and a blue bird"


@pytest.fixture(autouse=True)
def home(monkeypatch) -> Path:
    shutil.rmtree(HOME, ignore_errors=True)
    for key, value in {"HOME": HOME, "MODEL": "tiny", "STEPS": 2, "WIDTH": 64, "HEIGHT": 64,
                       "CRITIC": "false", "ROUNDS": 1}.items():
        monkeypatch.setenv(f"CHATDIT_{key}", str(value))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield HOME
    shutil.rmtree(HOME, ignore_errors=True)


def pin_dates(session: Session) -> None:
    """Give a session fixed dates (the store stamps the time of every save)."""
    record = json.loads(session.store.record_path.read_text())
    record["created_at"] = record["updated_at"] = FIXED
    for turn in record["turns"]:
        turn["created_at"] = FIXED
    session.store.record_path.write_text(json.dumps(record))


def make_session(title: str, messages: list[str] = ()) -> Path:
    with Session.create(HOME / "sessions" / title.replace(" ", "-"), title=title) as session:
        for message in messages:
            session.chat(message)
        pin_dates(session)
        return session.path


async def no_blink(pilot) -> None:
    for composer in pilot.app.screen.query(Composer):
        composer.cursor_blink = False
    await pilot.pause()


async def wait_for(pilot, condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.05)
    await pilot.pause(0.2)


def test_chat_screen_of_a_new_session(snap_compare):
    assert snap_compare(ChatditApp(), terminal_size=SIZE, run_before=no_blink)


def test_help_screen(snap_compare):
    assert snap_compare(ChatditApp(), press=["f1"], terminal_size=SIZE, run_before=no_blink)


def test_settings_screen(snap_compare):
    assert snap_compare(ChatditApp(), press=["f2"], terminal_size=SIZE)


def test_sessions_screen_lists_titles_dates_and_turns(snap_compare):
    make_session("fox book")
    make_session("frog book")
    assert snap_compare(ChatditApp(), press=["ctrl+o"], terminal_size=SIZE)
