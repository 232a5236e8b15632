"""The Python API as a diffusers or LangGraph user reaches for it: asset paths that open from any
folder, asset.image(), a pipeline you built yourself, and events as a generator."""

import os

from PIL import Image

from chatdit import Session
from chatdit.events import Denoising, Parsed, TurnFinished


def test_asset_paths_open_from_any_folder_and_the_record_stays_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session = Session.create("book", model="tiny", critic=False, steps=1)
    turn = session.chat("a red fox")
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")
    [asset] = turn.assets
    assert os.path.isabs(asset.path)
    assert Image.open(asset.path).size == asset.image().size == (64, 64)
    assert asset.image().mode == "RGB"
    assert session.history()[-1].assets[0].path == asset.path
    assert '"path": "assets/' in (tmp_path / "book" / "session.json").read_text()
    moved = tmp_path / "moved"
    (tmp_path / "book").rename(moved)
    reopened = Session.open(moved).history()[-1].assets[0]
    assert reopened.path.startswith(str(moved)) and reopened.image().size == (64, 64)


def test_a_pipeline_you_built_draws_the_pictures(tmp_path):
    from chatdit.dit.tiny import build_tiny_pipeline

    mine = build_tiny_pipeline(seed=7)
    session = Session.create(tmp_path / "mine", pipeline=mine, critic=False, steps=1)
    turn = session.chat("a red fox")
    assert session.hub().text2image() is mine
    assert turn.assets[0].model.startswith("custom pipeline")


def test_stream_yields_events_as_a_generator_and_ends_with_the_turn(tmp_path):
    session = Session.create(tmp_path / "s", model="tiny", critic=False, steps=2)
    events = list(session.stream("a red fox"))
    assert isinstance(events[0], Parsed) and any(isinstance(e, Denoising) for e in events)
    assert isinstance(events[-1], TurnFinished) and events[-1].turn.status == "done"
    assert os.path.isabs(events[-1].turn.assets[0].path)


def test_leaving_the_stream_early_cancels_the_turn(tmp_path):
    session = Session.create(tmp_path / "s", model="tiny", critic=False, steps=8)
    for event in session.stream("a red fox"):
        if isinstance(event, Denoising):
            break
    assert session.turns()[-1].status == "cancelled"
