"""The terminal UI driven headless with Pilot on real sessions (tiny random-weight model, tmp home)."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from PIL import Image
from textual.widgets import Input, ListView, TextArea, Tree

from chatdit.session import Session
from chatdit.sessions import list_sessions
from chatdit.tui import slash
from chatdit.tui.app import ChatditApp
from chatdit.tui.commands import palette_entries
from chatdit.tui.screens.approval import PlanApprovalScreen
from chatdit.tui.screens.book import BookScreen
from chatdit.tui.screens.chat import ChatScreen
from chatdit.tui.screens.dialogs import AskTextScreen, ConfirmScreen
from chatdit.tui.screens.help import HelpScreen
from chatdit.tui.screens.history import HistoryScreen
from chatdit.tui.screens.image import ImageScreen
from chatdit.tui.screens.sessions import SessionsScreen
from chatdit.tui.screens.settings import SettingsScreen
from chatdit.tui.widgets.chips import AttachmentChips
from chatdit.tui.widgets.pages import PageCard
from chatdit.tui.widgets.paths import attachable_file, complete_path
from chatdit.tui.widgets.progress import StepProgress

SIZE = (110, 40)
BOOK = "make a two-page picture book about a red fox and a blue bird"


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """A private chatdit home and the fast tiny model for every session the UI creates."""
    for key, value in {"HOME": tmp_path / "home", "MODEL": "tiny", "STEPS": 2, "WIDTH": 64, "HEIGHT": 64,
                       "CRITIC": "false", "ROUNDS": 1}.items():
        monkeypatch.setenv(f"CHATDIT_{key}", str(value))
    return tmp_path / "home"


@pytest.fixture
def slow_steps(monkeypatch) -> None:
    """Each denoising step takes 20 ms, so a 200-step turn is still running when the test acts on it
    (the tiny model alone finishes 200 steps in a third of a second)."""
    from chatdit.agents.executor import DenoiseReporter

    report = DenoiseReporter.__call__

    def slowly(self, done: int, total: int) -> None:
        time.sleep(0.02)
        report(self, done, total)

    monkeypatch.setattr(DenoiseReporter, "__call__", slowly)


async def settle(pilot, until, timeout: float = 90.0) -> None:
    """Let the app run until the condition holds (turns run in a worker thread)."""
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "the UI did not get there in time"
        await pilot.pause(0.05)
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", "/": "slash"}.get(c, c) for c in text])


async def send(pilot, text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


@asynccontextmanager
async def running(app):
    """Pilot on the app once its chat screen is up."""
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        yield pilot


def chat(app) -> ChatScreen:
    return app.current_chat()


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def book_turn(pilot, text: str = BOOK) -> None:
    await send(pilot, text)
    await settle(pilot, lambda: not chat(pilot.app).busy)


# -- composer --------------------------------------------------------------------------------


async def test_enter_sends_and_ctrl_j_makes_a_new_line():
    app = ChatditApp()
    async with running(app) as pilot:
        composer = app.screen.query_one(TextArea)
        await type_text(pilot, "ab")
        await pilot.press("ctrl+j")
        await type_text(pilot, "cd")
        assert composer.text == "ab\ncd"
        await pilot.press("enter")
        await pilot.pause()
        assert composer.text == ""
        await settle(pilot, lambda: not chat(app).busy)
        assert chat(app).session.turns()[0].message == "ab\ncd"


async def test_tab_completes_a_path_and_lists_the_choices(tmp_path):
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "fox.png").write_bytes(b"")
    (tmp_path / "pictures" / "fish.png").write_bytes(b"")
    app = ChatditApp()
    async with running(app) as pilot:
        composer = app.screen.query_one(TextArea)
        composer.insert(f"look at {tmp_path}/pic")
        await pilot.press("tab")
        assert composer.text.endswith("/pictures/")
        await pilot.press("f", "o", "tab")
        assert composer.text.endswith("/pictures/fox.png")
        assert app.focused is composer


async def test_tab_completes_a_slash_command():
    app = ChatditApp()
    async with running(app) as pilot:
        composer = app.screen.query_one(TextArea)
        await type_text(pilot, "/ex")
        await pilot.press("tab")
        assert composer.text == "/export "
        composer.clear()
        await type_text(pilot, "/r")
        await pilot.press("tab")
        assert composer.text == "/r" and any("/rename" in n and "/rounds" in n for n in notes(app))


def test_complete_path_extends_to_the_common_prefix(tmp_path):
    for name in ["fox.png", "fish.png"]:
        (tmp_path / name).touch()
    assert complete_path(f"{tmp_path}/f") == (f"{tmp_path}/f", ["fish.png", "fox.png"])
    assert complete_path(f"{tmp_path}/fo") == (f"{tmp_path}/fox.png", ["fox.png"])
    assert complete_path(f"{tmp_path}/zzz") == (f"{tmp_path}/zzz", [])


async def test_pasting_a_picture_path_attaches_it_as_a_chip(tmp_path):
    picture = tmp_path / "cat photo.png"
    Image.new("RGB", (32, 32), "orange").save(picture)
    app = ChatditApp()
    async with running(app) as pilot:
        from textual import events

        app.screen.query_one(TextArea).post_message(events.Paste(f"'{picture}'"))
        await pilot.pause()
        chips = app.screen.query_one(AttachmentChips)
        assert chips.paths == [picture] and chips.display
        assert app.screen.query_one(TextArea).text == ""
        await pilot.click(".chip")
        assert chips.paths == []
    assert attachable_file(str(tmp_path / "missing.png")) is None


# -- a turn ----------------------------------------------------------------------------------


async def test_a_book_turn_shows_plan_progress_and_both_pages_with_numbers():
    app = ChatditApp()
    async with running(app) as pilot:
        await book_turn(pilot)
        screen = chat(app)
        assert [t.status for t in screen.session.turns()] == ["done"]
        assert screen.query(".understood") and screen.query(".plan")
        bars = screen.query(StepProgress)
        assert bars and all(bar.has_class("-done") for bar in bars)
        headings = [card.page.heading for card in screen.query(PageCard)]
        assert headings == ["page 1", "page 2"]
        assert app.screen.sub_title.startswith("make a two-page")


async def test_selecting_a_page_opens_it_large_and_escape_goes_back():
    app = ChatditApp()
    async with running(app) as pilot:
        await book_turn(pilot)
        chat(app).query(PageCard).last().focus()
        await pilot.press("enter")
        assert isinstance(app.screen, ImageScreen) and app.screen.page.heading == "page 2"
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_escape_cancels_the_running_turn_and_keeps_earlier_turns(slow_steps):
    app = ChatditApp()
    async with running(app) as pilot:
        await book_turn(pilot)
        screen = chat(app)
        screen.session.configure(steps=200)
        await send(pilot, "make a four-page picture book about a green frog")
        await settle(pilot, lambda: "/200" in str(screen.query(".step-eta").last().render()) if screen.query(".step-eta") else False)
        await pilot.press("escape")
        await settle(pilot, lambda: not screen.busy)
        assert [t.status for t in screen.session.turns()] == ["done", "cancelled"]
        assert screen.session.history()[-1].status == "done"
        assert any("cancelled" in n for n in notes(app))


async def test_quitting_during_a_turn_cancels_it_instead_of_waiting_for_it(slow_steps):
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, "/steps 200")
        screen = chat(app)
        await send(pilot, "make a four-page picture book about a green frog")
        await settle(pilot, lambda: "/200" in str(screen.query(".step-eta").last().render()) if screen.query(".step-eta") else False)
        await pilot.press("ctrl+q")
    deadline = time.monotonic() + 30
    while Session.open(screen.session.path).turns()[-1].status == "running":
        assert time.monotonic() < deadline, "the turn kept running after quitting"
        time.sleep(0.1)
    assert Session.open(screen.session.path).turns()[-1].status == "cancelled"


async def test_sending_while_a_turn_runs_keeps_the_text_and_says_why():
    app = ChatditApp()
    async with running(app) as pilot:
        chat(app).set_busy(True)
        await send(pilot, "hello")
        assert app.screen.query_one(TextArea).text == "hello"
        assert any("still running" in n for n in notes(app))
        chat(app).set_busy(False)


async def test_plan_approval_with_an_edited_page_prompt_and_text_and_a_cancel():
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, "/approval on")
        await send(pilot, BOOK)
        await settle(pilot, lambda: isinstance(app.screen, PlanApprovalScreen))
        first = app.screen.query(Input).first()
        first.value = "a red fox under a purple moon"
        app.screen.query_one("#text-2", Input).value = "And then the bird sang."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not chat(app).busy)
        session = chat(app).session
        panels = session.turns()[0].plan.steps[0].call.args["panels"]
        assert panels[0]["prompt"] == "a red fox under a purple moon"
        assert session.pages()[2].text == "And then the bird sang."
        await send(pilot, "make a picture of a frog")
        await settle(pilot, lambda: isinstance(app.screen, PlanApprovalScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: not chat(app).busy)
        assert [t.status for t in session.turns()] == ["done", "cancelled"]


async def test_an_error_becomes_a_notification_that_says_what_to_do(home):
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, "/frobnicate")
        await send(pilot, "/rounds many")
        await send(pilot, "/rounds 99")
        assert any("/help" in n for n in notes(app))
        assert any("whole number" in n for n in notes(app))
        assert any("rounds" in n and "config.toml" in n for n in notes(app))
        assert isinstance(app.screen, ChatScreen)


# -- slash commands --------------------------------------------------------------------------


@pytest.mark.parametrize("command, key, value", [
    ("/model tiny", "model", "tiny"), ("/llm rules", "llm", "rules"), ("/critic on", "critic", True),
    ("/critic off", "critic", False), ("/rounds 2", "rounds", 2), ("/seed 7", "seed", 7),
    ("/steps 3", "steps", 3),
    ("/approval on", "plan_approval", True),
])
async def test_setting_commands_change_the_session(command, key, value):
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, command)
        session = chat(app).session
        assert getattr(session.settings, key) == value
        assert Session.open(session.path).settings.model_dump()[key] == value


async def test_a_setting_command_without_a_value_shows_the_current_one():
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, "/model")
        assert "model = tiny" in notes(app)
        assert chat(app).session is None


async def test_undo_and_branch_commands_move_the_head():
    app = ChatditApp()
    async with running(app) as pilot:
        await book_turn(pilot)
        session = chat(app).session
        first = session.record.head
        await send(pilot, "/undo")
        assert session.record.head is None
        await settle(pilot, lambda: not chat(app).query(PageCard))
        await send(pilot, f"/branch {first}")
        assert session.record.head == first
        await settle(pilot, lambda: chat(app).query(PageCard))
        await send(pilot, "/branch")
        assert isinstance(app.screen, HistoryScreen)


@pytest.mark.parametrize("command, name", [
    ("/export", "make-a-two-page-picture-book-about-a-red-fox-and-a-blue-bird.pdf"[:40].rstrip("-") + ".pdf"),
    ("/export html", None), ("/export gif", None), ("/export pdf mybook", "mybook.pdf"),
])
async def test_export_writes_the_book(command, name):
    app = ChatditApp()
    async with running(app) as pilot:
        await book_turn(pilot)
        await send(pilot, command)
        await settle(pilot, lambda: any("exports" in n for n in notes(app)))
        written = Path(next(n for n in notes(app) if "exports" in n))
        assert written.is_file() and written.suffix == "." + (command.split() + ["pdf"])[1][:4].replace("mybo", "pdf")
        if name:
            assert written.name == name


async def test_rename_attach_and_help_commands(tmp_path):
    picture = tmp_path / "dog.png"
    Image.new("RGB", (32, 32), "brown").save(picture)
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, "/rename The fox book")
        assert chat(app).session.title == "The fox book"
        await send(pilot, f"/attach {picture}")
        assert app.screen.query_one(AttachmentChips).paths == [picture]
        await send(pilot, "/help")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await send(pilot, "/attach nowhere.png")
        assert any("not a picture" in n for n in notes(app))


@pytest.mark.parametrize("command, screen", [
    ("/sessions", SessionsScreen), ("/settings", SettingsScreen), ("/help", HelpScreen), ("/book", BookScreen),
    ("/history", HistoryScreen),
])
async def test_navigation_commands_open_their_screens(command, screen):
    app = ChatditApp()
    async with running(app) as pilot:
        await book_turn(pilot, "make a picture of a frog")
        await send(pilot, command)
        assert isinstance(app.screen, screen)


async def test_new_and_cancel_commands():
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, "/rename first")
        first = chat(app)
        await send(pilot, "/cancel")
        await send(pilot, "/new")
        assert chat(app) is not first and chat(app).session is None


def test_every_slash_command_is_in_the_palette_and_the_help():
    offered = " ".join(text for _, _, text in palette_entries())
    for name in ["undo", "branch", "export", "model", "llm", "critic", "rounds", "seed", "help"]:
        assert name in slash.COMMANDS and f"/{name}" in offered
    assert slash.export_target(["gif", "~/out/b"], "x") == "~/out/b.gif"
    assert slash.export_target([], "My Fox!") == "my-fox.pdf"


async def test_palette_runs_a_command():
    app = ChatditApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+p")
        await type_text(pilot, "critic off")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: chat(app).session is not None)
        assert chat(app).session.settings.critic is False


async def test_palette_command_that_needs_a_value_waits_in_the_composer():
    app = ChatditApp()
    async with running(app) as pilot:
        chat(app).run_slash("/seed ")
        assert app.screen.query_one(TextArea).text == "/seed "


# -- keys to screens -------------------------------------------------------------------------


@pytest.mark.parametrize("key, screen", [("f1", HelpScreen), ("f2", SettingsScreen), ("ctrl+o", SessionsScreen)])
async def test_keys_open_screens_and_escape_closes_them(key, screen):
    app = ChatditApp()
    async with running(app) as pilot:
        await pilot.press(key)
        assert isinstance(app.screen, screen)
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_settings_screen_says_where_each_setting_comes_from(home):
    home.mkdir(parents=True)
    (home / "config.toml").write_text("seed = 42\n")
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, "/rounds 2")
        await pilot.press("f2")
        table = app.screen.query_one("#settings")
        rows = {table.get_row_at(i)[0]: table.get_row_at(i)[1:3] for i in range(table.row_count)}
        assert rows["rounds"] == ["2", "session"]
        assert rows["model"] == ["tiny", "environment"]
        assert rows["seed"] == ["42", "config.toml"]
        assert rows["plan_approval"] == ["False", "default"]


async def test_ctrl_t_and_ctrl_b_need_a_session_first():
    app = ChatditApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+t")
        await pilot.press("ctrl+b")
        assert isinstance(app.screen, ChatScreen)
        assert any("No turns yet" in n for n in notes(app)) and any("No book yet" in n for n in notes(app))


async def test_ctrl_b_shows_every_page_of_the_book():
    app = ChatditApp()
    async with running(app) as pilot:
        await book_turn(pilot)
        await pilot.press("ctrl+b")
        await settle(pilot, lambda: app.screen.query(PageCard))
        assert [c.page.heading for c in app.screen.query(PageCard)] == ["page 1", "page 2"]
        await pilot.press("enter")
        assert isinstance(app.screen, ImageScreen)


async def test_ctrl_n_starts_a_new_chat_and_the_old_one_is_kept():
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, "/rename old")
        old = chat(app)
        await pilot.press("ctrl+n")
        assert chat(app) is not old and chat(app).session is None
        await pilot.press("ctrl+o", "enter")
        assert chat(app) is old


async def test_ctrl_q_quits():
    app = ChatditApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+q")
    assert app.return_code == 0


# -- sessions screen -------------------------------------------------------------------------


def make_sessions(*titles: str) -> list[Session]:
    made = []
    for title in titles:
        with Session.create(title=title) as session:
            made.append(session)
    return made


async def test_sessions_screen_opens_renames_and_deletes_with_confirmation():
    make_sessions("fox book", "frog book")
    app = ChatditApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+o")
        listing = app.screen.query_one(ListView)
        assert [item.summary.title for item in listing.children] == ["frog book", "fox book"]
        await pilot.press("r")
        assert isinstance(app.screen, AskTextScreen)
        app.screen.query_one(Input).value = "toad book"
        await pilot.press("enter")
        assert [s.title for s in list_sessions()] == ["toad book", "fox book"]
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert len(list_sessions()) == 2
        await pilot.press("down", "d", "y")
        assert [s.title for s in list_sessions()] == ["toad book"]
        await pilot.press("enter")
        assert isinstance(app.screen, ChatScreen) and chat(app).session.title == "toad book"


async def test_sessions_screen_ctrl_n_starts_a_new_session():
    make_sessions("fox book")
    app = ChatditApp()
    async with running(app) as pilot:
        await pilot.press("ctrl+o", "ctrl+n")
        assert isinstance(app.screen, ChatScreen) and chat(app).session is None


async def test_deleting_the_open_session_leaves_a_fresh_chat():
    app = ChatditApp()
    async with running(app) as pilot:
        await send(pilot, "/rename doomed")
        await pilot.press("ctrl+o", "d", "y")
        assert list_sessions() == []
        await pilot.press("escape")
        assert chat(app).session is None


async def test_reopening_a_session_shows_its_pages(home):
    app = ChatditApp()
    async with running(app) as pilot:
        await book_turn(pilot)
        path = chat(app).session.path
    app = ChatditApp(path)
    async with running(app) as pilot:
        await settle(pilot, lambda: chat(app).query(PageCard))
        assert [c.page.heading for c in chat(app).query(PageCard)] == ["page 1", "page 2"]
        assert chat(app).query(".plan")


async def test_a_session_path_that_is_not_a_session_yet_is_made_at_the_first_message(tmp_path):
    app = ChatditApp(tmp_path / "my-book")
    async with running(app) as pilot:
        assert chat(app).session is None
        await book_turn(pilot, "make a picture of a frog")
        assert chat(app).session.path == tmp_path / "my-book"


async def test_a_damaged_session_is_reported_and_a_new_chat_opens(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "session.json").write_text("{not json")
    app = ChatditApp(tmp_path / "broken")
    async with running(app):
        assert chat(app).session is None
        assert notes(app)


# -- history tree ----------------------------------------------------------------------------


async def test_history_tree_undo_branch_and_start_over_keys():
    app = ChatditApp()
    async with running(app) as pilot:
        await book_turn(pilot)
        await book_turn(pilot, "page 2: add a yellow sun")
        session = chat(app).session
        first, second = [t.id for t in session.turns()]
        await pilot.press("ctrl+t")
        tree = app.screen.query_one(Tree)
        assert tree.cursor_node.data == second
        await pilot.press("u")
        assert session.record.head == first
        await pilot.press("s")
        assert session.record.head is None
        tree.move_cursor(tree.root.children[0].children[0])
        await pilot.press("b")
        assert session.record.head == second
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)
        await settle(pilot, lambda: len(chat(app).query(".turn")) == 2)


async def test_a_face_swap_without_stated_consent_asks_for_it(tmp_path):
    from test_faceswap import draw_face

    from chatdit.dit.video import write_video

    clip = write_video([draw_face(cx=70 + i) for i in range(5)], tmp_path / "clip.mp4", fps=8)
    face = tmp_path / "me.png"
    Image.fromarray(draw_face(width=128, height=128, cx=64, cy=64, scale=0.8)).save(face)
    app = ChatditApp()
    async with running(app) as pilot:
        for path in (face, clip):
            await send(pilot, f"/attach {path}")
        await send(pilot, "swap my face into this clip")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "agree" in str(app.screen.question)
        await pilot.press("n")
        await settle(pilot, lambda: not chat(app).busy)
        assert chat(app).session.turns()[-1].status == "failed"
        for path in (face, clip):
            await send(pilot, f"/attach {path}")
        await send(pilot, "swap my face into this clip")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: not chat(app).busy)
        [asset] = chat(app).session.turns()[-1].assets
        assert asset.kind == "video"
