"""`chatdit doctor FOLDER`: check a session's stored data, list what is wrong, offer repairs.

It reads session.json (and the copy of its last good version, session.json.bak), the checkpoint
database, and the asset files. Each problem is printed with what it means; a repair is offered
only where one exists (restore session.json from its last good copy or rebuild it from the
checkpoint database, salvage a damaged database into a new file, cut a parent_id loop), and is
made only when the person says yes. Nothing is ever deleted: damaged files are moved aside, and
orphan pictures are listed, removed only when asked one by one.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chatdit.errors import ChatditError
from chatdit.integrity import checkpoint_problem
from chatdit.lock import LOCK_FILE, PID_FILE
from chatdit.schema import Asset, Critique, Turn
from chatdit.store import SessionRecord, SessionStore, find_cycle

Ask = Callable[[str], bool]


@dataclass
class Finding:
    """One problem, and the repair on offer (None: nothing chatdit can do but say it)."""

    problem: str
    repair: str | None = None
    fix: Callable[[], str] | None = None
    deletes: bool = False


def moved_aside(path: Path) -> Path:
    """Rename a damaged file next to itself with a time stamp, never deleting it."""
    target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(path, target)
    return target


def load_record(path: Path) -> tuple[SessionRecord | None, str | None]:
    """The record at path, or why it cannot be used."""
    try:
        record = SessionRecord.model_validate_json(path.read_bytes())
        find_cycle(record)
        return record, None
    except ChatditError as exc:
        return None, str(exc)
    except (OSError, ValueError) as exc:
        return None, f"{exc.__class__.__name__}: {' '.join(str(exc).split())[:160]}"


def record_findings(store: SessionStore) -> tuple[SessionRecord | None, list[Finding]]:
    """session.json's problem and its repair: rebuilt from the checkpoint database (exact turns; the
    title and settings from the last good copy), else that copy restored, else a loop cut."""
    record, problem = load_record(store.record_path)
    if record is not None:
        return record, []
    backup, _ = load_record(store.backup_path) if store.backup_path.is_file() else (None, None)
    finding = Finding(f"session.json cannot be used: {problem}")
    if store.checkpoint_path.is_file() and checkpoint_problem(store.checkpoint_path) is None:
        kept = "title and settings from session.json.bak" if backup else "settings back to defaults"
        finding.repair = f"rebuild it from checkpoints.sqlite (turns, pictures, replies, the head at the last finished turn; {kept})"
        finding.fix = lambda: replace_record(store, rebuild_from_checkpoints(store, backup), "rebuilt it from checkpoints.sqlite")
    elif backup is not None:
        finding.repair = f"restore it from session.json.bak ({len(backup.turns)} turns)"
        finding.fix = lambda: replace_record(store, backup, "restored its last good copy")
    elif "loop" in (problem or ""):
        finding.repair, finding.fix = "cut the loop (the turn that closes it becomes a first turn)", lambda: cut_loop(store)
    return None, [finding]


def replace_record(store: SessionStore, record: SessionRecord, how: str) -> str:
    aside = moved_aside(store.record_path) if store.record_path.exists() else None
    store.save(record)
    return f"session.json: {how} ({len(record.turns)} turns)" + (f"; the damaged one is {aside.name}" if aside else "")


def rebuild_from_checkpoints(store: SessionStore, base: SessionRecord | None = None) -> SessionRecord:
    """The turns as the checkpoint database saw them: each turn's last state in every thread, its
    parent the turn whose state it started from; finished when the graph had nothing left to run."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from chatdit.graph import build_graph
    from chatdit.session import new_id

    with sqlite3.connect(store.checkpoint_path, check_same_thread=False) as connection:
        graph = build_graph(SqliteSaver(connection))
        threads = [row[0] for row in connection.execute("SELECT DISTINCT thread_id FROM checkpoints ORDER BY rowid")]
        turns = {}
        for thread in threads:
            states = list(graph.get_state_history({"configurable": {"thread_id": thread}}))[::-1]  # oldest first
            turn_of = {s.config["configurable"]["checkpoint_id"]: s.values.get("turn_id") for s in states}
            for state in states:
                if (state.metadata or {}).get("source") == "input":
                    continue  # the state before a new message is applied still shows the turn before it
                if state.values.get("turn_id") and state.values.get("message") is not None:
                    parent = turn_of.get((state.parent_config or {}).get("configurable", {}).get("checkpoint_id"))
                    turns[state.values["turn_id"]] = turn_from_state(state, thread, turns.get(state.values["turn_id"]), parent)
    ordered = list(turns.values())
    done = [turn for turn in ordered if turn.status == "done"]
    head = done[-1].id if done else None
    if base is not None:
        return base.model_copy(update={"turns": ordered, "head": head})  # the copy's head is one save behind
    title = (ordered[0].message.strip().splitlines() or ["untitled"])[0][:60] if ordered else "untitled"
    return SessionRecord(id=new_id(), title=title, turns=ordered, head=head)


