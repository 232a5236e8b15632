"""`chatdit protect`: it runs through the fill path's VAE and transformer and keeps within its
visible-change bound (PSNR >= 35 dB, no pixel moved more than epsilon)."""

import numpy as np
import pytest
from PIL import Image

from chatdit.cli import main
from chatdit.protect import ProtectSettings, protect_image, psnr


@pytest.fixture(scope="module")
def fill_pipe(tiny_pipe):
    from diffusers import FluxInpaintPipeline

    return FluxInpaintPipeline.from_pipe(tiny_pipe)


def picture() -> Image.Image:
    from chatdit import storybook as world

    spec = world.SceneSpec(background="day", objects=[world.ObjectSpec(kind="fox", color="red")])
    return world.render_scene(spec, seed=3)[0].resize((32, 32))


def test_protection_moves_pixels_within_the_bound_and_away_from_the_edit_path(fill_pipe):
    original = picture()
    protected, report = protect_image(fill_pipe, original, ProtectSettings(steps=3, epsilon=4))
    before, after = np.asarray(original), np.asarray(protected)
    assert protected.size == original.size
    assert report.max_change <= 4 and np.abs(after.astype(int) - before).max() <= 4
    assert report.psnr >= 35 and report.psnr == pytest.approx(psnr(before, after))
    assert (after != before).any()
    assert report.departure_after > 0
    assert report.method == "departure"  # without the hub there is no grounding to condition on


@pytest.mark.parametrize("method", ["encoder", "departure"])
def test_the_l2_attack_spends_its_change_within_the_psnr_bound(fill_pipe, method):
    original = picture()
    protected, report = protect_image(fill_pipe, original, ProtectSettings(steps=3, norm="l2", method=method))
    before, after = np.asarray(original), np.asarray(protected)
    assert 35 <= report.psnr == pytest.approx(psnr(before, after))
    assert report.max_change <= 24 and (after != before).any()
    assert report.method == method


def test_the_cli_writes_a_protected_png_and_refuses_jpeg(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CHATDIT_HOME", str(tmp_path / "home"))
    source, target = tmp_path / "in.png", tmp_path / "out.png"
    picture().save(source)
    assert main(["protect", str(source), str(target), "--steps", "1"]) == 0  # the shipped nano
    assert "(grounded attack): PSNR" in capsys.readouterr().out  # the edit tool's own conditioning on nano
    assert psnr(np.asarray(Image.open(source)), np.asarray(Image.open(target).convert("RGB"))) >= 35
    assert main(["protect", str(source), str(tmp_path / "out.jpg")]) == 3  # input
    assert "JPEG" in capsys.readouterr().err
    assert main(["protect", str(source), str(target), "--epsilon", "99"]) == 3
    assert main(["protect", str(source), str(target), "--set", "model=tiny"]) == 4  # a Fill model: model/device
    assert "Fill" in capsys.readouterr().err


def test_a_picture_off_the_models_grid_gets_a_clear_error(fill_pipe):
    from chatdit.errors import InputImageError

    with pytest.raises(InputImageError, match="multiples"):
        protect_image(fill_pipe, Image.new("RGB", (30, 30)), ProtectSettings(steps=1))
