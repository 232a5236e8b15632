"""The chatdit terminal UI: one chat screen per open session, global keys, the command palette.

`chatdit` with no arguments runs `run_app()`. The app holds no agent logic: every screen drives a
`chatdit.session.Session`, and turns run in worker threads.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from chatdit.errors import SessionError
from chatdit.session import Session
from chatdit.store import SessionStore
from chatdit.tui.commands import ChatditCommands
from chatdit.tui.errors import log_exception, log_path, report, setup_logging
from chatdit.tui.screens.chat import ChatScreen


class ChatditApp(App):
    TITLE = "chatdit"
    CSS_PATH = "chatdit.tcss"
    COMMANDS = App.COMMANDS | {ChatditCommands}
    BINDINGS = [
        Binding("ctrl+n", "new_session", "New"),
        Binding("ctrl+o", "sessions", "Sessions"),
        Binding("ctrl+t", "history", "History"),
        Binding("ctrl+b", "book", "Book"),
        Binding("f2", "settings", "Settings"),
        Binding("f1", "help", "Help"),
    ]

    def __init__(self, session_path: Path | None = None):
        super().__init__()
        self.session_path = session_path
        self.chats: list[ChatScreen] = []

    def on_mount(self) -> None:
        setup_logging()
        path, session = self.session_path, None
        try:
            if path is not None and SessionStore(path.expanduser()).exists():
                session, path = Session.open(path), None
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            path = None
        self.push_screen(self.remember(ChatScreen(session, new_path=path)))

    # -- open chats ----------------------------------------------------------------------------

    def remember(self, chat: ChatScreen) -> ChatScreen:
        """Install a chat screen so it lives on while other sessions are shown (its turn keeps running)."""
        if chat not in self.chats:
            self.chats.append(chat)
            self.install_screen(chat, f"chat-{len(self.chats)}-{id(chat)}")
        return chat

    def current_chat(self) -> ChatScreen | None:
        return next((s for s in reversed(self.screen_stack) if isinstance(s, ChatScreen)), None)

    def chat_for(self, path: Path) -> ChatScreen | None:
        path = Path(path).resolve()
        return next((c for c in self.chats if c.session and c.session.path.resolve() == path), None)

    def show_chat(self, chat: ChatScreen) -> None:
        self.remember(chat)
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if self.screen is not chat:
            self.switch_screen(chat)

    def open_session(self, path: Path) -> None:
        try:
            chat = self.chat_for(path) or ChatScreen(Session.open(path))
        except Exception as exc:  # noqa: BLE001
            report(self, exc)
            return
        self.show_chat(chat)

    def forget_session(self, path: Path) -> None:
        """Let go of a session about to be deleted; its chat, if shown, turns into a new chat."""
        chat = self.chat_for(path)
        if chat is None:
            return
        if chat.busy:
            raise SessionError("that session is running a turn: open it and press Esc first")
        chat.session.close()
        if chat in self.screen_stack:
            chat.start_over()
        else:
            self.chats.remove(chat)
            self.uninstall_screen(chat)

    def rename_session(self, path: Path, title: str) -> None:
        chat = self.chat_for(path)
        if chat is not None:
            from chatdit.tui.actions import rename

            rename(chat, title)
        else:
            from chatdit.tui.screens.sessions import rename_session_folder

            rename_session_folder(path, title)

    def _handle_exception(self, error: Exception) -> None:
        """A bug got through: traceback to the log file, one readable line on exit (Textual would print it all)."""
        log_exception(error)
        self._return_code = 1
        if self._exception is None:  # Pilot re-raises it in tests
            self._exception = error
            self._exception_event.set()
        self._exit_renderables.append(f"chatdit stopped on an unexpected error ({type(error).__name__}: {error}); "
                                      f"the details are in {log_path()}")
        self._close_messages_no_wait()

    def cancel_running_turns(self) -> None:
        """Stop every running turn within one denoising step (so quitting does not wait for a book)."""
        for chat in self.chats:
            if chat.busy and chat.session is not None:
                chat.session.cancel()

    # -- actions -------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.cancel_running_turns()
        self.exit()

    def action_new_session(self) -> None:
        self.show_chat(ChatScreen())

    def action_sessions(self) -> None:
        from chatdit.tui.screens.sessions import SessionsScreen

        def chosen(choice) -> None:
            if choice and choice[0] == "open":
                self.open_session(choice[1])
            elif choice:
                self.action_new_session()

        self.push_screen(SessionsScreen(), chosen)

    def action_history(self) -> None:
        from chatdit.tui.screens.history import HistoryScreen

        chat = self.current_chat()
        if chat is None or chat.session is None or not chat.session.turns():
            self.notify("No turns yet: send a message first.")
            return
        if chat.busy:
            self.notify("A turn is running: wait for it or press Esc first.", severity="warning")
            return
        self.push_screen(HistoryScreen(chat.session), lambda moved: chat.load_history() if moved else None)

    def action_book(self) -> None:
        from chatdit.tui.screens.book import BookScreen

        chat = self.current_chat()
        if chat is None or chat.session is None:
            self.notify("No book yet: ask for one, e.g. “make a two-page picture book about a fox”.")
            return
        from chatdit.tui import actions

        self.push_screen(BookScreen(chat.session, set_text=lambda n, t: actions.set_page_text(chat, n, t)))

    def action_settings(self) -> None:
        from chatdit.tui.screens.settings import SettingsScreen

        chat = self.current_chat()
        self.push_screen(SettingsScreen(chat.session if chat else None))

    def action_help(self) -> None:
        from chatdit.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())


def run_app(session_path: Path | None = None) -> None:
    """Run the chat UI on the session at session_path (made there at the first message if it is
    not a session yet), or on a new session in the chatdit home."""
    import chatdit.tui.widgets.preview  # noqa: F401  (textual-image asks the terminal before Textual starts)

    app = ChatditApp(session_path)
    try:
        app.run()
    finally:
        app.cancel_running_turns()
