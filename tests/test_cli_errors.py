"""The command line's failures: one line on stderr, an exit code by kind, the session untouched."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from chatdit.cli import main

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CHATDIT_HOME", str(tmp_path))
    return tmp_path


CASES = [  # argv (S = a session folder under the home) -> exit code, words on stderr
    (["chat", "S", "a fox", "--set", "model=!!python/name:os.system"], 2, "YAML tags"),
    (["chat", "S", "a fox", "--set", "noequals"], 2, "KEY=VALUE"),
    (["chat", "S", "a red \udcff fox"], 3, "not valid UTF-8"),
    (["chat", "S", "page -1: make it blue"], 3, "not a page number"),
    (["chat", "S", "a 1e6-page book about a fox"], 3, "not a number of pages"),
    (["chat", "S", "a fox", "--set", "device=bogus"], 3, "device"),
    (["chat", "S", "a fox", "--set", "llm_timeout=inf"], 3, "llm_timeout"),
    (["chat", "S", "a fox", "--image", "nowhere.png"], 3, "no file at"),
    (["chat", "S", "a fox", "--set", "model=/nonexistent/model-folder", "--set", "critic=false"], 4, "nonexistent"),
    (["chat", "S", "a fox", "--set", "llm=openai", "--set", "llm_url=http://127.0.0.1:9/v1", "--set", "llm_timeout=5"], 5, "127.0.0.1:9"),
    (["history", "S"], 3, "not a chatdit session"),
    (["export", "S"], 3, "not a chatdit session"),
    (["resume", "S"], 3, "not a chatdit session"),
    (["run", "nowhere.yaml"], 3, "no script at"),
]


@pytest.mark.parametrize(("argv", "code", "words"), CASES, ids=[" ".join(c[0])[:50] for c in CASES])
def test_each_failure_is_one_line_with_its_exit_code(argv, code, words, home, capsys):
    argv = [str(home / "S") if a == "S" else a for a in argv]
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    last = err.splitlines()[-1]  # progress lines may come first
    assert last.startswith("error: ") and words in last and "Traceback" not in err


def test_a_bad_message_leaves_the_session_and_the_api_object_usable(home):
    from chatdit import Session
    from chatdit.errors import InstructionError

    with Session.create(home / "s", model="tiny", critic=False, steps=2) as session:
        before = (home / "s" / "session.json").read_bytes()
        with pytest.raises(InstructionError):
            session.chat("a red \udcff fox")
        assert (home / "s" / "session.json").read_bytes() == before
        assert session.chat("a red fox").status == "done"


def test_a_writer_in_another_process_is_named_by_its_pid(home):
    from chatdit import Session
    from chatdit.errors import SessionBusyError

    Session.create(home / "s").close()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from chatdit import Session; s = Session.open(sys.argv[1]); s.rename('held'); "
        "print('held', flush=True); time.sleep(60)"), str(home / "s")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.perf_counter()
        with Session.open(home / "s") as session, pytest.raises(SessionBusyError, match=f"pid {holder.pid}"):
            session.rename("mine")
        assert time.perf_counter() - started < 30
    finally:
        holder.kill()
        holder.wait()
    with Session.open(home / "s") as session:
        session.rename("mine")  # the OS dropped the dead holder's lock
        assert session.title == "mine"
