"""Batches of scripted sessions: in process without Ray, on a local Ray, after a killed worker."""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from filelock import FileLock

import chatdit
from chatdit import Session
from chatdit.batches import BatchError, run_batch
from chatdit.batches.jobs import CURSOR_FILE, RESULT_FILE, Cursor, plan_jobs, save_cursor
from chatdit.batches.on_ray import check_reachable, worker_count
from chatdit.batches.worker import LOCK_FILE, SessionWorker

FAST = {"model": "tiny", "width": 64, "height": 64, "steps": 2, "critic": False, "rounds": 1}
NANO = {"model": "nano", "seed": 1}


def write_script(folder: Path, name: str, messages: list, settings: dict | None = None) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"settings": settings or FAST, "messages": messages}))
    return path


def two_page_book(folder: Path, name: str, animal: str, settings: dict | None = None) -> Path:
    return write_script(folder, name, [f"make a two-page picture book about a red {animal} and a blue bird",
                                       {"export": f"{name}.pdf"}], settings)


def no_ray(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError


def test_without_ray_the_batch_runs_in_turn_here_and_says_how_to_spread(tmp_path, monkeypatch, capsys):
    no_ray(monkeypatch)
    scripts = [two_page_book(tmp_path, "fox", "fox"), two_page_book(tmp_path, "cat", "cat")]
    results = chatdit.batch(scripts, ray_address="local", sessions=tmp_path / "out")
    said = capsys.readouterr().err
    assert "Ray is not installed (--ray local asked for it)" in said and "pip install 'chatdit[ray]'" in said
    assert [r.name for r in results] == ["fox", "cat"] and {r.status for r in results} == {"done"}
    for result in results:
        assert result.session == tmp_path / "out" / result.name and result.pages == 2
        assert result.pdf == result.session / "exports" / f"{result.name}.pdf" and result.pdf.stat().st_size > 0
    assert results[0].load_seconds > 0 and results[1].load_seconds == 0, "the second session reloaded the model"


def test_the_cli_prints_the_summary_and_resume_does_not_run_a_finished_session_again(tmp_path, monkeypatch, capsys):
    from chatdit.cli import main

    no_ray(monkeypatch)
    script = write_script(tmp_path, "moon", ["a picture of a yellow moon", {"export": "/elsewhere/moon.pdf"}])
    out = tmp_path / "out"
    assert main(["batch", str(script), "--sessions", str(out), "--quiet"]) == 0
    table = capsys.readouterr().out
    assert "session" in table and "moon" in table and str(out / "moon" / "exports" / "moon.pdf") in table
    assert main(["batch", str(script), "--sessions", str(out)]) == 3  # the folder already holds a session: an input error
    assert "already holds a session; pass --resume" in capsys.readouterr().err
    made = sorted((out / "moon" / "assets").iterdir())
    assert main(["batch", str(script), "--sessions", str(out), "--resume", "--quiet"]) == 0
    assert "done (earlier run)" in capsys.readouterr().out
    assert sorted((out / "moon" / "assets").iterdir()) == made


def test_a_cut_off_script_goes_on_after_its_last_finished_entry_without_undoing_twice(tmp_path, monkeypatch):
    no_ray(monkeypatch)
    script = write_script(tmp_path, "fox", ["a picture of a red fox", {"export": "fox.pdf"},
                                            "a picture of a blue bird", {"undo": True}])
    out = tmp_path / "out"
    [first] = run_batch([script], sessions=out, quiet=True)
    with Session.open(first.session) as session:
        fox_turn = session.record.head
        turns = len(session.turns())
    # As if the worker died right after the undo ran, before the batch wrote its result:
    save_cursor(first.session, Cursor(entry=3, turns=turns, head=session.turns()[1].id))
    (first.session / RESULT_FILE).unlink()
    [again] = run_batch([script], sessions=out, resume=True, quiet=True)
    with Session.open(again.session) as session:
        assert session.record.head == fox_turn and len(session.turns()) == turns
    assert again.status == "done" and again.pdf == first.pdf and again.pdf.is_file(), "the earlier export was lost"


def test_two_workers_never_write_one_session(tmp_path):
    [job] = plan_jobs([two_page_book(tmp_path, "fox", "fox")], tmp_path / "out")
    job.folder.mkdir(parents=True)
    with FileLock(job.folder / LOCK_FILE):
        result = SessionWorker().run(job)
    assert result.status == "failed" and "another worker is writing" in result.error
    assert not (job.folder / "session.json").exists()


def test_bad_batches_are_refused_before_anything_runs(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    same = [two_page_book(tmp_path / d, "fox", "fox") for d in "ab"]
    with pytest.raises(BatchError, match="would share the session folder 'fox'"):
        run_batch(same, sessions=tmp_path / "out")
    broken = tmp_path / "broken.yaml"
    broken.write_text("messages: [{undo: true, export: x.pdf}]")
    with pytest.raises(chatdit.ChatditError, match="not a valid chatdit script"):
        run_batch([broken], sessions=tmp_path / "out")
    with pytest.raises(BatchError, match="--max-parallel must be 1 or more"):
        run_batch(same[:1], sessions=tmp_path / "out", max_parallel=0)
    assert not (tmp_path / "out").exists()


def test_workers_are_as_many_as_the_cluster_holds_and_gpus_are_checked():
    said = []
    assert worker_count({"CPU": 2.0}, jobs=4, gpus_per_job=0, max_parallel=None, say=said.append) == 2
    assert worker_count({"CPU": 2.0}, jobs=1, gpus_per_job=0, max_parallel=None, say=said.append) == 1
    assert worker_count({"CPU": 16.0, "GPU": 8.0}, jobs=9, gpus_per_job=2, max_parallel=None, say=said.append) == 4
    assert worker_count({"CPU": 2.0}, jobs=4, gpus_per_job=0, max_parallel=3, say=said.append) == 2
    assert said == ["--max-parallel 3: the cluster holds 2 worker(s) now; starting 2"]
    with pytest.raises(BatchError, match="has 0 GPUs"):
        worker_count({"CPU": 2.0}, jobs=1, gpus_per_job=1, max_parallel=None, say=said.append)


needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="Ray is not installed (chatdit[ray])")


@needs_ray
def test_two_nano_books_on_a_local_ray_with_two_workers(tmp_path):
    scripts = [two_page_book(tmp_path, "fox", "fox", NANO), two_page_book(tmp_path, "cat", "cat", NANO)]
    results = chatdit.batch(scripts, ray_address="local", sessions=tmp_path / "out", max_parallel=2, quiet=True)
    assert [r.status for r in results] == ["done", "done"], [r.error for r in results]
    assert len({r.worker for r in results}) == 2, "both books ran on one worker"
    for result in results:
        assert result.pages == 2 and sum(result.verdicts.values()) == 2 and result.pdf.stat().st_size > 0
        assert result.round_trip_seconds >= result.seconds


@pytest.mark.slow
@needs_ray
def test_a_worker_killed_mid_batch_loses_no_finished_session_and_resume_finishes(tmp_path):
    first = two_page_book(tmp_path, "first", "fox", NANO)
    second = write_script(tmp_path, "second", ["make a six-page picture book about a red fox and a blue bird",
                                               {"export": "second.pdf"}], NANO)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "chatdit.cli", "batch", str(first), str(second), "--sessions", str(out),
               "--ray", "local", "--max-parallel", "1", "--quiet"]
    batch = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    worker_pid = wait_for_first_pages_of(out / "second", batch)
    finished = (out / "first" / RESULT_FILE).read_bytes()
    os.kill(worker_pid, signal.SIGKILL)
    table, _ = batch.communicate(timeout=120)
    assert batch.returncode == 1 and "cut off" in table
    assert (out / "first" / RESULT_FILE).read_bytes() == finished
    with Session.open(out / "second") as cut:
        assert cut.pending() is not None, "the kill did not land mid-turn"

    resumed = subprocess.run([*command, "--resume"], check=False, stdout=subprocess.PIPE, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stdout
    assert "done (earlier run)" in resumed.stdout and "done (resumed)" in resumed.stdout
    assert (out / "first" / RESULT_FILE).read_bytes() == finished
    result = json.loads((out / "second" / RESULT_FILE).read_text())
    assert result["pages"] == 6 and Path(result["pdf"]).is_file()


def wait_for_first_pages_of(folder: Path, batch: subprocess.Popen, limit_s: float = 240) -> int:
    """The pid of the worker writing `folder`, once the first step of its first turn made pages."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        assert batch.poll() is None, "the batch ended before the second session made its first pages"
        cursor = folder / CURSOR_FILE
        if cursor.is_file() and len(list((folder / "assets").glob("*.png"))) >= 4:
            return int(Cursor.model_validate_json(cursor.read_bytes()).worker.rsplit(":", 1)[1])
        time.sleep(0.05)
    raise AssertionError("the second session never started")


def test_a_ray_address_that_does_not_answer_fails_in_seconds_with_what_to_do():
    with pytest.raises(BatchError, match=r"nothing answers at 127.0.0.1:1 .*ray start --head"):
        check_reachable("127.0.0.1:1")
    with pytest.raises(BatchError, match="is not local, auto or HOST:PORT"):
        check_reachable("nonsense")
