"""Speed and memory options applied to a freshly loaded pipeline: step caches, quantization, compile.

Each is a diffusers / torch feature switched on by a setting (`cache`, `quantize`, `compile`;
`offload` and `steps` are applied by the hub); bench/speed.py measures what each buys on the
nano model. The step caches skip transformer work on steps where it would change little:

- first_block: FirstBlockCache, reuses the rest of the network while the first block's output
  moves less than a threshold;
- taylorseer: TaylorSeer, predicts skipped steps' features from a Taylor series of earlier ones;
- magcache: MagCache, skips while the accumulated residual-magnitude ratio stays near 1. The
  ratios are model-specific: FLUX.1 models use the published ones (diffusers' FLUX_MAG_RATIOS);
  any other model (nano, your own) is calibrated once when it loads, with one full run at the
  configured step count (diffusers' calibrate mode). It assumes each call uses that step count,
  which is how the tools call it (settings.steps, else the model's default).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

from chatdit.config import Settings
from chatdit.dit.parallel import enable_context_parallel, parse_parallel

FLUX_BLOCKS = (19, 38)
"""(dual, single) transformer blocks of FLUX.1 dev/schnell/krea: the published MagCache ratios fit them."""


def default_steps(pipe, settings: Settings) -> int:
    """The step count calls will use: the setting, else the model's default (as the hub chooses it)."""
    if settings.steps:
        return settings.steps
    folder = Path(str(getattr(pipe.config, "_name_or_path", "") or ""))
    if (folder / "chatdit.json").is_file():
        return int(json.loads((folder / "chatdit.json").read_text())["num_inference_steps"])
    config = pipe.transformer.config
    if config.num_layers == 1 and config.num_single_layers == 1:
        return 2  # the tiny random-weight model
    return 4 if "schnell" in str(folder).lower() else 28


def is_flux1(pipe) -> bool:
    config = pipe.transformer.config
    return (config.num_layers, config.num_single_layers) == FLUX_BLOCKS


def calibrate_mag_ratios(pipe, steps: int, width: int = 64, height: int = 64,
                         prompt: str = "a red fox and a blue bird on a sunny day") -> list[float]:
    """MagCache ratios for this model: one uncached run in diffusers' calibrate mode, read back from
    its log (its printout is swallowed so it cannot land in the chat screen)."""
    import torch
    from diffusers import MagCacheConfig

    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("diffusers.hooks.mag_cache")
    handler, level, propagate = Capture(), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # diffusers' own handler would print it
    pipe.transformer.enable_cache(MagCacheConfig(num_inference_steps=steps, calibrate=True))
    try:
        with contextlib.redirect_stdout(io.StringIO()), cache_scope(pipe, true_cfg=False):
            pipe(prompt=prompt, width=width, height=height, num_inference_steps=steps, guidance_scale=1.0,
                 generator=torch.Generator("cpu").manual_seed(0), output_type="latent", **calibration_inputs(pipe))
    finally:
        pipe.transformer.disable_cache()
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
    found = [m for m in records if "Calibration Results" in m]
    if not found:
        raise RuntimeError("MagCache calibration produced no ratios")
    return [float(v) for v in re.findall(r"[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?", found[0].split(":", 1)[1])]


