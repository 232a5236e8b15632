"""The first tools on the real hub with the tiny random-weight model: sizes, panels, sharing, cancel, bad args."""

import re
import threading
from pathlib import Path

import pytest
from chatdit.tools.registry import ToolContext, load_builtin_tools, run_tool
from PIL import Image

from chatdit.config import load_settings
from chatdit.errors import ModelUnavailableError, ToolArgumentError, TurnCancelled


@pytest.fixture
def ctx(hub, tmp_path):
    images: dict[str, Image.Image] = {}
    context = ToolContext(hub=hub, load_image=lambda asset_id: images[asset_id], workdir=tmp_path)
    context.images = images
    return context


def test_generate_makes_one_picture_of_the_asked_size_with_progress(ctx):
    seen = []
    ctx.progress = lambda done, total: seen.append((done, total))
    [out] = run_tool("generate", {"prompt": "a red fox", "width": 96, "height": 64, "steps": 3, "seed": 7}, ctx)
    assert out.image.size == (96, 64)
    assert (out.prompt, out.seed, out.steps) == ("a red fox", 7, 3)
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_prompts_are_padded_to_the_smallest_sequence_bucket_that_holds_them(ctx, hub):
    hub.info = hub.info.model_copy(update={"sequence_buckets": [8, 16, 32]})
    pipe = hub.text2image()
    lengths = [hub.call_kwargs(pipe, width=64, height=64, seed=0, prompt=prompt)["max_sequence_length"]
               for prompt in ("a fox", "a red fox " * 4, "a red fox " * 40)]
    assert lengths == [8, 16, 32]  # the longest is truncated at the largest bucket, as before
    [out] = run_tool("generate", {"prompt": "a red fox " * 4, "steps": 1}, ctx)
    assert out.image.size == (64, 64)


def test_sizes_snap_to_the_model_grid(ctx):
    [out] = run_tool("generate", {"prompt": "a boat", "width": 70, "height": 50, "steps": 1}, ctx)
    assert out.image.size == (64, 48)


def test_group_draws_panels_jointly_and_splits_them_into_pages(ctx):
    panels = [{"prompt": f"the fox, page {n}", "page": n} for n in (1, 2, 3)]
    outputs = run_tool("group", {"panels": panels, "steps": 2}, ctx)
    assert [o.page for o in outputs] == [1, 2, 3]
    assert all(o.image.size == (64, 64) for o in outputs)
    assert outputs[0].meta["joint_caption"].startswith("3 panels, left to right. [PANEL-1] the fox, page 1")


def test_same_seed_same_picture_other_seed_other_picture(ctx):
    import numpy as np

    def draw(seed):
        return np.asarray(run_tool("generate", {"prompt": "a star", "seed": seed, "steps": 2}, ctx)[0].image, float)

    assert np.array_equal(draw(3), draw(3))
    assert np.abs(draw(3) - draw(4)).mean() > 1


def test_reference_fills_new_panels_beside_the_references(ctx, hub):
    ctx.images["ref"] = Image.new("RGB", (300, 200), (200, 30, 30))
    outputs = run_tool("reference", {"references": ["ref"], "reference_prompts": ["a red fox"],
                                     "panels": [{"prompt": "the fox sleeps", "page": 4}], "steps": 2}, ctx)
    [out] = outputs
    assert out.page == 4 and out.parents == ["ref"] and out.image.size == (64, 64)
    assert out.meta["joint_caption"] == "2 panels, left to right. [PANEL-1] a red fox [PANEL-2] the fox sleeps"
    assert "fill" in hub.loaded()


def test_pipelines_share_every_component_but_the_fill_transformer(hub):
    base, fill, inpaint = hub.text2image(), hub.fill(), hub.inpaint()
    for name in ("vae", "text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2"):
        assert getattr(fill, name) is getattr(base, name)
        assert getattr(inpaint, name) is getattr(base, name)
    assert inpaint.transformer is base.transformer and fill.transformer is not base.transformer
    assert type(fill).__name__ == "FluxFillPipeline"


