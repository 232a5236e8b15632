"""The model hub: one place that loads diffusion pipelines lazily and shares their components.

Tools ask the hub for a pipeline by capability (text2image, fill, inpaint, img2img, kontext);
the hub builds it on first use from the base FluxPipeline with `from_pipe` (or, for FLUX.1's
separate Fill/Kontext checkpoints, loads only their transformer and reuses the text encoders
and VAE), so a session holds one copy of every component. Which weights back a name:

- "nano": the small DiT shipped in the package (chatdit/dit/nano/weights), the default;
- "tiny": random weights built offline (tests; pictures are noise);
- "flux-dev", "flux-schnell" or any hub id / local folder with a FluxPipeline.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from chatdit.config import Settings
from chatdit.dit.captions import fitted_sequence_length
from chatdit.errors import ModelUnavailableError, ToolArgumentError, TurnCancelled

ALIASES = {
    "flux-dev": "black-forest-labs/FLUX.1-dev",
    "flux-schnell": "black-forest-labs/FLUX.1-schnell",
    "flux-krea": "black-forest-labs/FLUX.1-Krea-dev",
}
FILL_CHECKPOINTS = {
    "black-forest-labs/FLUX.1-dev": "black-forest-labs/FLUX.1-Fill-dev",
    "black-forest-labs/FLUX.1-Krea-dev": "black-forest-labs/FLUX.1-Fill-dev",
}
KONTEXT_CHECKPOINTS = {
    "black-forest-labs/FLUX.1-dev": "black-forest-labs/FLUX.1-Kontext-dev",
    "black-forest-labs/FLUX.1-Krea-dev": "black-forest-labs/FLUX.1-Kontext-dev",
}
FLUX_DEFAULTS = {"width": 1024, "height": 1024, "num_inference_steps": 28, "guidance_scale": 3.5,
                 "true_cfg_scale": None, "negative_prompt": "", "max_sequence_length": 512, "max_panels": 4,
                 "fill_guidance_scale": 30.0}
SCHNELL_DEFAULTS = {**FLUX_DEFAULTS, "num_inference_steps": 4, "guidance_scale": 0.0, "max_sequence_length": 256}
TINY_DEFAULTS = {"width": 64, "height": 64, "num_inference_steps": 2, "guidance_scale": 1.0, "true_cfg_scale": None,
                 "negative_prompt": "", "max_sequence_length": 32, "max_panels": 4, "fill": "fill",
                 "fill_guidance_scale": 1.0}
SIZE_MULTIPLE = 16
"""Flux packs 2x2 latent patches over an 8x (or, on nano, 4x) VAE: sides must divide by 16."""


class ModelInfo(BaseModel):
    """What tools and planners need to know about the loaded model, without touching torch."""

    name: str
    width: int
    height: int
    steps: int
    guidance_scale: float
    true_cfg_scale: float | None
    negative_prompt: str
    max_sequence_length: int
    max_panels: int
    fill_mode: Literal["fill", "inpaint"]
    fill_guidance_scale: float
    sequence_buckets: list[int] | None = None
    """Text lengths the model was trained with (nano): prompts are padded to the smallest that
    holds them instead of always to max_sequence_length."""
    grounding: str | None = None
    """"storybook": text-to-image prompts are drawn grounded, each object group's words in boxes
    the storybook world's layout code plans (chatdit/dit/nano/grounding.py), as nano was trained;
    "storybook-objects": the same with one phrase per object; "storybook-boxes": each of those at its
    box's rotary position (chatdit/dit/box_rope.py)."""
    regional_attention: bool = True
    """Whether layout draws under the regional attention mask; a model where bench/layout.py
    measures that it hurts (nano) is given the places in words instead."""
    random_weights: bool
    source: str


def resolve_source(name: str) -> tuple[str, Path | str | None]:
    """(kind, where): kind is nano, tiny, folder or hub."""
    if name == "tiny":
        return "tiny", None
    if name == "nano":
        from chatdit.dit.nano import nano_model_dir

        return "nano", nano_model_dir()
    folder = Path(name).expanduser()
    if folder.is_dir():
        return "folder", folder
    repo = ALIASES.get(name, name)
    if "/" not in repo:
        known = ", ".join(["nano", "tiny", *ALIASES])
        raise ModelUnavailableError(f"unknown model {name!r}: use one of {known}, a Hugging Face id or a local folder")
    return "hub", repo


