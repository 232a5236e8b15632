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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatdit import heroes
from chatdit.config import Settings, chatdit_home, load_settings
from chatdit.errors import ChatditError, SessionError, TurnCancelled
from chatdit.events import Event, Notice
from chatdit.protect import protect_in_session
from chatdit.provenance.credentials import sign_export
from chatdit.schema import Approval, Asset, ConsentRequest, Critique, Instruction, PageEntry, Plan, Turn, utc_now
from chatdit.store import SessionRecord, SessionStore

EventHandler = Callable[[Event], None]
ApproveFn = Callable[[Plan], Plan | Approval | None]
"""Plan approval: return the plan (edited or not), or an Approval that also changes page texts, to
go on; None to cancel."""

ConsentFn = Callable[[ConsentRequest], bool]
"""Face-swap consent: True when the people whose faces are attached agreed."""

TITLE_LENGTH = 60


@dataclass
class Answers:
    """Who answers the questions a turn pauses on (LangGraph interrupts)."""

    approve: ApproveFn | None = None
    consent: ConsentFn | None = None

    def answer(self, question: dict, handler: EventHandler) -> dict:
        if "consent" in question:
            request = ConsentRequest.model_validate(question["consent"])
            return {"consent": bool(self.consent and self.consent(request))}
        plan = Plan.model_validate(question["plan"])
        if self.approve is None:
            handler(Notice(message="plan approval is on but nobody is asked here; going ahead"))
            return {"action": "approve"}
        decided = self.approve(plan)
        if decided is None:
            return {"action": "cancel"}
        if isinstance(decided, Plan):
            decided = Approval(plan=decided)
        return {"action": "approve", **decided.model_dump(mode="json")}


def sessions_dir() -> Path:
    return chatdit_home() / "sessions"


