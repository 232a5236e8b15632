"""True-size checks without weights: FLUX.1-dev, -schnell, -Fill, -Kontext and Wan2.1-VACE built
from their published configs on the meta device (random weights, nothing allocated, depth cut
to one block each), loaded through the project's own hub with its loaders patched, and every
tool run at the canvas sizes it really uses, in bfloat16. Each transformer call's inputs are
recorded: image and text token counts, channels, dtype; every pipeline's modules stay bf16."""

import pytest
import torch
from chatdit.tools.registry import ToolContext, load_builtin_tools, run_tool
from PIL import Image

from chatdit.config import load_settings
from chatdit.dit.hub import ModelHub
from chatdit.dit.published import flux_pipeline, flux_transformer, wan_vace_pipeline

VARIANT_OF = {"black-forest-labs/FLUX.1-dev": "dev", "black-forest-labs/FLUX.1-schnell": "schnell",
              "black-forest-labs/FLUX.1-Fill-dev": "fill", "black-forest-labs/FLUX.1-Kontext-dev": "kontext"}
DEPTH = 1


@pytest.fixture
def meta_loaders(monkeypatch):
    """The hub's loaders build the published shapes on the meta device; the VAE's output becomes
    a blank picture of the decoded size (meta tensors have no pixels)."""
    from diffusers import FluxPipeline, FluxTransformer2DModel
    from diffusers.image_processor import VaeImageProcessor

    def pipeline(cls, repo, dtype=None, **kwargs):
        with torch.device("meta"):
            return flux_pipeline(VARIANT_OF[str(repo)], DEPTH).to(dtype=dtype)

    def transformer(cls, repo, subfolder=None, dtype=None, **kwargs):
        with torch.device("meta"):
            return flux_transformer(VARIANT_OF[str(repo)], DEPTH).to(dtype=dtype)

    postprocess = VaeImageProcessor.postprocess

    def blank_pictures(self, image, output_type="pil", do_denormalize=None):
        if image.device.type != "meta":
            return postprocess(self, image, output_type, do_denormalize)
        return [Image.new("RGB", (image.shape[-1], image.shape[-2]), (127, 127, 127))] * image.shape[0]

    monkeypatch.setattr(FluxPipeline, "from_pretrained", classmethod(pipeline))
    monkeypatch.setattr(FluxTransformer2DModel, "from_pretrained", classmethod(transformer))
    monkeypatch.setattr(VaeImageProcessor, "postprocess", blank_pictures)
    monkeypatch.setattr("chatdit.dit.hub.check_downloaded", lambda repo: None)
    monkeypatch.setattr(ModelHub, "_place", lambda self, pipe: pipe.set_progress_bar_config(disable=True))


def context(model: str, tmp_path, **settings) -> tuple[ToolContext, list[dict]]:
    """A tool context on the hub for `model` in bf16, and the list every transformer call's inputs land in."""
    load_builtin_tools()
    hub = ModelHub(load_settings(model=model, dtype="bfloat16", steps=1, **settings))
    calls: list[dict] = []
    drawing: list[str] = []

    def record(module, args, kwargs):
        hidden, text = kwargs["hidden_states"], kwargs["encoder_hidden_states"]
        calls.append({"tokens": hidden.shape[1], "channels": hidden.shape[2], "text": text.shape[1],
                      "dtype": hidden.dtype, "guidance": kwargs.get("guidance") is not None, "pipeline": drawing[-1]})

    draw = hub.draw

    def recorded_draw(pipe, kwargs):
        drawing.append(type(pipe).__name__)
        if not getattr(pipe.transformer, "_recorded", False):
            pipe.transformer._recorded = True
            pipe.transformer.register_forward_pre_hook(record, with_kwargs=True)
        return draw(pipe, kwargs)

    hub.draw = recorded_draw
    picture = Image.new("RGB", (1024, 1024), (90, 120, 200))
    return ToolContext(hub=hub, load_image=lambda asset_id: picture, workdir=tmp_path), calls


def every_module_is_bfloat16(hub: ModelHub) -> None:
    for key, pipe in hub._pipes.items():
        if pipe is None:
            continue
        for name, module in pipe.components.items():
            for param in getattr(module, "parameters", list)():
                assert param.dtype == torch.bfloat16, f"{key}.{name} holds {param.dtype}"


@pytest.mark.slow
def test_flux_dev_every_tool_at_its_true_canvas_size(meta_loaders, tmp_path):
    ctx, calls = context("flux-dev", tmp_path)
    pages = [{"prompt": f"a red fox, page {n}", "page": n} for n in (1, 2, 3, 4)]
    cases = [
        ("generate", {"prompt": "a red fox"}, (1024, 1024), {"tokens": 4096, "channels": 64}),
        ("group", {"panels": pages[:2]}, (1024, 1024), {"tokens": 8192, "channels": 64}),
        ("group", {"panels": pages[:3]}, (832, 832), {"tokens": 156 * 52, "channels": 64}),
        ("group", {"panels": pages}, (704, 704), {"tokens": 88 * 88, "channels": 64}),
        ("reference", {"references": ["a"], "panels": pages[:2]}, (832, 832), {"tokens": 156 * 52, "channels": 384}),
        ("inpaint", {"image": "a", "prompt": "a red fox", "boxes": [[0.1, 0.1, 0.5, 0.5]]}, (1024, 1024),
         {"tokens": 4096, "channels": 384}),
        ("edit", {"image": "a", "instruction": "make the fox blue"}, (1024, 1024), {"tokens": 8192, "channels": 64}),
        ("layout", {"boxes": [{"phrase": "a red fox", "box": [0, 0, 0.5, 0.5]}]}, (1024, 1024),
         {"tokens": 4096, "channels": 64}),
    ]
    for tool, args, page_size, expected in cases:
        calls.clear()
        outputs = run_tool(tool, {**args, "steps": 1}, ctx)
        assert {o.image.size for o in outputs} == {page_size}, tool
        [call] = calls
        assert {k: call[k] for k in expected} == expected, (tool, call)
        assert call["text"] == 512 and call["dtype"] == torch.bfloat16 and call["guidance"], (tool, call)
        every_module_is_bfloat16(ctx.hub)
    assert sorted(ctx.hub.loaded()) == ["fill", "kontext", "text2image"]