def cache_config(name: str, steps: int, mag_ratios: list[float] | None = None):
    """The diffusers cache config for a `cache` setting, or None for "none"."""
    import torch
    from diffusers import FirstBlockCacheConfig, MagCacheConfig, TaylorSeerCacheConfig

    if name == "none":
        return None
    if name == "first_block":
        return FirstBlockCacheConfig(threshold=0.2)
    if name == "taylorseer":
        return TaylorSeerCacheConfig(cache_interval=2, disable_cache_before_step=max(1, steps // 4),
                                     max_order=1, taylor_factors_dtype=torch.float32)
    if name == "magcache":
        if mag_ratios is None:
            raise ValueError("magcache needs the model's magnitude ratios (calibrate_mag_ratios)")
        return MagCacheConfig(num_inference_steps=steps, threshold=0.06, mag_ratios=list(mag_ratios),
                              max_skip_steps=2, retention_ratio=0.2)
    raise ValueError(f"unknown cache {name!r}")


def calibration_inputs(pipe) -> dict:
    """What a variant pipeline needs besides a prompt for one calibration run (a grey picture,
    fully masked for Fill): MagCache is calibrated on the pipeline that will use it."""
    from PIL import Image

    name = type(pipe).__name__
    image = Image.new("RGB", (64, 64), (127, 127, 127))
    if name == "FluxFillPipeline":
        return {"image": image, "mask_image": Image.new("L", (64, 64), 255)}
    if name == "FluxKontextPipeline":
        return {"image": image, "max_area": 64 * 64, "_auto_resize": False}
    if name in ("FluxInpaintPipeline", "FluxImg2ImgPipeline"):
        return {"image": image, "mask_image": Image.new("L", (64, 64), 255), "strength": 1.0}
    return {}


def enable_step_cache(pipe, name: str, steps: int) -> None:
    """Switch one step cache on (calibrating MagCache first where the model needs it)."""
    ratios = None
    if name == "magcache":
        from diffusers.hooks.mag_cache import FLUX_MAG_RATIOS

        ratios = FLUX_MAG_RATIOS.tolist() if is_flux1(pipe) else calibrate_mag_ratios(pipe, steps)
    config = cache_config(name, steps, ratios)
    if config is not None:
        pipe.transformer.enable_cache(config)


OWN_CACHE_CONTEXTS = ("FluxPipeline",)
"""Pipelines whose denoising loop opens diffusers cache contexts itself (0.42: only FluxPipeline);
every other one (inpaint, img2img, Fill, Kontext) raises "No cache context is set" under a cache."""


@contextlib.contextmanager
def cache_scope(pipe, true_cfg: bool):
    """Run a pipeline call with a cache context around every transformer call, as FluxPipeline
    does for itself: "cond", then "uncond" when true CFG calls the transformer twice a step."""
    transformer = pipe.transformer
    if type(pipe).__name__ in OWN_CACHE_CONTEXTS or not transformer.is_cache_enabled:
        yield
        return
    names = ("cond", "uncond") if true_cfg else ("cond",)
    calls: list = []

    def enter(module, args, kwargs):
        scope = transformer.cache_context(names[len(calls) % len(names)])
        scope.__enter__()
        calls.append(scope)

    def leave(module, args, kwargs, output):
        calls[-1].__exit__(None, None, None)

    handles = [transformer.register_forward_pre_hook(enter, with_kwargs=True),
               transformer.register_forward_hook(leave, with_kwargs=True)]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def reset_step_cache(pipe) -> None:
    """Forget a step cache's state (MagCache's step counter and residuals): after a cancelled call
    it would otherwise carry into the next one, and the same seed would draw another picture."""
    if pipe.transformer.is_cache_enabled:
        pipe.transformer._reset_stateful_cache()


def quantize_transformer(pipe, mode: str, notify: Callable[[str], None]) -> None:
    """int8 weight-only quantization (torchao) of an in-memory transformer's linear layers; without
    torchao the model runs unquantized and the person is told."""
    if mode == "none":
        return
    if mode != "int8":
        notify(f'quantize = "{mode}" applies as a checkpoint loads; this model is built in memory, so it runs unquantized')
        return
    try:
        from torchao.quantization import quantize_

        config = int8_config()
    except ImportError:
        notify('quantize = "int8" needs torchao (pip install torchao); running unquantized')
        return
    quantize_(pipe.transformer, config)


def int8_config():
    """torchao's int8 weight-only config under its current name (older releases: a function)."""
    try:
        from torchao.quantization import Int8WeightOnlyConfig

        return Int8WeightOnlyConfig()
    except ImportError:
        from torchao.quantization import int8_weight_only

        return int8_weight_only()


def apply_speed_options(pipe, settings: Settings, notify: Callable[[str], None], steps: int | None = None,
                        quantize: bool = False) -> None:
    """Cache and compile a pipeline's own transformer (the base's, or a Fill/Kontext variant's: each
    gets the same options, with the base's step count); `quantize` it in place too where it was
    built in memory (tiny) rather than quantized as it loaded (chatdit/dit/memory.py)."""
    steps = steps or default_steps(pipe, settings)
    enable_context_parallel(pipe, parse_parallel(settings.parallel))
    if quantize:
        quantize_transformer(pipe, settings.quantize, notify)
    enable_step_cache(pipe, settings.cache, steps)
    if settings.compile:
        import torch

        try:
            pipe.transformer.compile(fullgraph=False, dynamic=True)
        except (RuntimeError, torch._dynamo.exc.TorchDynamoException) as exc:  # no compiler toolchain
            notify(f"torch.compile is not available here ({exc}); running uncompiled")