def read_defaults(name: str, kind: str, where: Path | str | None) -> dict[str, Any]:
    if kind == "tiny":
        return dict(TINY_DEFAULTS)
    if isinstance(where, Path) and (where / "chatdit.json").is_file():
        return {**FLUX_DEFAULTS, "fill_guidance_scale": 1.0, **json.loads((where / "chatdit.json").read_text())}
    defaults = SCHNELL_DEFAULTS if "schnell" in str(where) else FLUX_DEFAULTS
    return {**defaults, "fill": "fill" if str(where) in FILL_CHECKPOINTS else "inpaint"}


def pick_device(setting: str) -> str:
    if setting != "auto":
        return setting
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(setting: str, device: str):
    import torch

    if setting == "auto":
        return torch.bfloat16 if device == "cuda" else torch.float32
    return getattr(torch, setting)


def snap_size(value: int, what: str) -> int:
    """Round a side to the model's grid; refuse sizes no pipeline can make."""
    if value < SIZE_MULTIPLE:
        raise ToolArgumentError(f"{what} {value} px is too small; use at least {SIZE_MULTIPLE}")
    return max(SIZE_MULTIPLE, round(value / SIZE_MULTIPLE) * SIZE_MULTIPLE)


def quiet_library_logs() -> None:
    """Keep diffusers', transformers' and optional kernels' import-time chatter out of the chat
    (their verbosity is read from the environment when they are first imported; yours wins)."""
    import logging
    import os

    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    for noisy in ("torchao", "torch.utils._pytree"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def distinct_parameter_bytes(pipes: Iterable[Any]) -> int:
    """Bytes of the parameters of these pipelines, each tensor counted once however many share it."""
    seen: set[int] = set()
    total = 0
    for pipe in pipes:
        for component in pipe.components.values():
            for param in getattr(component, "parameters", lambda: [])():
                if param.data_ptr() not in seen:
                    seen.add(param.data_ptr())
                    total += param.numel() * param.element_size()
    return total


class ModelHub:
    """Lazily loaded pipelines over one set of components, for one session."""

    def __init__(self, settings: Settings, notify: Callable[[str], None] | None = None):
        self.settings = settings
        self.notify = notify or (lambda message: None)
        kind, where = resolve_source(settings.model)
        if kind == "nano":
            from chatdit.dit.nano import nano_available

            if not nano_available():
                self.notify("the nano weights are not in this install (run `chatdit train-nano`); "
                            "using the tiny random-weight model, whose pictures are noise")
                kind, where = "tiny", None
        self.kind, self.where = kind, where
        self._reported_undrawable: set[str] = set()
        defaults = read_defaults(settings.model, kind, where)
        self.info = ModelInfo(
            name="tiny" if kind == "tiny" else settings.model,
            width=defaults["width"], height=defaults["height"], steps=defaults["num_inference_steps"],
            guidance_scale=defaults["guidance_scale"], true_cfg_scale=defaults.get("true_cfg_scale"),
            negative_prompt=defaults.get("negative_prompt") or "", max_sequence_length=defaults["max_sequence_length"],
            max_panels=defaults["max_panels"], fill_mode=defaults.get("fill", "inpaint"),
            fill_guidance_scale=defaults.get("fill_guidance_scale", 1.0), random_weights=kind == "tiny",
            regional_attention=defaults.get("regional_attention", True), grounding=defaults.get("grounding"),
            sequence_buckets=defaults.get("sequence_buckets"),
            source=str(where) if where else "built offline with random weights",
        )
        self._pipes: dict[str, Any] = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ loading

    def _load_base(self):
        quiet_library_logs()
        import torch
        from diffusers.utils import logging as diffusers_logging
        from transformers.utils import logging as transformers_logging

        for library in (diffusers_logging, transformers_logging):
            library.disable_progress_bar()  # chatdit reports its own progress
            library.set_verbosity_error()  # prompt-truncation chatter would land in the chat UI

        device = pick_device(self.settings.device)
        dtype = pick_dtype(self.settings.dtype, device)
        if self.kind == "tiny":
            from chatdit.dit.tiny import build_tiny_pipeline

            pipe = build_tiny_pipeline()
            if dtype != torch.float32:
                pipe.to(dtype=dtype)
        else:
            from diffusers import FluxPipeline

            if self.kind not in ("nano", "tiny"):
                self.notify(f"loading {self.settings.model} from {self.where} (once per session; large models take a minute)")
            try:
                pipe = FluxPipeline.from_pretrained(self.where, dtype=dtype)
            except (OSError, ValueError) as exc:
                raise ModelUnavailableError(
                    f"could not load model {self.settings.model!r} from {self.where}: {exc}. "
                    "Download it first (huggingface-cli download) or use model = \"nano\"") from exc
        self._device, self._dtype = device, dtype
        self._place(pipe)
        from chatdit.dit.speed import apply_speed_options

        apply_speed_options(pipe, self.settings, self.notify)
        return pipe

    def _place(self, pipe) -> None:
        pipe.set_progress_bar_config(disable=True)
        if self.settings.offload == "model" and self._device == "cuda":
            pipe.enable_model_cpu_offload()
        elif self.settings.offload == "sequential" and self._device == "cuda":
            pipe.enable_sequential_cpu_offload()
        else:
            pipe.to(self._device)

    def _get(self, key: str, build: Callable[[], Any]):
        with self._lock:
            if key not in self._pipes:
                pipe = build()
                if pipe is not None:
                    pipe.set_progress_bar_config(disable=True)  # progress goes through chatdit's events
                self._pipes[key] = pipe
            return self._pipes[key]

    def text2image(self):
        """The base FluxPipeline; every other pipeline shares its components."""
        return self._get("text2image", self._load_base)

    def _shared_components(self) -> dict[str, Any]:
        base = self.text2image()
        return {name: getattr(base, name) for name in
                ("scheduler", "vae", "text_encoder", "tokenizer", "text_encoder_2", "tokenizer_2")}

    def fill(self):
        """Known panels kept, masked panels generated: FluxFillPipeline when the model has a Fill
        transformer (FLUX.1-Fill-dev, tiny), else FluxInpaintPipeline at strength 1 on the base."""
        if self.info.fill_mode == "inpaint":
            return self.inpaint()

        def build():
            from diffusers import FluxFillPipeline

            if self.kind == "tiny":
                from chatdit.dit.tiny import build_tiny_fill_transformer

                return self._with_transformer(FluxFillPipeline, build_tiny_fill_transformer(self.text2image()))
            repo = FILL_CHECKPOINTS.get(str(self.where), str(self.where))
            return self._with_transformer(FluxFillPipeline, self._load_transformer(repo, "fill"))

        return self._get("fill", build)

    def _load_transformer(self, repo: str, role: str):
        """A variant's transformer (Fill, Kontext) from its own checkpoint, in the hub's dtype."""
        from diffusers import FluxTransformer2DModel

        try:
            return FluxTransformer2DModel.from_pretrained(repo, subfolder="transformer", dtype=self._dtype)
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(f"the {role} model {repo} is not available: {exc}") from exc

    def _with_transformer(self, pipeline_class, transformer):
        """A pipeline of this class on the base's text encoders, VAE and scheduler, with its own transformer."""
        pipe = pipeline_class(transformer=transformer, **self._shared_components())
        self._place(pipe)
        return pipe

    def inpaint(self):
        """FluxInpaintPipeline over the base components (region edits, nano's fill path)."""
        from diffusers import FluxInpaintPipeline

        return self._get("inpaint", lambda: FluxInpaintPipeline.from_pipe(self.text2image()))

    def img2img(self):
        from diffusers import FluxImg2ImgPipeline

        return self._get("img2img", lambda: FluxImg2ImgPipeline.from_pipe(self.text2image()))

    def kontext(self):
        """FluxKontextPipeline for instruction edits, or None when the model has no Kontext
        variant (nano): the edit tool then uses the fill path."""
        if self.kind in ("nano", "folder"):
            return None
        from diffusers import FluxKontextPipeline

        def build():
            if self.kind == "tiny":
                return FluxKontextPipeline.from_pipe(self.text2image())
            repo = KONTEXT_CHECKPOINTS.get(str(self.where))
            return None if repo is None else self._with_transformer(FluxKontextPipeline, self._load_transformer(repo, "edit"))

        return self._get("kontext", build)

    # ------------------------------------------------------------------ calling

    def call_kwargs(self, pipe, *, width: int, height: int, seed: int, steps: int | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    cancel: threading.Event | None = None, **extra: Any) -> dict[str, Any]:
        """Keyword arguments for `pipe(...)`: the model's defaults, size, seed, and a step callback
        that reports progress and stops within one denoising step when cancel is set. Pass the
        prompt here (prompt=...) so its text length can fit the model's sequence buckets."""
        import torch

        total = steps or self.settings.steps or self.info.steps
        fill_like = type(pipe).__name__ == "FluxFillPipeline"

        def on_step_end(pipeline, index, timestep, callback_kwargs):
            if progress is not None:
                progress(index + 1, total)
            if cancel is not None and cancel.is_set():
                raise TurnCancelled("cancelled; the session is as it was before this message")
            return callback_kwargs

        kwargs = dict(
            width=width, height=height, num_inference_steps=total,
            guidance_scale=self.info.fill_guidance_scale if fill_like else self.info.guidance_scale,
            max_sequence_length=self.info.max_sequence_length,
            generator=torch.Generator("cpu").manual_seed(seed),
            callback_on_step_end=on_step_end,
        )
        if self.info.true_cfg_scale and self.info.true_cfg_scale > 1:
            kwargs.update(true_cfg_scale=self.info.true_cfg_scale, negative_prompt=self.info.negative_prompt or " ")
        if self.kind == "nano" and extra.get("prompt"):
            from chatdit.dit.nano.prompts import complete_colors

            extra = {**extra, "prompt": complete_colors(extra["prompt"])}  # nano was trained on colored objects only
        kwargs.update(extra)
        tokenizer = getattr(pipe, "tokenizer_2", None)
        if self.info.sequence_buckets and extra.get("prompt") is not None and tokenizer is not None:
            kwargs["max_sequence_length"] = fitted_sequence_length(tokenizer, extra["prompt"], self.info.sequence_buckets)
        if self.info.grounding and extra.get("prompt"):
            self._ground(pipe, kwargs, width, height, seed)
        accepted = inspect.signature(type(pipe).__call__).parameters
        return {key: value for key, value in kwargs.items() if key in accepted}

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

    def _ground(self, pipe, kwargs: dict[str, Any], width: int, height: int, seed: int) -> None:
        """Draw the prompt grounded (a model trained so: chatdit.json "grounding"): text-to-image
        from a layout planned from its words; an inpaint with the kept objects where the detector
        finds them and what the words add inside the mask. An img2img edit keeps the plain prompt."""
        from chatdit.dit.nano.grounding import grounded_kwargs, plan_fill, plan_prompt

        name, prompt = type(pipe).__name__, kwargs["prompt"]
        if name == "FluxPipeline":
            layout = plan_prompt(prompt, seed)
        elif name == "FluxInpaintPipeline" and kwargs.get("strength", 1.0) >= 1.0:
            layout = plan_fill(prompt, kwargs["image"], kwargs["mask_image"], seed)
        else:
            return
        grounded = grounded_kwargs(pipe, [layout], [prompt], width, height, self.info.sequence_buckets,
                                   self.info.grounding)
        if grounded:
            kwargs.pop("prompt")
            kwargs.update(grounded)

    def loaded(self) -> list[str]:
        return sorted(self._pipes)

    def parameter_bytes(self) -> int:
        """Bytes of distinct parameters across every loaded pipeline (shared ones counted once)."""
        return distinct_parameter_bytes(pipe for pipe in self._pipes.values() if pipe is not None)
