"""The model hub's drawing half: the arguments of one pipeline call, and the call itself.

`ModelHub` (chatdit/dit/hub.py) loads the pipelines; this is how a tool asks one to draw: the
model's defaults, the size and seed, progress and cancel in the step callback and, on a model
trained grounded (nano), a layout planned from what each panel asks for. A planned panel carries
the scene the parser understood, so its fields are drawn and its words are not read again; only
a bare prompt (an API user's, with no scene) is read from its words.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chatdit.dit.captions import fitted_sequence_length
from chatdit.errors import TurnCancelled
from chatdit.schema import Scene

if TYPE_CHECKING:
    from chatdit.config import Settings
    from chatdit.dit.nano.grounding import Asked
    from chatdit.dit.sources import ModelInfo


class HubDrawing:
    """Calling the hub's pipelines; mixed into ModelHub, which sets these attributes."""

    settings: Settings
    info: ModelInfo
    kind: str
    notify: Callable[[str], None]
    _pipes: dict[str, Any]
    _device: str
    _reported_undrawable: set[str]

    def draw(self, pipe, kwargs: dict[str, Any]):
        """The first picture of one pipeline call, inside the cache contexts the pipeline lacks.
        Whatever ends the call (done, cancelled, failed), the step cache's state is reset and
        offloaded models go back to the CPU, so the next call starts as this one did."""
        from chatdit.dit.memory import evict_idle, memory_plan, out_of_memory_advice
        from chatdit.dit.speed import cache_scope, reset_step_cache

        if memory_plan(self.settings).evict_idle:
            evict_idle(self._pipes, pipe, self._device)
        true_cfg = (kwargs.get("true_cfg_scale") or 1.0) > 1
        reset_step_cache(pipe)
        try:
            with out_of_memory_advice(self, f"drawing a {kwargs.get('width')}x{kwargs.get('height')} canvas"), \
                    cache_scope(pipe, true_cfg):
                return pipe(**kwargs).images[0]
        finally:
            reset_step_cache(pipe)
            pipe.maybe_free_model_hooks()

    def call_kwargs(self, pipe, *, width: int, height: int, seed: int, steps: int | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    cancel: threading.Event | None = None, scenes: list[Asked] | None = None,
                    **extra: Any) -> dict[str, Any]:
        """Keyword arguments for `pipe(...)`: the model's defaults, size, seed, and a step callback
        that reports progress and stops within one denoising step when cancel is set. Pass the
        prompt here (prompt=...) so its text length can fit the model's sequence buckets, and what
        each panel asks for (`scenes`, one per panel: its understood Scene, its own words where
        nothing was understood, None for a known panel), which a grounded model draws; where no
        panel has a Scene the prompt's words are read (a bare prompt) and, for nano, colored."""
        import torch

        total = steps or self.settings.steps or self.info.steps
        fill_like = type(pipe).__name__ == "FluxFillPipeline"

        def on_step_end(pipeline, index, timestep, callback_kwargs):
            if progress is not None:
                progress(index + 1, total)
            if cancel is not None and cancel.is_set():
                raise TurnCancelled("cancelled; the session is as it was before this message")
            return callback_kwargs

        kwargs = {
            "width": width, "height": height, "num_inference_steps": total,
            "guidance_scale": self.info.fill_guidance_scale if fill_like else self.info.guidance_scale,
            "max_sequence_length": self.info.max_sequence_length,
            "generator": torch.Generator("cpu").manual_seed(seed),
            "callback_on_step_end": on_step_end,
        }
        if self.info.true_cfg_scale and self.info.true_cfg_scale > 1:
            kwargs.update(true_cfg_scale=self.info.true_cfg_scale, negative_prompt=self.info.negative_prompt or " ")
        if self.kind == "nano" and not any(isinstance(scene, Scene) for scene in scenes or []) and extra.get("prompt"):
            from chatdit.dit.nano.prompts import complete_colors

            extra = {**extra, "prompt": complete_colors(extra["prompt"])}  # nano was trained on colored objects only
        kwargs.update(extra)
        tokenizer = getattr(pipe, "tokenizer_2", None)
        if self.info.sequence_buckets and extra.get("prompt") is not None and tokenizer is not None:
            kwargs["max_sequence_length"] = fitted_sequence_length(tokenizer, extra["prompt"], self.info.sequence_buckets)
        if self.info.grounding and extra.get("prompt"):
            self._ground(pipe, kwargs, width, height, seed, scenes)
        accepted = inspect.signature(type(pipe).__call__).parameters
        return {key: value for key, value in kwargs.items() if key in accepted}

    def _ground(self, pipe, kwargs: dict[str, Any], width: int, height: int, seed: int,
                scenes: list[Asked] | None) -> None:
        """Draw the prompt grounded (a model trained so: chatdit.json "grounding"): text-to-image
        from a layout planned from what each panel asks for; an inpaint with the kept objects where
        the detector finds them and what the panel asks for besides inside the mask. An img2img
        edit keeps the plain prompt."""
        from chatdit.dit.nano.grounding import grounded_kwargs, plan_fill, plan_prompt

        name, prompt = type(pipe).__name__, kwargs["prompt"]
        if name == "FluxPipeline":
            layout = plan_prompt(prompt, seed, scenes)
        elif name == "FluxInpaintPipeline" and kwargs.get("strength", 1.0) >= 1.0:
            layout = plan_fill(prompt, kwargs["image"], kwargs["mask_image"], seed, scenes)
        else:
            return
        grounded = grounded_kwargs(pipe, [layout], [prompt], width, height, self.info.sequence_buckets,
                                   self.info.grounding)
        if grounded:
            kwargs.pop("prompt")
            kwargs.update(grounded)

    def undrawable(self, subjects: list[str]) -> list[str]:
        """The subjects this model cannot draw, in order, once each: nano knows only its storybook
        world; other models are not known to miss any."""
        if self.kind != "nano":
            return []
        from chatdit.storybook import world_kind

        return list(dict.fromkeys(name for name in subjects if world_kind(name) is None))

    def report_undrawable(self, subjects: list[str]) -> None:
        """Name, once a session, the asked-for subjects nano cannot draw: it knows only its storybook
        world, and a picture that silently leaves out the dragon asked for looks like a bug."""
        if self.kind != "nano":
            return
        from chatdit.storybook import OBJECTS

        new = [name for name in self.undrawable(subjects) if name not in self._reported_undrawable]
        if new:
            self._reported_undrawable.update(new)
            self.notify(f"outside the nano model's storybook world, so not drawn: {', '.join(new)} (nano knows "
                        f'{", ".join(OBJECTS)}, colors and backgrounds; model = "flux-dev" draws anything)')
