"""Snapshots of the main screens (pytest-textual-snapshot); update with --snapshot-update after looking.

The home folder, dates and time zone are fixed so that the pictures are the same on every run.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from textual.widgets import Static

from chatdit.session import Session
from chatdit.tui.app import ChatditApp
from chatdit.tui.widgets.composer import Composer

SIZE = (110, 36)
HOME = Path("/tmp/chatdit-tui-snapshots/home")
FIXED = "2026-03-14T09:26:53Z"
BOOK = "make a two-page picture book about a red fox and a blue bird"


@pytest.fixture(autouse=True)
def home(monkeypatch, tiny_ui) -> Path:
    shutil.rmtree(HOME, ignore_errors=True)
    tiny_ui(HOME)
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


def test_sessions_screen_lists_titles_dates_turns_and_thumbnails(snap_compare):
    make_session("fox book", [BOOK])
    make_session("frog book")
    assert snap_compare(ChatditApp(), press=["ctrl+o"], terminal_size=SIZE)


def test_reopened_book_session_shows_the_pages_with_their_texts(snap_compare):
    path = make_session("fox book", [BOOK])

    async def loaded(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query("PageCard"))
        await no_blink(pilot)

    assert snap_compare(ChatditApp(path), terminal_size=SIZE, run_before=loaded)


def test_history_tree(snap_compare):
    path = make_session("fox book", [BOOK, "page 2: add a yellow sun"])

    async def opened(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query("PageCard"))
        await pilot.press("ctrl+t")
        await pilot.pause(0.2)

    assert snap_compare(ChatditApp(path), terminal_size=SIZE, run_before=opened)


def test_page_opened_large(snap_compare):
    path = make_session("fox book", [BOOK])

    async def opened(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.query("PageCard"))
        await pilot.press("ctrl+g", "enter")
        await pilot.pause(0.2)
        # asset file names are content hashes, and the PNGs carry their creation time
        where = pilot.app.screen.query_one("#large-path", Static)
        where.update(re.sub(r"[0-9a-f]{16}\.png", "<asset>.png", str(where.render())))
        await pilot.pause()

    assert snap_compare(ChatditApp(path), terminal_size=SIZE, run_before=opened)


def test_plan_approval_screen(snap_compare):
    with Session.create(HOME / "sessions" / "approve", title="approve", plan_approval=True):
        pass

    async def asked(pilot):
        await no_blink(pilot)
        pilot.app.screen.query_one(Composer).text = BOOK
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "PlanApprovalScreen")

    assert snap_compare(ChatditApp(HOME / "sessions" / "approve"), terminal_size=SIZE, run_before=asked)
