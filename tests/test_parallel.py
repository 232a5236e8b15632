"""`parallel = "context:N"`: one picture's transformer over several GPUs, checked before any weights load."""

import pytest

from chatdit import Session
from chatdit.cli import main
from chatdit.config import load_settings
from chatdit.dit.parallel import join_parallel_group, parse_parallel, rank_session_folder
from chatdit.errors import SettingsError


@pytest.mark.parametrize(("setting", "scheme", "degree"),
                         [("context:4", "ulysses", 4), ("ulysses:2", "ulysses", 2), ("ring:8", "ring", 8)])
def test_the_setting_names_a_split_and_its_gpus(setting, scheme, degree):
    plan = parse_parallel(load_settings(parallel=setting).parallel)
    assert (plan.scheme, plan.degree) == (scheme, degree)
    assert parse_parallel("none") is None


@pytest.mark.parametrize("bad", ["context:1", "context", "tensor:2", "context:two", "2"])
def test_a_setting_that_names_no_split_is_refused_with_the_forms_that_work(bad):
    with pytest.raises(SettingsError, match=r"parallel must be 'none', 'context:N', 'ulysses:N' or 'ring:N'"):
        load_settings(parallel=bad)


def test_without_torchrun_the_error_gives_the_launch_command(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    with pytest.raises(SettingsError, match=r"torchrun --nproc-per-node 2 -m chatdit.cli run SCRIPT --set parallel=context:2"):
        join_parallel_group(parse_parallel("context:2"), "hub", "auto")


def test_a_launch_with_another_number_of_processes_is_refused(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "4")
    with pytest.raises(SettingsError, match="splits over 2 GPUs but torchrun started 4 processes"):
        join_parallel_group(parse_parallel("ring:2"), "hub", "auto")


def test_no_gpus_and_small_models_are_refused_before_loading(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    with pytest.raises(SettingsError, match="this machine shows 0"):
        join_parallel_group(parse_parallel("context:2"), "hub", "auto")
    with pytest.raises(SettingsError, match="runs on CUDA GPUs, not device = 'cpu'"):
        join_parallel_group(parse_parallel("context:2"), "hub", "cpu")
    with pytest.raises(SettingsError, match="the nano model runs on one device"):
        join_parallel_group(parse_parallel("context:2"), "nano", "auto")


def test_a_session_with_the_setting_fails_its_turn_with_the_reason_and_keeps_going(tmp_path, monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    with Session.create(tmp_path / "s", model="tiny", parallel="context:2") as session:
        with pytest.raises(SettingsError, match="the tiny model runs on one device"):
            session.chat("a red fox")
        session.configure(parallel="none", width=64, height=64, steps=2, critic=False)
        assert session.chat("a red fox").status == "done"


def test_the_cli_says_what_to_do_in_one_line(tmp_path, capsys):
    script = tmp_path / "fox.yaml"
    script.write_text("messages: [a red fox]\n")
    code = main(["run", str(script), "--session", str(tmp_path / "s"), "--set", "parallel=context:2"])
    err = capsys.readouterr().err
    assert code == 3 and err.splitlines()[-1].startswith("error: parallel = 'context:2' is for FLUX.1-size models")


def test_only_rank_zero_writes_the_session(tmp_path, monkeypatch):
    plan = parse_parallel("context:2")
    monkeypatch.setenv("RANK", "0")
    assert rank_session_folder(tmp_path / "s", plan) == tmp_path / "s"
    monkeypatch.setenv("RANK", "1")
    scratch = rank_session_folder(tmp_path / "s", plan)
    assert scratch != tmp_path / "s" and scratch.is_dir() and "rank1" in scratch.name
    assert rank_session_folder(tmp_path / "s", None) == tmp_path / "s"