def book_file_name(title: str, fmt: str = "pdf") -> str:
    """'The Red Fox' -> 'the-red-fox.pdf': the export name when the person names none."""
    stem = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:40] or "book"
    return f"{stem}.{fmt}"


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
    def __init__(self, store: SessionStore, record: SessionRecord):
        self.store, self.record = store, record
        self.settings: Settings = load_settings(**record.settings)
        self._cancel = threading.Event()
        self._hub = None
        self._graph = None
        self._connection: sqlite3.Connection | None = None

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path | None = None, *, title: str | None = None, **settings: Any) -> Session:
        """A new session folder (under the chatdit home when no path is given)."""
        load_settings(**settings)  # fail now, naming the bad key, not at the first message
        session_id = new_id()
        root = Path(path).expanduser() if path else sessions_dir() / session_id
        store = SessionStore(root)
        if store.exists():
            raise SessionError(f"{root} already holds a session; open it with Session.open or pick another folder")
        root.mkdir(parents=True, exist_ok=True)
        record = SessionRecord(id=session_id, title=title or "untitled", settings=settings)
        store.save(record)
        return cls(store, record)

    @classmethod
    def open(cls, path: str | Path) -> Session:
        store = SessionStore(Path(path).expanduser())
        return cls(store, store.load())

    @property
    def path(self) -> Path:
        return self.store.root

    @property
    def title(self) -> str:
        return self.record.title

    def rename(self, title: str) -> None:
        self.record.title = title.strip() or self.record.title
        self.store.save(self.record)

    def configure(self, **settings: Any) -> Settings:
        """Change settings for later turns (the same names as config.toml keys); saved with the session."""
        merged = {**self.record.settings, **settings}
        self.settings = load_settings(**merged)
        self.record.settings = merged
        self.store.save(self.record)
        if {"model", "device", "dtype", "offload", "cache", "compile"} & set(settings):
            self._hub = None
        return self.settings

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection, self._graph = None, None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the turn tree -----------------------------------------------------------------------

    def turns(self) -> list[Turn]:
        """Every turn ever started, in order, on all branches."""
        return list(self.record.turns)

    def turn(self, turn_id: str) -> Turn:
        for turn in self.record.turns:
            if turn.id == turn_id:
                return turn
        raise SessionError(f"no turn {turn_id!r} in this session; see session.turns() for the ids")

    def history(self) -> list[Turn]:
        """The completed turns from the first to the head: what the next message builds on."""
        chain, current = [], self.record.head
        while current:
            turn = self.turn(current)
            chain.append(turn)
            current = turn.parent_id
        return chain[::-1]

    def undo(self) -> Turn | None:
        """Step the head back one turn; the undone turn stays in the tree for branch()."""
        if self.record.head is None:
            return None
        undone = self.turn(self.record.head)
        self.record.head = undone.parent_id
        self.store.save(self.record)
        return undone

    def branch(self, turn_id: str | None) -> None:
        """Continue from any completed turn (None: from the empty start); later turns are kept."""
        if turn_id is not None and self.turn(turn_id).status != "done":
            raise SessionError(f"turn {turn_id} did not complete; branch from a completed turn")
        self.record.head = turn_id
        self.store.save(self.record)

    # -- what exists -------------------------------------------------------------------------

    def assets(self) -> dict[str, Asset]:
        found = {}
        for turn in self.record.turns:
            for asset in [*turn.attempts, *turn.assets]:
                found[asset.id] = asset
        return found

    def state_after(self, turn_id: str | None) -> dict[str, Any]:
        """The graph state right after a turn (book, cards, ...); empty before the first."""
        if turn_id is None:
            return {}
        turn = self.turn(turn_id)
        return self._graph_app().get_state(self._config(turn.thread_id, turn.checkpoint_id)).values

    def pages(self, after: str | None = None) -> dict[int, PageEntry]:
        """The book as it stands at the head (or right after the turn `after`): page number ->
        picture, prompt and text."""
        values = self.state_after(after or self.record.head)
        return {int(p): PageEntry.model_validate(e) for p, e in (values.get("book") or {}).items()}

    # photo heroes (chatdit.heroes) and photo protection (chatdit.protect), as Session methods
    cards, add_card, edit_card = heroes.cards, heroes.add_card, heroes.edit_card
    protect = protect_in_session

    def commit_state(self, message: str, values: dict[str, Any], images: list[str] | None = None, reply: str = "") -> Turn:
        """A change made without generating (a card) as a turn of its own, for undo and branch."""
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

    def book(self, after: str | None = None) -> dict[int, Asset]:
        """The page -> asset map at the head (or right after the turn `after`)."""
        assets = self.assets()
        return {page: assets[entry.asset_id] for page, entry in sorted(self.pages(after).items()) if entry.asset_id in assets}

    def asset_path(self, asset: Asset | str) -> Path:
        asset = self.assets()[asset] if isinstance(asset, str) else asset
        return self.store.asset_path(asset)

    # -- running turns -----------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the running turn within one denoising step; completed turns are untouched."""
        self._cancel.set()

    def chat(self, text: str, images: Iterable[str | Path] = (), *, on_event: EventHandler | None = None,
             approve: ApproveFn | None = None, consent: ConsentFn | None = None) -> Turn:
        """Run one message through parse -> plan -> execute -> critic -> respond. `approve` is asked
        about the plan (setting plan_approval), `consent` about a face swap whose message did not
        state consent; without them the turn goes ahead, or stops for want of consent."""
        from chatdit.state import new_turn_input

        uploads = self._store_uploads(images)
        head = self.turn(self.record.head) if self.record.head else None
        thread_id = head.thread_id if head else new_id()
        turn = Turn(id=new_id(), parent_id=self.record.head, message=text, thread_id=thread_id,
                    images=[u["asset_id"] for u in uploads])
        self.record.turns.append(turn)
        if self.record.title == "untitled":
            self.record.title = text.strip().splitlines()[0][:TITLE_LENGTH] if text.strip() else "untitled"
        self.store.save(self.record)
        config = self._config(thread_id, head.checkpoint_id if head else None)
        return self._run(turn, new_turn_input(turn.id, text, uploads, self.settings.rounds, turn.parent_id), config, on_event,
                         Answers(approve, consent))

    def pending(self) -> Turn | None:
        """The turn a killed process left unfinished, if any."""
        running = [turn for turn in self.record.turns if turn.status == "running"]
        return running[-1] if running else None

    def resume(self, *, on_event: EventHandler | None = None, approve: ApproveFn | None = None,
               consent: ConsentFn | None = None) -> Turn:
        """Finish the turn a crash interrupted, from its last completed step."""
        from chatdit.state import new_turn_input

        turn = self.pending()
        if turn is None:
            raise SessionError("nothing to resume: every turn in this session finished")
        state = self._graph_app().get_state(self._config(turn.thread_id))
        if state.next and state.values.get("turn_id") == turn.id:
            return self._run(turn, None, self._config(turn.thread_id), on_event, Answers(approve, consent))
        parent = self.turn(turn.parent_id) if turn.parent_id else None
        uploads = [{"asset_id": a, "path": str(self.asset_path(a))} for a in turn.images]
        config = self._config(turn.thread_id, parent.checkpoint_id if parent else None)
        return self._run(turn, new_turn_input(turn.id, turn.message, uploads, self.settings.rounds, turn.parent_id), config, on_event,
                         Answers(approve, consent))

    def _run(self, turn: Turn, graph_input: Any, config: dict, on_event: EventHandler | None, answers: Answers) -> Turn:
        from langgraph.types import Command

        from chatdit.state import TurnRuntime

        self._cancel.clear()
        handler = on_event or (lambda event: None)
        runtime = TurnRuntime(store=self.store, settings=self.settings, hub=self.hub, cancel=self._cancel)
        app = self._graph_app()
        try:
            while True:
                question = None
                for mode, chunk in app.stream(graph_input, config, context=runtime, stream_mode=["updates", "custom"]):
                    if mode == "custom":
                        handler(chunk)
                    elif "__interrupt__" in chunk:
                        question = chunk["__interrupt__"][0].value
                if question is None:
                    break
                graph_input = Command(resume=answers.answer(question, handler))
                config = self._config(turn.thread_id)
        except BaseException as exc:
            self._close_failed_turn(turn, exc)
            raise
        return self._close_done_turn(turn)

    def _close_done_turn(self, turn: Turn) -> Turn:
        from chatdit.agents.responder import best_assets

        state = self._graph_app().get_state(self._config(turn.thread_id))
        values = state.values
        attempts = [Asset.model_validate(a) for a in values.get("assets") or []]
        critiques = [Critique.model_validate(c) for c in values.get("critiques") or []]
        turn.instruction = Instruction.model_validate(values["instruction"])
        turn.plan = Plan.model_validate(values["plan"])
        turn.attempts, turn.critiques = attempts, critiques
        turn.assets = best_assets(attempts, critiques)
        turn.reply, turn.status = values.get("reply", ""), "done"
        turn.checkpoint_id = state.config["configurable"]["checkpoint_id"]
        self.record.head = turn.id
        self.store.save(self.record)
        return turn

    def _close_failed_turn(self, turn: Turn, exc: BaseException) -> None:
        if isinstance(exc, KeyboardInterrupt | TurnCancelled):
            turn.status, turn.error = "cancelled", str(exc) or "cancelled"
        else:
            turn.status = "failed"
            turn.error = str(exc) if isinstance(exc, ChatditError) else f"{exc.__class__.__name__}: {exc}"
        turn.reply = turn.error
        self.store.save(self.record)

    def _store_uploads(self, images: Iterable[str | Path]) -> list[dict[str, str]]:
        """Check and copy attached files into the session before any turn starts."""
        from chatdit.inputs import check_video, is_video, open_checked_image

        uploads = []
        for image in images:
            source = Path(image).expanduser()
            fields = {"tool": "upload", "prompt": f"attached {source.name}", "created_at": utc_now()}
            if is_video(source):
                asset = self.store.add_file(check_video(source), kind="video", **fields)
            else:
                asset = self.store.add_image(open_checked_image(source), {"source": str(source), "tool": "upload"}, **fields)
            uploads.append({"asset_id": asset.id, "path": str(source)})
        return uploads

    # -- models and graph --------------------------------------------------------------------

    def hub(self):
        """The session's model hub, loaded on first use and kept for later turns."""
        if self._hub is None:
            from chatdit.dit.hub import ModelHub

            self._hub = ModelHub(self.settings, notify=hub_notice)
        return self._hub

    def _graph_app(self):
        if self._graph is None:
            from langgraph.checkpoint.sqlite import SqliteSaver

            from chatdit.graph import build_graph

            self._connection = sqlite3.connect(self.store.checkpoint_path, check_same_thread=False)
            self._graph = build_graph(SqliteSaver(self._connection))
        return self._graph

    @staticmethod
    def _config(thread_id: str | None, checkpoint_id: str | None = None) -> dict:
        configurable = {"thread_id": thread_id or "main", "checkpoint_ns": ""}  # update_state needs the namespace
        if checkpoint_id:
            configurable["checkpoint_id"] = checkpoint_id
        return {"configurable": configurable}

    # -- export ------------------------------------------------------------------------------

    def export(self, path: str | Path) -> Path:
        """Write the book as .pdf, .html or .gif; a relative path lands in the session's exports/."""
        from chatdit.tools.book import BookPage, export_book

        pages = self.pages()
        if not pages:
            last = self.history()[-1].assets if self.history() else []
            if not last:
                raise SessionError("nothing to export yet: make some pictures first")
            pages = {i: PageEntry(asset_id=a.id, prompt=a.prompt or "") for i, a in enumerate(last, start=1)}
        assets = self.assets()
        book_pages = [BookPage(number=n, image_path=self.store.asset_path(assets[e.asset_id]), text=e.text) for n, e in sorted(pages.items())]
        target = export_book(book_pages, self.store.resolve_export_path(path), title=self.title)
        sign_export(target, self.title, [(p.number, p.image_path) for p in book_pages])
        return target
