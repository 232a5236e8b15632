"""`chatdit doctor FOLDER`: every problem said, repairs made only when the person says yes,
nothing deleted without being asked."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from chatdit import Session
from chatdit.doctor import examine, run_doctor

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("doctor") / "fox"
    with Session.create(root, model="tiny", critic=False, steps=2) as session:
        session.chat("a two-page picture book about a red fox")
        session.chat("page 1: make the fox blue")
    return root


@pytest.fixture
def root(made, tmp_path):
    copy = tmp_path / "fox"
    shutil.copytree(made, copy, ignore=shutil.ignore_patterns(".chatdit.*"))
    return copy


def shape(root):
    with Session.open(root) as session:
        return session.record.head, [(t.id, t.parent_id, t.status, t.checkpoint_id, [a.id for a in t.assets])
                                     for t in session.turns()]


def doctor(root, answer=True):
    asked, said = [], []
    left = run_doctor(root, lambda question: asked.append(question) or answer, said.append)
    return left, asked, said


def test_a_whole_session_has_no_problems(root):
    assert doctor(root) == (0, [], [f"{root}: no problems found (session.json, checkpoints.sqlite and every picture are whole)"])


def test_a_damaged_session_json_is_rebuilt_from_the_checkpoints_keeping_title_and_settings(root):
    before = shape(root)
    (root / "session.json").write_text("garbage")
    left, asked, _ = doctor(root)
    assert left == 0 and "title and settings from session.json.bak" in asked[0]
    assert shape(root) == before
    with Session.open(root) as session:
        assert session.settings.model == "tiny" and session.title == "The Red Fox"  # the story's title, kept
    assert list(root.glob("session.json.damaged-*"))


def test_without_the_checkpoints_session_json_is_restored_from_its_last_good_copy(root):
    before = shape(root)
    (root / "session.json").write_text("garbage")
    (root / "checkpoints.sqlite").unlink()
    _, asked, _ = doctor(root)
    assert "session.json.bak" in asked[0]
    assert shape(root)[1][:1] == before[1][:1]  # the copy made before the last save holds the first turn


def test_without_a_good_copy_session_json_is_rebuilt_from_the_checkpoints_exactly(root):
    before = shape(root)
    (root / "session.json").write_text("garbage")
    (root / "session.json.bak").unlink()
    left, asked, _ = doctor(root)
    assert left == 0 and "checkpoints.sqlite" in asked[0]
    assert shape(root) == before


def test_a_repair_refused_changes_nothing(root):
    (root / "session.json").write_text("garbage")
    left, asked, _ = doctor(root, answer=False)
    assert left == 1 and asked and (root / "session.json").read_text() == "garbage"
    assert not list(root.glob("session.json.damaged-*"))


def test_an_orphan_picture_is_listed_and_deleted_only_when_asked(root):
    orphan = root / "assets" / "0123456789abcdef.png"
    shutil.copy(next((root / "assets").iterdir()), orphan)
    left, asked, _ = doctor(root, answer=False)
    assert left == 1 and asked == ["  delete assets/0123456789abcdef.png?"] and orphan.exists()
    assert doctor(root, answer=True)[0] == 0 and not orphan.exists()


def test_a_damaged_checkpoint_database_is_salvaged_into_a_new_file_keeping_the_old(root):
    data = (root / "checkpoints.sqlite").read_bytes()
    (root / "checkpoints.sqlite").write_bytes(data[:4096] + b"\xff" * 4096 + data[8192:])
    findings = examine(root)
    assert any("damaged" in f.problem for f in findings)
    doctor(root)
    assert list(root.glob("checkpoints.sqlite.damaged-*"))
    with sqlite3.connect(root / "checkpoints.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_parent_loop_without_a_good_copy_is_cut(root):
    record = json.loads((root / "session.json").read_text())
    record["turns"][0]["parent_id"] = record["turns"][1]["id"]
    (root / "session.json").write_text(json.dumps(record))
    (root / "session.json.bak").unlink()
    (root / "checkpoints.sqlite").unlink()
    _, asked, _ = doctor(root)
    assert "cut the loop" in asked[0]
    with Session.open(root) as session:
        assert [t.id for t in session.history()] == [t["id"] for t in record["turns"]]


def test_missing_checkpoints_and_interrupted_turns_are_said_with_what_to_do(root):
    with sqlite3.connect(root / "checkpoints.sqlite") as db:
        db.execute("DELETE FROM checkpoints")
    record = json.loads((root / "session.json").read_text())
    record["turns"].append({**record["turns"][-1], "id": "killed000000", "status": "running", "assets": []})
    (root / "session.json").write_text(json.dumps(record))
    problems = [f.problem for f in examine(root)]
    assert any("checkpoints of 2 finished turn(s) are missing" in p for p in problems)
    assert any("chatdit resume" in p for p in problems)
