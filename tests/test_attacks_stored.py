"""Attack table, part 2: files people attach and sessions on disk (LLM answers: part 3).

A real session is made once on the tiny model; every case damages a copy of it and checks that
the damage is said (a DamagedSessionError naming `chatdit doctor`), never a traceback, and that
session.json is untouched by the failed command. Each case is bounded in seconds.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from chatdit.errors import ChatditError, DamagedSessionError, InputImageError, SessionBusyError, SessionError

pytestmark = pytest.mark.timeout(60)


def png_bytes(size=(8, 8), **text) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value, zip=True)
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with one tiny IDAT: a decompression bomb's shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(buffer, format="JPEG")
    return buffer.getvalue()


IMAGES = {
    "zero bytes": (b"", "png"), "text named png": (b"hello, not a picture", "png"),
    "truncated png": (png_bytes((64, 64))[:60], "png"), "png header only": (b"\x89PNG\r\n\x1a\n", "png"),
    "100000x100000 claimed": (png_claiming(100_000, 100_000), "png"), "9000x10 claimed": (png_claiming(9000, 10), "png"),
    "1x100000 claimed": (png_claiming(1, 100_000), "png"), "zero width claimed": (png_claiming(0, 10), "png"),
    "text-chunk bomb": (png_bytes(comment="a" * 20_000_000), "png"),
    "many text-chunk bombs": (png_bytes(a="b" * 2_000_000, c="d" * 2_000_000), "png"),
    "truncated jpeg": (jpeg_bytes()[:40], "jpg"), "jpeg garbage after SOI": (b"\xff\xd8\xff" + b"\x00" * 50, "jpg"),
    "gif claiming 65535x65535": (b"GIF89a\xff\xff\xff\xff\x00\x00\x00;", "gif"),
    "bmp claiming huge": (b"BM" + struct.pack("<IHHIIiiHHIIiiII", 70, 0, 0, 54, 40, 60000, 60000, 1, 24, 0, 0, 0, 0, 0, 0), "bmp"),
    "webp garbage": (b"RIFF\x10\x00\x00\x00WEBPVP8 \x00\x00", "webp"), "svg text": (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "svg"),
    "tiff claiming huge": ((b"II*\x00\x08\x00\x00\x00\x02\x00\x00\x01\x04\x00\x01\x00\x00\x00\xa0\x86\x01\x00"
                            b"\x01\x01\x04\x00\x01\x00\x00\x00\xa0\x86\x01\x00\x00\x00\x00\x00"), "tif"),
}


@pytest.mark.parametrize("name", list(IMAGES))
def test_an_image_that_is_not_what_it_claims_is_an_input_error(name, tmp_path):
    from chatdit.inputs import open_checked_image

    data, suffix = IMAGES[name]
    path = tmp_path / f"x.{suffix}"
    path.write_bytes(data)
    with pytest.raises(InputImageError) as caught:
        open_checked_image(path)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("kind", ["folder", "missing"])
def test_a_folder_or_a_missing_file_is_an_input_error(kind, tmp_path):
    from chatdit.inputs import open_checked_image

    if kind == "folder":
        (tmp_path / "x.png").mkdir()
    with pytest.raises(InputImageError):
        open_checked_image(tmp_path / "x.png")


@pytest.mark.parametrize("maker", [lambda: png_bytes((1, 1)), jpeg_bytes])
def test_a_plain_picture_opens(maker, tmp_path):
    from chatdit.inputs import open_checked_image

    (tmp_path / "ok.img").write_bytes(maker())
    assert open_checked_image(tmp_path / "ok.img").mode == "RGB"


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    import numpy as np

    from chatdit.dit.video import write_video

    folder = tmp_path_factory.mktemp("clip")
    return write_video([np.full((32, 32, 3), 40 * i, np.uint8) for i in range(6)], folder / "clip.mp4", fps=6)


VIDEOS = {"zero-byte webm": ("webm", lambda c: b""), "text named mp4": ("mp4", lambda c: b"not a video\n" * 20),
          "png named mp4": ("mp4", lambda c: png_bytes()), "truncated mp4": ("mp4", lambda c: c.read_bytes()[:200]),
          "zeros named mov": ("mov", lambda c: b"\0" * 4096)}


@pytest.mark.parametrize("name", list(VIDEOS))
def test_a_video_is_probed_before_use(name, clip, tmp_path):
    from chatdit.inputs import check_video

    suffix, make = VIDEOS[name]
    path = tmp_path / f"x.{suffix}"
    path.write_bytes(make(clip))
    with pytest.raises(InputImageError):
        check_video(path)


def test_a_real_clip_passes_the_probe_and_a_long_one_is_refused_with_the_limit(clip, monkeypatch):
    from chatdit import inputs

    assert inputs.check_video(clip) == clip
    monkeypatch.setattr(inputs, "MAX_VIDEO_FRAMES", 3)
    with pytest.raises(InputImageError, match="at most 3"):
        inputs.check_video(clip)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A real two-page session on the tiny model."""
    from chatdit import Session

    root = tmp_path_factory.mktemp("made") / "fox"
    with Session.create(root, model="tiny", critic=False, steps=2) as session:
        session.chat("a two-page picture book about a red fox")
    return root


