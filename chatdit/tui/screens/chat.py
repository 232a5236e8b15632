"""The chat screen of one session: the conversation, the composer, and the turn running in a worker."""

from __future__ import annotations

import threading
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from chatdit.errors import ChatditError, TurnCancelled
from chatdit.events import Event
from chatdit.schema import Approval, ConsentRequest, Plan, Turn
from chatdit.session import Session
from chatdit.tui import actions, slash
from chatdit.tui.errors import report
from chatdit.tui.views import book_texts, turn_pages
from chatdit.tui.widgets.chips import AttachmentChips
from chatdit.tui.widgets.composer import Composer
from chatdit.tui.widgets.pages import PageCard, PageView
from chatdit.tui.widgets.paths import attachable_file
from chatdit.tui.widgets.turn import TurnView

WELCOME = ("Describe what to draw, e.g. “make a two-page picture book about a red fox”. "
           "Then change a page (“page 2: add a yellow sun”), /export pdf, or ctrl+o to find old sessions.")


class ChatScreen(Screen):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel turn", show=True),
        Binding("ctrl+g", "pictures", "Pictures"),
        Binding("ctrl+l", "focus_composer", "Composer", show=False),
    ]

    class TurnEvent(Message):
        def __init__(self, view: TurnView, event: Event):
            super().__init__()
            self.view, self.event = view, event

    def __init__(self, session: Session | None = None, new_path: Path | None = None):
        """A chat on session, or on a new one made at the first message (in new_path if given)."""
        super().__init__()
        self.session, self.new_path = session, new_path
        self.busy = False

    @property
    def session_title(self) -> str:
        return self.session.title if self.session else "new session"

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(Static(WELCOME, classes="welcome"), id="conversation")
        yield AttachmentChips(id="chips")
        yield Composer(list(slash.COMMANDS), id="composer")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(AttachmentChips).display = False
        self.sub_title = self.session_title
        self.query_one(Composer).focus()
        if self.session is not None:
            self.load_history()

    # -- showing the session -------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load_history(self) -> None:
        """Read the finished turns (and the book texts) off the UI thread, then show them."""
        try:
            turns = self.session.history()
            texts = book_texts(self.session) if any(t.assets for t in turns) else {}
            shown = [(turn, turn_pages(self.session, turn, texts)) for turn in turns]
        except Exception as exc:  # noqa: BLE001 - every failure becomes a notification
            self.app.call_from_thread(report, self.app, exc)
            return
        self.app.call_from_thread(self.show_history, shown)

    async def show_history(self, shown: list[tuple[Turn, list[PageView]]]) -> None:
        conversation = self.query_one("#conversation", VerticalScroll)
        await conversation.remove_children()
        if not shown:
            await conversation.mount(Static(WELCOME, classes="welcome"))
        for turn, pages in shown:
            view = TurnView(turn.message, self.session.path)
            await conversation.mount(view)
            await view.show_past(turn, pages)
        conversation.scroll_end(animate=False)
        self.sub_title = self.session_title

    def start_over(self) -> None:
        """Forget the session (it was deleted); the next message starts a new one."""
        self.session, self.new_path = None, None
        self.sub_title = self.session_title
        self.call_after_refresh(self.show_history, [])

    def ensure_session(self) -> Session:
        if self.session is None:
            self.session = Session.create(self.new_path)
            self.app.remember(self)
        return self.session

    # -- sending -------------------------------------------------------------------------------

    def on_composer_submitted(self, event: Composer.Submitted) -> None:
        composer = self.query_one(Composer)
        text = event.text.strip()
        composer.clear()
        if text.startswith("/"):
            self.run_slash(text)
        else:
            self.send(text)

    def on_composer_attach(self, event: Composer.Attach) -> None:
        self.query_one(AttachmentChips).add(event.path)

    def run_slash(self, text: str) -> None:
        """Run a slash command; one ending in a space waits in the composer for its argument."""
        if text.endswith(" "):
            composer = self.query_one(Composer)
            composer.text = text
            composer.move_cursor(composer.document.end)
            composer.focus()
            return
        try:
            slash.run(self, text)
        except Exception as exc:  # noqa: BLE001
            report(self.app, exc)

    def send(self, text: str) -> None:
        if self.busy:
            self.notify("A turn is still running: wait for it or press Esc to cancel it.", severity="warning")
            self.query_one(Composer).text = text
            return
        words = text.split()
        typed = [path for path in map(attachable_file, words) if path]
        images = self.query_one(AttachmentChips).take() + typed
        message = " ".join(w for w in words if not attachable_file(w)) if typed else text
        try:
            session = self.ensure_session()
        except ChatditError as exc:
            report(self.app, exc)
            return
        view = TurnView(message, session.path, [p.name for p in images])
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.query(".welcome").remove()
        conversation.mount(view)
        conversation.scroll_end(animate=False)
        self.set_busy(True)
        self.run_turn(view, message, images)

    @work(thread=True, group="turn")
    def run_turn(self, view: TurnView, text: str, images: list[Path]) -> None:
        """Run the turn in a thread; events come back as messages, so the UI never waits on it."""
        session = self.session
        try:
            turn = session.chat(text, images, on_event=lambda e: self.post_message(self.TurnEvent(view, e)),
                                approve=lambda plan: self.ask_approval(plan, view), consent=self.ask_consent)
            pages = turn_pages(session, turn)
        except Exception as exc:  # noqa: BLE001
            failed = session.pending() or (session.turns()[-1] if session.turns() else None)
            self.app.call_from_thread(self.turn_failed, view, exc, failed)
            return
        self.app.call_from_thread(self.turn_done, view, turn, pages)

    async def on_chat_screen_turn_event(self, message: TurnEvent) -> None:
        conversation = self.query_one("#conversation", VerticalScroll)
        following = conversation.scroll_y >= conversation.max_scroll_y - 1  # not if the person scrolled up to look
        await message.view.handle(message.event)
        self.sub_title = self.session_title  # the session takes its title from the first message
        if following:
            conversation.scroll_end(animate=False)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.refresh_bindings()

    async def turn_done(self, view: TurnView, turn: Turn, pages: list[PageView]) -> None:
        self.set_busy(False)
        await view.show_result(turn, pages)
        self.query_one("#conversation", VerticalScroll).scroll_end(animate=False)
        self.sub_title = self.session_title

    async def turn_failed(self, view: TurnView, exc: Exception, turn: Turn | None) -> None:
        self.set_busy(False)
        if isinstance(exc, TurnCancelled):
            self.notify("Turn cancelled; earlier turns are untouched.", title="Cancelled")
        else:
            report(self.app, exc)
        if turn is not None and turn.status != "running":
            await view.show_result(turn, [])
        self.query_one("#conversation", VerticalScroll).scroll_end(animate=False)

    def ask_approval(self, plan: Plan, view: TurnView) -> Approval | None:
        """Called by the turn's thread: show the plan and wait for the person's answer."""
        from chatdit.tui.screens.approval import PlanApprovalScreen

        return self.ask_from_thread(PlanApprovalScreen(plan, view.instruction, view.message))

    def ask_consent(self, request: ConsentRequest) -> bool:
        """Called by the turn's thread before a face swap whose message did not state consent."""
        from chatdit.tui.screens.dialogs import ConfirmScreen

        return bool(self.ask_from_thread(ConfirmScreen(request.question())))

    def ask_from_thread(self, screen: Screen):
        """Show a modal screen from the turn's thread and wait for its answer (None if the app quits)."""
        answered, answer = threading.Event(), {}

        def decided(result) -> None:
            answer["result"] = result
            answered.set()

        self.app.call_from_thread(self.app.push_screen, screen, decided)
        while not answered.wait(0.2):
            if not self.app.is_running:
                return None
        return answer["result"]

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Esc shows as available only while a turn runs."""
        return (True if self.busy else None) if action == "cancel" else True

    def action_cancel(self) -> None:
        if self.busy and self.session is not None:
            self.session.cancel()
            self.notify("Cancelling… the turn stops after the current denoising step.", timeout=3)

    def action_focus_composer(self) -> None:
        self.query_one(Composer).focus()

    def action_pictures(self) -> None:
        """Jump to the newest picture; arrows move between pictures, enter opens one large."""
        cards = self.query(PageCard)
        if cards:
            cards.last().focus()
            cards.last().scroll_visible()
        else:
            self.notify("No pictures yet.")

    def on_page_card_selected(self, event: PageCard.Selected) -> None:
        from chatdit.tui.screens.image import ImageScreen

        self.app.push_screen(ImageScreen(event.page, event.pages, set_text=lambda n, t: actions.set_page_text(self, n, t)))

    def idle_session(self) -> Session:
        """The session, for commands that must not run beside a turn."""
        if self.busy:
            raise ChatditError("a turn is running: wait for it or press Esc to cancel it first")
        return self.ensure_session()