@pytest.mark.slow
@pytest.mark.parametrize("cache", ["none", "first_block"])
def test_flux_schnell_pads_text_to_256_and_its_from_pipe_variants_stay_bf16(meta_loaders, tmp_path, cache):
    """schnell has no Fill or Kontext checkpoint: reference and edit run on FluxInpaint/Img2Img made
    by from_pipe from the base (where an upcast to float32 would hide), under the step cache."""
    ctx, calls = context("flux-schnell", tmp_path, cache=cache)
    [out] = run_tool("generate", {"prompt": "a red fox", "steps": 1}, ctx)
    assert out.image.size == (1024, 1024) and calls[0]["text"] == 256 and not calls[0]["guidance"]
    assert ctx.hub.kontext() is None
    outputs = run_tool("reference", {"references": ["a"], "panels": [{"prompt": "the fox sleeps"}], "steps": 1}, ctx)
    [edited] = run_tool("edit", {"image": "a", "instruction": "make it night", "steps": 1}, ctx)
    assert outputs[0].image.size == (1024, 1024) and edited.image.size == (1024, 1024)
    assert [c["pipeline"] for c in calls] == ["FluxPipeline", "FluxInpaintPipeline", "FluxImg2ImgPipeline"]
    assert [c["tokens"] for c in calls] == [4096, 8192, 4096] and {c["channels"] for c in calls} == {64}
    every_module_is_bfloat16(ctx.hub)


@pytest.mark.slow
def test_wan_vace_takes_a_face_swap_chunk_at_its_true_shape():
    """The 4k+1-frame chunk face swap sends (here 17 frames of 480x832), with the mask and one
    reference: the latent video shape and the VACE context channels (96) line up. The UMT5
    encoder's mask code reads a value (no meta kernel), so the text comes as its embedding shape."""
    with torch.device("meta"):
        pipe = wan_vace_pipeline(depth=DEPTH).to(dtype=torch.bfloat16)
    set_timesteps = pipe.scheduler.set_timesteps

    def from_the_first_step(*args, **kwargs):  # FluxPipeline sets it itself; the lookup needs values
        set_timesteps(*args, **kwargs)
        pipe.scheduler.set_begin_index(0)

    pipe.scheduler.set_timesteps = from_the_first_step
    seen = []
    pipe.transformer.register_forward_pre_hook(
        lambda module, args, kwargs: seen.append((kwargs["hidden_states"].shape, kwargs["control_hidden_states"].shape,
                                                  kwargs["hidden_states"].dtype)), with_kwargs=True)
    frames = [Image.new("RGB", (832, 480), (100, 100, 100))] * 17
    masks = [Image.new("L", (832, 480), 255)] * 17
    text = torch.zeros(1, 512, 4096, device="meta", dtype=torch.bfloat16)
    out = pipe(prompt_embeds=text, guidance_scale=1.0, video=frames, mask=masks, reference_images=[Image.new("RGB", (256, 256))], height=480,
               width=832, num_frames=17, num_inference_steps=1, output_type="latent",
               generator=torch.Generator("cpu").manual_seed(0))
    hidden, control, dtype = seen[0]
    assert tuple(hidden) == (1, 16, 5 + 1, 60, 104) and tuple(control) == (1, 96, 5 + 1, 60, 104)
    assert dtype == torch.bfloat16 and tuple(out.frames.shape) == (1, 16, 5 + 1, 60, 104)  # latents keep the reference frame


@pytest.mark.slow
def test_the_repairs_fill_path_runs_flux1_fill_at_its_true_shape(meta_loaders, tmp_path):
    """The count repair outside the storybook world (a FLUX.1-dev picture): the extra's spot and the
    missing kind's spot each go through FLUX.1-Fill's published shape (384 input channels: packed
    latents, masked latents and the 8x8 mask), 4096 image and 512 text tokens, in bfloat16."""
    from chatdit.critics.world import applies

    ctx, calls = context("flux-dev", tmp_path)
    photo = Image.effect_noise((1024, 1024), 64).convert("RGB")
    assert not applies(photo)
    ctx.load_image = lambda asset_id: photo
    fixes = [{"action": "remove", "name": "fox", "box": [0.1, 0.1, 0.4, 0.4]},
             {"action": "add", "name": "tree", "color": "green", "box": [0.6, 0.5, 0.9, 0.9]}]
    [out] = run_tool("repair", {"image": "a", "prompt": "a red fox by a green tree", "fixes": fixes, "steps": 1}, ctx)
    assert out.image.size == (1024, 1024) and out.meta["edit"] == "fill" and out.meta["model_calls"] == 2
    assert [c["pipeline"] for c in calls] == ["FluxFillPipeline"] * 2
    assert all(c["tokens"] == 4096 and c["channels"] == 384 and c["text"] == 512 and c["dtype"] == torch.bfloat16
               and c["guidance"] for c in calls), calls
    every_module_is_bfloat16(ctx.hub)
    assert sorted(ctx.hub.loaded()) == ["fill", "text2image"]
