"""A chatdit session: a folder on disk, a tree of turns, and the graph that runs each turn.

The TUI, the CLI and scripts all use this class; it holds no agent logic. Turns form a tree:
`head` is the turn the next message continues from, undo moves it to its parent, branch moves
it anywhere, and nothing is ever deleted. Every turn runs in the LangGraph SQLite checkpointer,
so a killed process leaves a turn that `resume()` finishes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from chatdit import heroes
from chatdit.answers import Answers, ApproveFn, ConsentFn
from chatdit.config import Settings, chatdit_home, load_settings
from chatdit.errors import DamagedSessionError, SessionError
from chatdit.events import Event, Notice, TurnFinished
from chatdit.lock import SessionLock
from chatdit.protect import protect_in_session
from chatdit.provenance.credentials import sign_export
from chatdit.redact import split_secrets
from chatdit.schema import Asset, PageEntry, Turn
from chatdit.store import SessionRecord, SessionStore

EventHandler = Callable[[Event], None]


def sessions_dir() -> Path:
    return chatdit_home() / "sessions"


def hub_notice(message: str) -> None:
    """The model hub's fallbacks and load notes, streamed to whoever runs the turn (the hub is
    used inside graph nodes); outside a turn they go to the log."""
    from chatdit.nodes import emit

    try:
        emit(Notice(level="warning", message=message))
    except RuntimeError:
        logging.getLogger("chatdit").warning(message)


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class Session:
    def __init__(self, store: SessionStore, record: SessionRecord, pipeline: Any = None,
                 run_only: dict[str, Any] | None = None):
        self.store, self.record = store, record
        self._run_only = dict(run_only or {})
        """Secrets (an API key, a URL's credentials) used by this object and never stored."""
        self.settings: Settings = load_settings(**{**record.settings, **self._run_only})
        self._lock = SessionLock(store.root)
        self._cancel = threading.Event()
        self._hub = None
        self._pipeline = pipeline
        self._absolute_root = store.root.expanduser().resolve()  # asset paths handed out stay valid after a chdir
        self._graph = None
        self._connection: sqlite3.Connection | None = None

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path | None = None, *, title: str | None = None, pipeline: Any = None,
               **settings: Any) -> Session:
        """A new session folder (under the chatdit home when no path is given); without a `title`
        it takes its first book's title. `pipeline`: a FluxPipeline you built (your quantization,
        LoRAs, offload) to draw with instead of `model`; it is used as it is and not saved, so pass
        it again to Session.open."""
        load_settings(**settings)  # fail now, naming the bad key, not at the first message
        session_id = new_id()
        root = Path(path).expanduser() if path else sessions_dir() / session_id
        store = SessionStore(root)
        store.check_folder()
        if store.exists():
            raise SessionError(f"{root} already holds a session; open it with Session.open or pick another folder")
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SessionError(f"cannot make the session folder {root} ({exc.strerror}); pick another path") from None
        stored, run_only = split_secrets(settings)
        record = SessionRecord(id=session_id, title=title or "untitled", title_by_person=bool(title), settings=stored)
        session = cls(store, record, pipeline, run_only)
        session._lock.acquire()
        if store.exists():  # another process made a session here while we were deciding
            session.close()
            raise SessionError(f"{root} already holds a session; open it with Session.open or pick another folder")
        store.save(session.record)
        return session

    @classmethod
    def open(cls, path: str | Path, *, pipeline: Any = None, **run_only: Any) -> Session:
        """An existing session; run_only settings (an API key) are used and never stored."""
        store = SessionStore(Path(path).expanduser())
        return cls(store, store.load(), pipeline, run_only)

    def _writing(self) -> None:
        """Take the session's write lock before the first change, and re-read what another process
        may have written since this object read session.json; kept until close()."""
        if self._lock.held:
            return
        self._lock.acquire()
        try:
            self.record = self.store.load()
        except BaseException:
            self._lock.release()
            raise

    @property
    def path(self) -> Path:
        return self.store.root

    @property
    def title(self) -> str:
        return self.record.title

    def rename(self, title: str) -> None:
        """Give the session (and its book) a person's title; books made later keep it."""
        if title.strip():
            self._writing()
            self.record.title, self.record.title_by_person = " ".join(title.split()), True
            self.store.save(self.record)

    def configure(self, *, title: str | None = None, **settings: Any) -> Settings:
        """Change settings for later turns (the same names as config.toml keys); saved with the
        session. `title` renames the session and its book."""
        if title is not None:
            self.rename(title)
        stored, run_only = split_secrets(settings)
        settings_now = load_settings(**{**self.record.settings, **self._run_only, **settings})
        self._writing()
        self._run_only.update(run_only)
        for key in run_only:
            self.record.settings.pop(key, None)
        self.record.settings = {**self.record.settings, **stored}
        self.settings = settings_now
        self.store.save(self.record)
        if {"model", "device", "dtype", "offload", "cache", "compile", "parallel"} & set(settings):
            self._hub = None
        return self.settings

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection, self._graph = None, None
        self._lock.release()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the turn tree -----------------------------------------------------------------------

    def turns(self) -> list[Turn]:
        """Every turn ever started, in order, on all branches."""
        return [self._outward(turn) for turn in self.record.turns]

    def turn(self, turn_id: str) -> Turn:
        for turn in self.record.turns:
            if turn.id == turn_id:
                return self._outward(turn)
        raise SessionError(f"no turn {turn_id!r} in this session; see session.turns() for the ids")

    def history(self) -> list[Turn]:
        """The completed turns from the first to the head: what the next message builds on."""
        chain, current = [], self.record.head
        while current:
            if len(chain) > len(self.record.turns):
                raise DamagedSessionError(f"the turns in {self.store.record_path} loop (parent_id); run `chatdit doctor {self.path}`")
            turn = self.turn(current)
            chain.append(turn)
            current = turn.parent_id
        return chain[::-1]

    def undo(self) -> Turn | None:
        """Step the head back one turn; the undone turn stays in the tree for branch()."""
        self._writing()
        if self.record.head is None:
            return None
        undone = self.turn(self.record.head)
        self.record.head = undone.parent_id
        self.store.save(self.record)
        return undone

    def branch(self, turn_id: str | None) -> None:
        """Continue from any completed turn (None: from the empty start); later turns are kept."""
        self._writing()
        if turn_id is not None and self.turn(turn_id).status != "done":
            raise SessionError(f"turn {turn_id} did not complete; branch from a completed turn")
        self.record.head = turn_id
        self.store.save(self.record)

    # -- what exists -------------------------------------------------------------------------

    def assets(self) -> dict[str, Asset]:
        return {asset_id: self._absolute(asset) for asset_id, asset in self._recorded_assets().items()}

    def _recorded_assets(self) -> dict[str, Asset]:
        found = {}
        for turn in self.record.turns:
            for asset in [*turn.attempts, *turn.assets]:
                found[asset.id] = asset
        return found

    def _absolute(self, asset: Asset) -> Asset:
        """The asset with an absolute path, so `Image.open(asset.path)` works from any folder; the
        record keeps paths relative to the session folder, which may move."""
        return asset.model_copy(update={"path": str(self._absolute_root / asset.path)})

    def _outward(self, turn: Turn) -> Turn:
        return turn.model_copy(update={"assets": [self._absolute(a) for a in turn.assets],
                                       "attempts": [self._absolute(a) for a in turn.attempts]})

    def state_after(self, turn_id: str | None) -> dict[str, Any]:
        """The graph state right after a turn (book, cards, ...); empty before the first."""
        if turn_id is None:
            return {}
        turn = self.turn(turn_id)
        values = self._graph_app().get_state(self._config(turn.thread_id, turn.checkpoint_id)).values
        if not values:
            raise DamagedSessionError(f"the checkpoint of turn {turn.id} is missing from {self.store.checkpoint_path}; "
                                      f"run `chatdit doctor {self.path}`")
        return values

    def pages(self, after: str | None = None) -> dict[int, PageEntry]:
        """The book as it stands at the head (or right after the turn `after`): page number ->
        picture, prompt and text."""
        values = self.state_after(after or self.record.head)
        return {int(p): PageEntry.model_validate(e) for p, e in (values.get("book") or {}).items()}

    def book(self, after: str | None = None) -> dict[int, Asset]:
        """The page -> asset map at the head (or right after the turn `after`)."""
        assets = self.assets()
        return {page: assets[entry.asset_id] for page, entry in sorted(self.pages(after).items()) if entry.asset_id in assets}

    def asset_path(self, asset: Asset | str) -> Path:
        """Where an asset's file is, under the session folder as it was opened (relative if it was)."""
        asset_id = asset if isinstance(asset, str) else asset.id
        return self.store.asset_path(self._recorded_assets().get(asset_id) or asset)

    # -- running turns -----------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the running turn within one denoising step; completed turns are untouched."""
        self._cancel.set()

    def chat(self, text: str, images: Iterable[str | Path] = (), *, on_event: EventHandler | None = None,
             approve: ApproveFn | None = None, consent: ConsentFn | None = None) -> Turn:
        """Run one message through parse -> plan -> execute -> critic -> respond. `approve` is asked
        about the plan (setting plan_approval), `consent` about a face swap whose message did not
        state consent; without them the turn goes ahead, or stops for want of consent. "page 2
        text: ..." sets that page's text and draws nothing."""
        from chatdit.book.texts import page_text_command
        from chatdit.inputs import check_message, store_uploads
        from chatdit.state import new_turn_input

        text = check_message(text)
        self._writing()
        self.state_after(self.record.head)  # the head's checkpoint must be there to build on: a damaged one is said now
        if (command := page_text_command(text)) is not None and not images:
            return self.set_page_text(*command, message=text)
        uploads = store_uploads(self.store, images)
        head = self.turn(self.record.head) if self.record.head else None
        thread_id = head.thread_id if head else new_id()
        turn = Turn(id=new_id(), parent_id=self.record.head, message=text, thread_id=thread_id,
                    images=[u["asset_id"] for u in uploads])
        self.record.turns.append(turn)
        self.store.save(self.record)
        config = self._config(thread_id, head.checkpoint_id if head else None)
        return self._run(turn, new_turn_input(turn.id, text, uploads, self.settings.rounds, turn.parent_id), config, on_event,
                         Answers(approve, consent))

    def stream(self, text: str, images: Iterable[str | Path] = (), *, approve: ApproveFn | None = None,
               consent: ConsentFn | None = None) -> Iterator[Event | TurnFinished]:
        """chat() as a generator: each event as it happens, then TurnFinished(turn). Breaking out
        of the loop cancels the turn."""
        from chatdit.events import stream_events

        return stream_events(lambda on_event: self.chat(text, images, on_event=on_event, approve=approve,
                                                        consent=consent), self.cancel)

    def pending(self) -> Turn | None:
        """The turn a killed process left unfinished, if any."""
        running = [turn for turn in self.record.turns if turn.status == "running"]
        return running[-1] if running else None

    def resume(self, *, on_event: EventHandler | None = None, approve: ApproveFn | None = None,
               consent: ConsentFn | None = None) -> Turn:
        """Finish the turn a crash interrupted, from its last completed step. When newer turns were
        made since, it is finished as a branch: the head stays where it is and the reply says so."""
        from chatdit.state import new_turn_input

        self._writing()
        turn = self.pending()
        if turn is None:
            raise SessionError("nothing to resume: every turn in this session finished")
        answers, branch = Answers(approve, consent), turn.parent_id != self.record.head
        state = self._graph_app().get_state(self._config(turn.thread_id))
        if state.next and state.values.get("turn_id") == turn.id:
            return self._run(turn, None, self._config(turn.thread_id), on_event, answers, branch=branch)
        parent = self.turn(turn.parent_id) if turn.parent_id else None
        uploads = [{"asset_id": a, "path": str(self.asset_path(a))} for a in turn.images]
        config = self._config(turn.thread_id, parent.checkpoint_id if parent else None)
        graph_input = new_turn_input(turn.id, turn.message, uploads, self.settings.rounds, turn.parent_id)
        return self._run(turn, graph_input, config, on_event, answers, branch=branch)

    def _run(self, turn: Turn, graph_input: Any, config: dict, on_event: EventHandler | None, answers: Answers,
             *, branch: bool = False) -> Turn:
        from chatdit.turns import run_turn

        return self._outward(run_turn(self, turn, graph_input, config, on_event, answers, branch=branch))

    # -- models and graph --------------------------------------------------------------------

    def hub(self):
        """The session's model hub, loaded on first use and kept for later turns."""
        if self._hub is None:
            from chatdit.dit.hub import ModelHub

            self._hub = ModelHub(self.settings, notify=hub_notice, pipeline=self._pipeline)
        return self._hub

    def use_hub(self, hub) -> None:
        """Run later turns on models loaded elsewhere: a batch worker loads one set for many
        sessions (with the same model settings) instead of one per session."""
        self._hub = hub

    def _graph_app(self):
        if self._graph is None:
            from langgraph.checkpoint.sqlite import SqliteSaver

            from chatdit.graph import build_graph
            from chatdit.integrity import open_checkpoints

            self._connection = open_checkpoints(self.store, self.record)
            self._graph = build_graph(SqliteSaver(self._connection))
        return self._graph

    @staticmethod
    def _config(thread_id: str | None, checkpoint_id: str | None = None) -> dict:
        configurable = {"thread_id": thread_id or "main", "checkpoint_ns": ""}  # update_state needs the namespace
        if checkpoint_id:
            configurable["checkpoint_id"] = checkpoint_id
        return {"configurable": configurable}

    # -- the book's words and export ---------------------------------------------------------

    # photo heroes (chatdit.heroes) and photo protection (chatdit.protect), as Session methods
    cards, add_card, edit_card = heroes.cards, heroes.add_card, heroes.edit_card
    protect = protect_in_session

    def commit_state(self, message: str, values: dict[str, Any], images: list[str] | None = None, reply: str = "") -> Turn:
        """A change made without generating (a card, a page's text) as a turn of its own, for undo and branch."""
        self._writing()
        head = self.turn(self.record.head) if self.record.head else None
        thread_id = head.thread_id if head else new_id()
        config = self._config(thread_id, head.checkpoint_id if head else None)
        saved = self._graph_app().update_state(config, values, as_node="respond")
        turn = Turn(id=new_id(), parent_id=self.record.head, message=message, thread_id=thread_id, images=images or [],
                    status="done", reply=reply or message, checkpoint_id=saved["configurable"]["checkpoint_id"])
        self.record.turns.append(turn)
        self.record.head = turn.id
        self.store.save(self.record)
        return turn

    def set_page_text(self, page: int, text: str | None, *, message: str | None = None) -> Turn:
        """Print `text` on `page` as the person wrote it (None or blank: no text); draws nothing.
        It is a turn of its own, so undo brings the old text back."""
        from chatdit.book.texts import with_page_text

        book = with_page_text(self.pages(), page, (text or "").strip() or None)
        reply = f"Page {page} now reads: {book[page].text}" if book[page].text else f"Page {page} has no text now."
        values = {"book": {str(n): e.model_dump(mode="json") for n, e in book.items()}, "reply": reply}
        return self.commit_state(message or f"page {page} text: {text or ''}", values, reply=reply)

    def export(self, path: str | Path, **options: Any) -> Path:
        """Write the book as .pdf, .html, .gif or .mp4; a relative path lands in the session's
        exports/. `options` override the book_* settings (page_size, layout, bleed, author)."""
        from chatdit.book.export import export_book, session_book
        from chatdit.integrity import book_files

        target = self.store.resolve_export_path(path)
        files = book_files(self.store, self.assets(), self.pages())  # a page whose picture is gone is said, not skipped
        book, chosen = session_book(self, **options)
        written = export_book(book, target, chosen)
        sign_export(written, self.title, [(number, file) for number, file, _ in files])
        return written
