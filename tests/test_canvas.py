"""Joint canvases FLUX.1 can draw: at most ~2 MP, four panels in a 2x2 grid, In-Context LoRA
captions; nano keeps the rows and captions it was trained on."""

import pytest
from chatdit.tools.registry import ToolContext, load_builtin_tools, run_tool
from PIL import Image

from chatdit.dit.canvas import fit_grid, known_and_mask, split_panels
from chatdit.dit.captions import incontext_caption, split_joint_caption
from chatdit.dit.sources import FLUX_DEFAULTS

BUDGET = FLUX_DEFAULTS["max_canvas_pixels"]


@pytest.mark.parametrize(("count", "size", "layout"), [
    (1, (1024, 1024), (1, 1)), (2, (2048, 1024), (2, 1)), (3, (2496, 832), (3, 1)), (4, (1408, 1408), (2, 2))])
def test_flux_canvases_stay_within_two_megapixels(count, size, layout):
    grid = fit_grid(count, 1024, 1024, BUDGET, grid=True)
    assert grid.size == size and (grid.cols, grid.rows) == layout
    assert grid.size[0] * grid.size[1] <= BUDGET and grid.size[0] / grid.size[1] <= 3


def test_a_grid_splits_back_in_reading_order_and_masks_only_the_new_panels():
    grid = fit_grid(4, 64, 64, None, grid=True)
    canvas, mask = known_and_mask([Image.new("RGB", (10, 10), (255, 0, 0))], 3, 64, 64, grid)
    assert canvas.size == (128, 128)
    panels, holes = split_panels(canvas, 4, grid), split_panels(mask.convert("RGB"), 4, grid)
    assert panels[0].getpixel((5, 5)) == (255, 0, 0) and panels[1].getpixel((5, 5)) == (127, 127, 127)
    assert [hole.getpixel((5, 5))[0] for hole in holes] == [0, 255, 255, 255]


def test_incontext_captions_read_back_panel_by_panel():
    caption = incontext_caption(["a red fox at dawn", "the fox by the sea."], grid=False)
    assert caption == ("This two-panel image, left to right, shows one story with the same characters in every "
                       "panel; [IMAGE1] a red fox at dawn; [IMAGE2] the fox by the sea.")
    assert split_joint_caption(caption) == ["a red fox at dawn", "the fox by the sea"]


@pytest.fixture
def flux_like(hub, tmp_path):
    """The tiny model with FLUX.1's canvas rules (grid, 2 MP budget shrunk to tiny's scale, IC captions)."""
    load_builtin_tools()
    saved = hub.info
    hub.info = hub.info.model_copy(update={"canvas_grid": True, "caption_style": "incontext",
                                           "max_canvas_pixels": 2 * 64 * 64})
    yield ToolContext(hub=hub, load_image=lambda asset_id: Image.new("RGB", (50, 50), (0, 0, 200)), workdir=tmp_path)
    hub.info = saved


def test_a_four_page_group_is_one_grid_canvas_within_the_budget(flux_like):
    panels = [{"prompt": f"the fox, page {n}", "page": n} for n in (1, 2, 3, 4)]
    outputs = run_tool("group", {"panels": panels, "steps": 1}, flux_like)
    assert [o.image.size for o in outputs] == [(32, 32)] * 4  # 2x2 of 32: 4096 px, the budget of 2 panels
    assert outputs[0].meta["joint_caption"].startswith("This four-panel image, in a 2x2 grid")


def test_a_reference_canvas_is_a_grid_too(flux_like):
    outputs = run_tool("reference", {"references": ["a"], "panels": [{"prompt": f"p{n}"} for n in (1, 2, 3)],
                                     "steps": 1}, flux_like)
    assert len(outputs) == 3 and outputs[0].image.size == (32, 32)
    assert "[IMAGE4] p3" in outputs[0].meta["joint_caption"]