def copy_of(made: Path, tmp_path: Path) -> Path:
    root = tmp_path / "fox"
    shutil.copytree(made, root, ignore=shutil.ignore_patterns(".chatdit.*"))
    return root


def head_checkpoint_gone(root: Path) -> None:
    import sqlite3

    with sqlite3.connect(root / "checkpoints.sqlite") as db:
        db.execute("DELETE FROM checkpoints")


def first_asset(root: Path) -> Path:
    return min((root / "assets").iterdir())


def loop(root: Path, kind: str) -> None:
    record = json.loads((root / "session.json").read_text())
    first = record["turns"][0]
    if kind == "self":
        first["parent_id"] = first["id"]
    else:
        record["turns"].append({**first, "id": "t2", "parent_id": first["id"]})
        first["parent_id"] = "t2"
    (root / "session.json").write_text(json.dumps(record))


def set_record(root: Path, **fields) -> None:
    record = json.loads((root / "session.json").read_text())
    (root / "session.json").write_text(json.dumps({**record, **fields}))


DAMAGE = {  # name -> (damage, the command that meets it, the error)
    "session.json empty": (lambda r: (r / "session.json").write_bytes(b""), "open", DamagedSessionError),
    "session.json garbage": (lambda r: (r / "session.json").write_bytes(b"garbage"), "open", DamagedSessionError),
    "session.json binary": (lambda r: (r / "session.json").write_bytes(b"\xff\xfe\x00\x01"), "open", DamagedSessionError),
    "session.json a list": (lambda r: (r / "session.json").write_text("[]"), "open", DamagedSessionError),
    "session.json no id": (lambda r: (r / "session.json").write_text("{}"), "open", DamagedSessionError),
    "session.json half": (lambda r: (r / "session.json").write_bytes((r / "session.json").read_bytes()[:100]), "open", DamagedSessionError),
    "session.json deep": (lambda r: (r / "session.json").write_text("[" * 100_000), "open", DamagedSessionError),
    "session.json a folder": (lambda r: ((r / "session.json").unlink(), (r / "session.json").mkdir()), "open", DamagedSessionError),
    "session.json missing": (lambda r: (r / "session.json").unlink(), "open", SessionError),
    "session folder a file": (lambda r: (shutil.rmtree(r), r.write_text("x")), "open", SessionError),
    "session folder missing": (lambda r: shutil.rmtree(r), "open", SessionError),
    "parent loop on itself": (lambda r: loop(r, "self"), "open", DamagedSessionError),
    "parent loop of two": (lambda r: loop(r, "two"), "open", DamagedSessionError),
    "head names no turn": (lambda r: set_record(r, head="nope"), "history", SessionError),
    "turns not a list": (lambda r: set_record(r, turns=5), "open", DamagedSessionError),
    "settings invalid": (lambda r: set_record(r, settings={"rounds": -1}), "open", ChatditError),
    "settings unknown": (lambda r: set_record(r, settings={"bogus": 1}), "open", ChatditError),
}
for command in ("history", "export", "chat"):
    DAMAGE |= {
        f"checkpoints garbage / {command}": (lambda r: (r / "checkpoints.sqlite").write_bytes(b"x" * 5000), command, DamagedSessionError),
        f"checkpoints truncated / {command}": (lambda r: (r / "checkpoints.sqlite").write_bytes((r / "checkpoints.sqlite").read_bytes()[:3000]),
                                               command, DamagedSessionError),
        f"checkpoints missing / {command}": (lambda r: (r / "checkpoints.sqlite").unlink(), command, DamagedSessionError),
        f"checkpoints a folder / {command}": (lambda r: ((r / "checkpoints.sqlite").unlink(), (r / "checkpoints.sqlite").mkdir()),
                                              command, DamagedSessionError),
        f"checkpoints empty / {command}": (lambda r: (r / "checkpoints.sqlite").write_bytes(b""), command, DamagedSessionError),
        f"head checkpoint gone / {command}": (head_checkpoint_gone, command, DamagedSessionError),
    }
DAMAGE |= {
    "page picture missing / export": (lambda r: first_asset(r).unlink(), "export", DamagedSessionError),
    "page picture garbage / export": (lambda r: first_asset(r).write_bytes(b"garbage"), "export", DamagedSessionError),
    "page picture truncated / export": (lambda r: first_asset(r).write_bytes(first_asset(r).read_bytes()[:80]), "export", DamagedSessionError),
    "assets a file / export": (lambda r: (shutil.rmtree(r / "assets"), (r / "assets").write_text("x")), "export", DamagedSessionError),
}