def test_cancel_stops_within_one_denoising_step(ctx):
    steps = []
    ctx.cancel = threading.Event()

    def progress(done, total):
        steps.append(done)
        ctx.cancel.set()

    ctx.progress = progress
    with pytest.raises(TurnCancelled):
        run_tool("generate", {"prompt": "a moon", "steps": 10}, ctx)
    assert steps == [1]


@pytest.mark.parametrize("args, message", [
    ({"prompt": ""}, "prompt"),
    ({"prompt": "x", "width": 100000}, "width"),
    ({"prompt": "x", "seed": -1}, "seed"),
    ({"prompt": "x", "colour": "red"}, "colour"),
])
def test_bad_generate_arguments_name_the_field(ctx, args, message):
    with pytest.raises(ToolArgumentError, match=message):
        run_tool("generate", args, ctx)


def test_too_many_panels_for_one_canvas_is_a_clear_error(ctx):
    panels = [{"prompt": "fox"}] * 5
    with pytest.raises(ToolArgumentError, match="at most 4"):
        run_tool("group", {"panels": panels}, ctx)


def test_reference_prompts_must_match_references(ctx):
    with pytest.raises(ToolArgumentError, match="2 references but 1"):
        run_tool("reference", {"references": ["a", "b"], "reference_prompts": ["x"], "panels": [{"prompt": "y"}]}, ctx)


def test_unknown_model_names_say_what_works():
    from chatdit.dit.hub import ModelHub

    with pytest.raises(ModelUnavailableError, match="nano, tiny"):
        ModelHub(load_settings(model="not-a-model"))


def test_a_local_folder_loads_through_from_pretrained(tmp_path):
    from chatdit.dit.hub import ModelHub
    from chatdit.dit.tiny import build_tiny_pipeline

    build_tiny_pipeline().save_pretrained(tmp_path / "flux")
    hub = ModelHub(load_settings(model=str(tmp_path / "flux")))
    assert hub.kind == "folder" and hub.info.fill_mode == "inpaint"
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: Image.new("RGB", (64, 64)), workdir=tmp_path)
    load_builtin_tools()
    assert run_tool("generate", {"prompt": "a tree", "width": 32, "height": 32, "steps": 1}, ctx)[0].image.size == (32, 32)
    [out] = run_tool("reference", {"references": ["x"], "panels": [{"prompt": "a tree"}], "width": 32, "height": 32, "steps": 1}, ctx)
    assert out.image.size == (32, 32) and "inpaint" in hub.loaded()


def test_a_missing_local_model_is_a_named_error(tmp_path):
    from chatdit.dit.hub import ModelHub

    (tmp_path / "broken").mkdir()
    hub = ModelHub(load_settings(model=str(tmp_path / "broken")))
    with pytest.raises(ModelUnavailableError, match="could not load"):
        hub.text2image()


def test_nano_weights_missing_falls_back_to_tiny_with_a_notice(monkeypatch):
    import chatdit.dit.nano as nano
    from chatdit.dit.hub import ModelHub

    monkeypatch.setattr(nano, "nano_available", lambda: False)
    notices = []
    hub = ModelHub(load_settings(model="nano"), notify=notices.append)
    assert hub.info.random_weights and "train-nano" in notices[0]


def test_book_export_writes_pdf_html_gif(tmp_path):
    from chatdit.tools.book import BookPage, export_book

    pages = []
    for number, color in ((1, "red"), (2, "blue")):
        path = tmp_path / f"p{number}.png"
        Image.new("RGB", (64, 64), color).save(path)
        pages.append(BookPage(number=number, image_path=path, text=f"Page {number} <b>text</b>"))
    pdf = export_book(pages, tmp_path / "book.pdf", title="Fox")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 3  # title + 2 pages
    html = export_book(pages, tmp_path / "book.html", title="Fox").read_text()
    assert html.count("<section>") == 2 and "&lt;b&gt;text&lt;/b&gt;" in html
    with Image.open(export_book(pages, tmp_path / "book.gif")) as gif:
        assert gif.n_frames == 2
    with pytest.raises(Exception, match="ending in .pdf"):
        export_book(pages, tmp_path / "book.docx")
    assert not list(Path(tmp_path).glob(".*.tmp"))
