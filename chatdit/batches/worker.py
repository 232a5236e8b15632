"""A batch worker: models loaded once, whole scripted sessions run on them one after another.

The same class runs in the batch's own process (no Ray) and as a Ray actor, one per device. A
session folder is locked while a worker writes it, so two workers never write one session; the
lock is the kernel's (flock), so a worker killed with -9 leaves no stale lock behind.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from chatdit.batches.jobs import BatchJob, Cursor, Result, read_cursor, save_cursor, save_result
from chatdit.errors import ChatditError
from chatdit.events import Denoising, Event, StepStarted

LOCK_FILE = ".batch.lock"
HUB_SETTINGS = {"model", "device", "dtype", "offload", "cache", "compile", "quantize", "steps", "parallel"}
"""The settings a loaded model hub depends on: sessions that agree on these share one hub."""
PROGRESS_INTERVAL_S = 0.25

ProgressFn = Callable[[str, float, str], None]
"""(session name, share of the script done 0..1, what it is doing now)."""


class SessionBusyError(ChatditError):
    """Another worker holds the session folder's lock."""


class ProgressRelay:
    """Turns a session's events into one number per session: the share of its script done."""

    def __init__(self, name: str, entries: int, report: ProgressFn):
        self.name, self.entries, self.report = name, max(entries, 1), report
        self.entry, self.step, self.steps, self.note = 0, 0, 1, ""
        self._last_sent = 0.0

    def start_entry(self, index: int, note: str) -> None:
        self.entry, self.step, self.steps, self.note = index, 0, 1, note
        self._send(0.0, force=True)

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepStarted):
            self.step, self.steps = event.index, max(event.total, 1)
            self._send(0.0, force=True)
        elif isinstance(event, Denoising):
            self._send(event.done / max(event.total, 1))

    def finish(self, note: str) -> None:
        self.report(self.name, 1.0, note)

    def _send(self, within_step: float, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_sent < PROGRESS_INTERVAL_S:
            return
        self._last_sent = now
        within_entry = min((self.step + within_step) / self.steps, 1.0)
        self.report(self.name, (self.entry + within_entry) / self.entries, self.note)


class SessionWorker:
    """Holds model hubs (one per distinct model setting) and runs whole sessions on them."""

    def __init__(self, report: ProgressFn | Any | None = None):
        self._report = report
        self._hubs: dict[str, Any] = {}
        self.where = f"{socket.gethostname()}:{os.getpid()}"

    def run(self, job: BatchJob) -> Result:
        """Run (or finish) one scripted session; every failure comes back as a Result."""
        started = time.perf_counter()
        job.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(job.folder / LOCK_FILE, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            return self._failed(job, started, f"another worker is writing {job.folder}; wait for it, then --resume")
        try:
            result = self._run_locked(job, started)
        except ChatditError as exc:
            result = self._failed(job, started, str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug in one session must not end the others
            tail = traceback.format_exception_only(exc)[-1].strip()
            result = self._failed(job, started, f"unexpected error: {tail}")
        try:
            save_result(result)
        finally:
            lock.release()
        return result

    def _run_locked(self, job: BatchJob, started: float) -> Result:
        from chatdit.batches.summary import summarise
        from chatdit.script import run_step

        session, load_seconds = self._open(job)
        relay = ProgressRelay(job.name, len(job.script.messages), self._send)
        with session:
            first, resumed = self._catch_up(session, job, relay)
            for index in range(first, len(job.script.messages)):
                step = job.script.messages[index]
                save_cursor(job.folder, Cursor(entry=index, turns=len(session.turns()), head=session.record.head,
                                                 worker=self.where))
                relay.start_entry(index, (step.text or step.export or "undo/branch").strip().splitlines()[0][:40])
                run_step(session, step, job.script_path.parent, on_event=relay, export_to=export_path(step))
            relay.finish("done")
            exports = [session.store.resolve_export_path(export_path(s)) for s in job.script.messages if s.export]
            return summarise(job, session, [path for path in exports if path.is_file()],
                             seconds=time.perf_counter() - started, load_seconds=load_seconds, worker=self.where,
                             resumed=resumed)

    def _open(self, job: BatchJob):
        """The job's session (created on its first run) on this worker's models."""
        from chatdit.session import Session
        from chatdit.store import SessionStore

        if SessionStore(job.folder).exists():
            session = Session.open(job.folder)
        else:
            session = Session.create(job.folder, title=job.name, **job.settings)
        hub, load_seconds = self._hub_for(session.settings)
        session.use_hub(hub)
        return session, load_seconds

    def _catch_up(self, session, job: BatchJob, relay: ProgressRelay) -> tuple[int, bool]:
        """Where a cut-off run stopped: finish its turn from the checkpoint, then go on after it."""
        cursor = read_cursor(job.folder)
        if cursor is None:
            return 0, False
        if cursor.entry >= len(job.script.messages):  # the script lost entries since: nothing left
            return len(job.script.messages), False
        step = job.script.messages[cursor.entry]
        if session.pending() is not None:
            relay.start_entry(cursor.entry, "resuming the turn that was cut off")
            session.resume(on_event=relay)
            return cursor.entry + 1, True
        later = session.turns()[cursor.turns:]
        if step.text is not None and later and later[-1].status == "done":
            return cursor.entry + 1, False
        if step.undo and session.record.head != cursor.head:
            return cursor.entry + 1, False
        return cursor.entry, False

    def _hub_for(self, settings) -> tuple[Any, float]:
        """A loaded hub for these settings: built and loaded once, then shared by later sessions."""
        from chatdit.dit.hub import ModelHub
        from chatdit.session import hub_notice

        key = settings.model_dump_json(include=HUB_SETTINGS)
        if key in self._hubs:
            return self._hubs[key], 0.0
        began = time.perf_counter()
        hub = ModelHub(settings, notify=hub_notice)
        hub.text2image()
        self._hubs[key] = hub
        return hub, time.perf_counter() - began

    def _send(self, name: str, share: float, note: str) -> None:
        if self._report is None:
            return
        if callable(self._report):
            self._report(name, share, note)
        else:  # a Ray queue: progress must never hold up the session
            try:
                self._report.put_nowait((name, share, note))
            except Exception as exc:  # noqa: BLE001 - a full or gone queue only costs a progress update
                logging.getLogger("chatdit").debug("batch progress not sent: %s", exc)

    def _failed(self, job: BatchJob, started: float, error: str) -> Result:
        return Result(name=job.name, script=job.script_path, session=job.folder, status="failed", error=error,
                      seconds=time.perf_counter() - started, worker=self.where)



def export_path(step) -> Path | None:
    """Where a script's export goes in a batch: its file name, inside the session's exports/."""
    return Path(Path(step.export).name) if step.export else None