def run_command(root: Path, command: str) -> None:
    from chatdit import Session

    with Session.open(root) as session:
        if command == "history":
            session.pages()
            session.history()
        elif command == "export":
            session.export("book.pdf")
        elif command == "chat":
            session.chat("page 1: make the fox blue")


@pytest.mark.parametrize("name", list(DAMAGE))
def test_damaged_stored_data_is_said_and_the_session_is_left_as_it_was(name, made, tmp_path):
    damage, command, error = DAMAGE[name]
    root = copy_of(made, tmp_path)
    damage(root)
    before = (root / "session.json").read_bytes() if (root / "session.json").is_file() else None
    with pytest.raises(error) as caught:
        run_command(root, command)
    assert "\n" not in str(caught.value)
    if isinstance(caught.value, DamagedSessionError) and command != "open":
        assert "chatdit doctor" in str(caught.value)
    after = (root / "session.json").read_bytes() if (root / "session.json").is_file() else None
    assert after == before
    assert not (root / "exports" / "book.pdf").exists()


def test_a_whole_session_opens_and_exports_every_page(made, tmp_path):
    from chatdit import Session

    root = copy_of(made, tmp_path)
    with Session.open(root) as session:
        assert len(session.book()) == 2
        assert session.export("book.pdf").stat().st_size > 0


def test_a_second_writer_is_refused_naming_the_first_and_then_sees_its_turns(made, tmp_path, monkeypatch):
    import chatdit.lock
    from chatdit import Session

    monkeypatch.setattr(chatdit.lock, "WAIT_SECONDS", 0.2)
    root = copy_of(made, tmp_path)
    first, second = Session.open(root), Session.open(root)
    first.rename("first's title")
    with pytest.raises(SessionBusyError, match=r"in use by another chatdit \(pid \d+\)"):
        second.rename("second's title")
    first.close()
    second.rename("second's title")
    assert second.record.turns and second.title == "second's title"
    second.close()


def test_secrets_are_used_but_never_stored(tmp_path):
    from chatdit import Session

    url = "http://alice:s3cret-pass@127.0.0.1:9/v1"
    with Session.create(tmp_path / "s", model="tiny", critic=False, steps=2, llm_api_key="sk-TOPSECRET1", llm_url=url) as session:
        assert session.settings.llm_api_key == "sk-TOPSECRET1" and session.settings.llm_url == url
        session.configure(llm_api_key="sk-OTHERSECRET2")
        session.chat("a red fox")
    stored = b"".join(p.read_bytes() for p in (tmp_path / "s").rglob("*") if p.is_file())
    for secret in (b"sk-TOPSECRET1", b"sk-OTHERSECRET2", b"s3cret-pass", b"alice:"):
        assert secret not in stored
    assert Session.open(tmp_path / "s").settings.llm_url == "http://127.0.0.1:9/v1"


@pytest.mark.parametrize("name", ["../../x.pdf", "../x.pdf", "a/../../x.pdf"])
def test_a_relative_export_path_cannot_leave_the_exports_folder(name, made, tmp_path):
    from chatdit import Session

    root = copy_of(made, tmp_path)
    with Session.open(root) as session, pytest.raises(SessionError, match="exports/ folder"):
        session.export(name)
    assert not (tmp_path / "x.pdf").exists() and not (root / "x.pdf").exists()


def test_resuming_an_old_turn_after_newer_ones_finishes_it_as_a_branch(made, tmp_path):
    from chatdit import Session
    from chatdit.schema import Turn

    root = copy_of(made, tmp_path)
    with Session.open(root) as session:
        first = session.record.head
        session._writing()
        killed = Turn(id="killed0000ab", parent_id=first, message="page 2: add a yellow sun",
                      thread_id=session.turn(first).thread_id)
        session.record.turns.append(killed)  # what a kill -9 mid-turn leaves
        session.store.save(session.record)
        newer = session.chat("page 1: make the fox blue")
        resumed = session.resume()
        assert resumed.status == "done" and "as a branch" in resumed.reply
        assert [t.id for t in session.history()] == [first, newer.id]


def test_a_cancel_during_the_critic_stops_the_turn_and_keeps_its_pictures(made, tmp_path, monkeypatch):
    from chatdit.agents import critic

    from chatdit import Session
    from chatdit.errors import TurnCancelled

    root = copy_of(made, tmp_path)
    judge = critic.critique_outputs
    with Session.open(root) as session:
        session.configure(critic=True)

        def judged_while_cancelled(*args, **kwargs):  # Esc pressed while the critic works
            session.cancel()
            return judge(*args, **kwargs)

        monkeypatch.setattr(critic, "critique_outputs", judged_while_cancelled)
        with pytest.raises(TurnCancelled):
            session.chat("page 1: make the fox blue")
        turn = session.turns()[-1]
        assert turn.status == "cancelled" and turn.attempts
        known = {Path(a.path).name for t in session.turns() for a in [*t.attempts, *t.assets]}
        assert {p.name for p in (root / "assets").iterdir()} <= known  # no picture orphaned