def turn_from_state(state, thread: str, earlier: Turn | None, parent: str | None) -> Turn:
    """One turn as a graph state shows it (a later state of the same turn replaces an earlier one)."""
    from chatdit.agents.responder import best_assets

    values = state.values
    attempts = [Asset.model_validate(a) for a in values.get("assets") or []]
    critiques = [Critique.model_validate(c) for c in values.get("critiques") or []]
    first_parent = earlier.parent_id if earlier else (parent if parent != values["turn_id"] else None)
    finished = not state.next and bool(values.get("reply"))
    return Turn(id=values["turn_id"], parent_id=first_parent, message=values["message"], thread_id=thread,
                images=[u["asset_id"] for u in values.get("uploads") or []],
                instruction=values.get("instruction"), plan=values.get("plan"), attempts=attempts, critiques=critiques,
                assets=best_assets(attempts, critiques) if finished else [], reply=values.get("reply") or "",
                status="done" if finished else "running", checkpoint_id=state.config["configurable"]["checkpoint_id"])


def cut_loop(store: SessionStore) -> str:
    record = SessionRecord.model_validate_json(store.record_path.read_bytes())
    parents = {turn.id: turn for turn in record.turns}
    for turn in record.turns:
        seen, current = set(), turn
        while current is not None and current.parent_id is not None:
            if current.id in seen:
                current.parent_id = None
                break
            seen.add(current.id)
            current = parents.get(current.parent_id)
    aside = moved_aside(store.record_path)
    store.save(record)
    return f"cut the loop; the old session.json is {aside.name}"


def checkpoint_findings(store: SessionStore, record: SessionRecord | None) -> list[Finding]:
    path, done = store.checkpoint_path, [t for t in (record.turns if record else []) if t.status == "done"]
    if not path.exists():
        return [Finding(f"checkpoints.sqlite is missing, and {len(done)} finished turn(s) need it: their pages "
                        "cannot be shown or exported (the pictures are still in assets/)")] if done else []
    problem = checkpoint_problem(path)
    if problem is not None:
        return [Finding(problem, "salvage what SQLite can still read into a new checkpoints.sqlite "
                                 "(the damaged file is moved aside)", lambda: salvage(path))]
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        try:
            stored = set(connection.execute("SELECT thread_id, checkpoint_id FROM checkpoints").fetchall())
        except sqlite3.Error:
            stored = set()
    missing = [t.id for t in done if (t.thread_id, t.checkpoint_id) not in stored]
    return [Finding(f"the checkpoints of {len(missing)} finished turn(s) are missing ({', '.join(missing[:5])}): "
                    "branch to an earlier turn to go on")] if missing else []


def salvage(path: Path) -> str:
    """Copy every statement SQLite can still dump into a fresh database."""
    fresh = path.with_name(f".{path.name}.salvage")
    fresh.unlink(missing_ok=True)
    copied = 0
    with sqlite3.connect(path) as old, sqlite3.connect(fresh) as new:
        try:
            for statement in old.iterdump():
                try:
                    new.execute(statement)
                    copied += 1
                except sqlite3.Error:
                    continue
        except sqlite3.Error:
            pass  # the dump stops where the damage starts; keep what came before
    aside = moved_aside(path)
    os.replace(fresh, path)
    return f"salvaged {copied} statements into a new checkpoints.sqlite; the damaged file is {aside.name}"


def asset_findings(store: SessionStore, record: SessionRecord | None) -> list[Finding]:
    if record is None:
        return []
    known = {a.path for t in record.turns for a in [*t.attempts, *t.assets]}
    known |= {f"assets/{i}" for t in record.turns for i in t.images}
    findings = [Finding(f"{path} is missing (a picture a turn made)") for path in sorted(known)
                if path.startswith("assets/") and "." in path and not (store.root / path).is_file()]
    folder = store.assets_dir
    on_disk = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    for file in on_disk:
        relative = f"assets/{file.name}"
        if relative not in known and f"assets/{file.stem}" not in known and not file.name.endswith(".provenance.json"):
            findings.append(Finding(f"{relative} belongs to no turn (an orphan, e.g. from a killed process)",
                                    f"delete {relative}", lambda f=file: (f.unlink(), f"deleted {f.name}")[1], deletes=True))
    return findings


def turn_findings(store: SessionStore, record: SessionRecord | None) -> list[Finding]:
    if record is None:
        return []
    findings = [Finding(f"turn {t.id} was interrupted ({t.message[:40]!r}): `chatdit resume {store.root}` finishes it")
                for t in record.turns if t.status == "running"]
    pid = store.root / PID_FILE
    if (store.root / LOCK_FILE).exists() and pid.is_file():
        findings.append(Finding(f"a chatdit process (pid {pid.read_text().strip()}) had the session open; "
                                "if it still runs, wait for it"))
    return findings


def examine(root: Path) -> list[Finding]:
    store = SessionStore(root)
    if not root.is_dir():
        return [Finding(f"{root} is not a folder")]
    if not store.record_path.exists() and not store.backup_path.exists():
        return [Finding(f"{root} holds no session.json: not a chatdit session")]
    record, findings = record_findings(store)
    for check in (checkpoint_findings, asset_findings, turn_findings):
        findings += check(store, record)
    return findings


def run_doctor(root: Path, ask: Ask, say: Callable[[str], None] = print) -> int:
    """Print every problem, make the repairs the person agrees to; the count of problems left."""
    findings = examine(root)
    if not findings:
        say(f"{root}: no problems found (session.json, checkpoints.sqlite and every picture are whole)")
        return 0
    left = 0
    for finding in findings:
        say(f"problem: {finding.problem}")
        if finding.fix is None or finding.repair is None or not ask(f"  {finding.repair}?"):
            left += 1
            continue
        say(f"  {finding.fix()}")
    return left
