"""In-Context LoRA presets: caption formats, grids, and a LoRA file made offline for the tiny
pipeline, loaded with load_lora_weights through the incontext tool."""

import numpy as np
import pytest
from chatdit.tools.registry import ToolContext, load_builtin_tools, run_tool

from chatdit.config import load_settings
from chatdit.dit.lora_presets import PRESETS, get_preset, pick_preset, preset_caption
from chatdit.errors import ToolArgumentError


def test_movie_shots_caption_is_the_format_the_lora_was_trained_on():
    caption = preset_caption(get_preset("movie-shots"), "In a vibrant festival",
                             ["<Leo> stands at the edge of a carnival", "he tries a daring game", "he wins a bear"])
    assert caption == ("[MOVIE-SHOTS] In a vibrant festival, [SCENE-1] <Leo> stands at the edge of a carnival, "
                       "[SCENE-2] he tries a daring game, [SCENE-3] he wins a bear.")


def test_grid_presets_use_corner_markers_and_tags():
    caption = preset_caption(get_preset("portrait-photography"), "a young artist in her studio", ["a", "b", "c", "d"])
    assert caption.startswith("[FOUR-PANEL] This four-panel image shows a young artist in her studio; [TOP-LEFT] a; ")
    assert caption.endswith("[BOTTOM-RIGHT] d.")
    assert "[TOP] " in preset_caption(get_preset("sandstorm"), "a cyclist", ["clear road", "in a sandstorm"])
    with pytest.raises(ToolArgumentError, match="3 panels"):
        preset_caption(get_preset("movie-shots"), "x", ["only one"])


def test_requests_name_their_preset_and_plain_words_pick_none():
    assert pick_preset("a font design sheet for 'Pop Candy'").name == "font-design"
    assert pick_preset("three movie shots of a detective in the rain").name == "movie-shots"
    assert pick_preset("a red fox in the snow") is None
    assert get_preset("storyboard").name == "movie-shots"
    assert all(p.weight_name.endswith(".safetensors") and len(p.markers) == p.panels for p in PRESETS.values())


@pytest.fixture(scope="module")
def lora_dir(tmp_path_factory):
    """A rank-4 LoRA on the tiny transformer's attention, saved under the movie-shots file name."""
    import torch
    from diffusers import FluxPipeline
    from peft import LoraConfig, get_peft_model_state_dict

    from chatdit.dit.tiny import build_tiny_pipeline

    folder = tmp_path_factory.mktemp("loras")
    pipe = build_tiny_pipeline()
    pipe.transformer.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=["to_q", "to_k", "to_v", "to_out.0"],
                                            init_lora_weights=False))
    with torch.no_grad():
        for name, param in pipe.transformer.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    FluxPipeline.save_lora_weights(folder, transformer_lora_layers=get_peft_model_state_dict(pipe.transformer),
                                   weight_name=get_preset("movie-shots").weight_name)
    return folder


@pytest.fixture
def ctx(lora_dir, tmp_path):
    from chatdit.dit.hub import ModelHub

    load_builtin_tools()
    hub = ModelHub(load_settings(model="tiny", lora_source=str(lora_dir)))
    return ToolContext(hub=hub, load_image=lambda asset_id: None, workdir=tmp_path)


def test_the_preset_lora_loads_changes_the_picture_and_is_switched_off_afterwards(ctx):
    panels = [{"prompt": f"scene {n}", "page": n} for n in (1, 2, 3)]
    args = {"preset": "movie-shots", "summary": "a fox in the snow", "panels": panels, "width": 32, "height": 32,
            "steps": 2, "seed": 5}
    before = run_tool("generate", {"prompt": "a fox", "steps": 2, "seed": 1}, ctx)[0].image
    outputs = run_tool("incontext", args, ctx)
    assert [o.page for o in outputs] == [1, 2, 3] and all(o.image.size == (32, 32) for o in outputs)
    assert outputs[0].meta["joint_caption"].startswith("[MOVIE-SHOTS] a fox in the snow, [SCENE-1] scene 1")
    assert outputs[0].meta["lora"].endswith("film-storyboard.safetensors")
    assert ctx.hub.text2image().get_list_adapters() == {"transformer": ["movie-shots"]}
    without = run_tool("incontext", {**args, "scale": 0.0}, ctx)
    assert np.abs(np.asarray(outputs[1].image, float) - np.asarray(without[1].image, float)).mean() > 1
    after = run_tool("generate", {"prompt": "a fox", "steps": 2, "seed": 1}, ctx)[0].image
    assert np.array_equal(np.asarray(before), np.asarray(after))


def test_a_missing_lora_file_says_how_to_get_it(tmp_path):
    from chatdit.dit.hub import ModelHub
    from chatdit.errors import ModelUnavailableError

    load_builtin_tools()
    hub = ModelHub(load_settings(model="tiny", lora_source=str(tmp_path)))
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: None, workdir=tmp_path)
    panels = [{"prompt": "a"}, {"prompt": "b"}, {"prompt": "c"}, {"prompt": "d"}]
    with pytest.raises(ModelUnavailableError, match="huggingface-cli download ali-vilab/In-Context-LoRA font-design"):
        run_tool("incontext", {"preset": "font-design", "summary": "a font", "panels": panels, "steps": 1}, ctx)


def test_on_a_model_the_loras_do_not_fit_the_panels_are_drawn_as_a_joint_row(tmp_path):
    from chatdit.dit.hub import ModelHub

    load_builtin_tools()
    hub = ModelHub(load_settings(model="tiny", lora_source="ali-vilab/In-Context-LoRA"))
    ctx = ToolContext(hub=hub, load_image=lambda asset_id: None, workdir=tmp_path)
    panels = [{"prompt": "a fox"}, {"prompt": "a bear"}]
    outputs = run_tool("incontext", {"preset": "sandstorm", "summary": "x", "panels": panels, "steps": 1}, ctx)
    assert len(outputs) == 2 and outputs[0].meta["lora"] is None and "not FLUX.1-dev" in outputs[0].meta["lora_skipped"]
    assert outputs[0].meta["joint_caption"].startswith("2 panels, left to right.")
