"""Speed options applied to a freshly loaded pipeline: step caches and torch.compile.

Each is a diffusers feature switched on by a setting (`cache`, `compile`); the bench script
measures what each buys on the nano model. MagCache needs per-model magnitude ratios, so it
calibrates on the first call and then caches (diffusers' own calibrate mode).
"""

from __future__ import annotations

from collections.abc import Callable

from chatdit.config import Settings


def cache_config(name: str, steps: int):
    """The diffusers cache config for a `cache` setting, or None for "none"."""
    from diffusers import FirstBlockCacheConfig, MagCacheConfig, TaylorSeerCacheConfig

    import torch

    if name == "none":
        return None
    if name == "first_block":
        return FirstBlockCacheConfig(threshold=0.2)
    if name == "taylorseer":
        return TaylorSeerCacheConfig(cache_interval=2, disable_cache_before_step=max(1, steps // 4),
                                     max_order=1, taylor_factors_dtype=torch.float32)
    if name == "magcache":
        return MagCacheConfig(num_inference_steps=steps, threshold=0.06, calibrate=False,
                              mag_ratios=[1.0] * steps, max_skip_steps=2)
    raise ValueError(f"unknown cache {name!r}")


def apply_speed_options(pipe, settings: Settings, notify: Callable[[str], None]) -> None:
    steps = settings.steps or 28
    config = cache_config(settings.cache, steps)
    if config is not None:
        pipe.transformer.enable_cache(config)
    if settings.compile:
        import torch

        try:
            pipe.transformer.compile(fullgraph=False, dynamic=True)
        except (RuntimeError, torch._dynamo.exc.TorchDynamoException) as exc:  # no compiler toolchain
            notify(f"torch.compile is not available here ({exc}); running uncompiled")
