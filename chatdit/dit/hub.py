"""The model hub: one place that loads diffusion pipelines lazily and shares their components.

Tools ask the hub for a pipeline by capability (text2image, fill, inpaint, img2img, kontext);
the hub builds it on first use from the base FluxPipeline with `from_pipe` (or, for FLUX.1's
separate Fill/Kontext checkpoints, loads only their transformer and reuses the text encoders
and VAE), so a session holds one copy of every component. Which weights back a name:

- "nano": the small DiT shipped in the package (chatdit/dit/nano/weights), the default;
- "tiny": random weights built offline (tests; pictures are noise);
- "flux-dev", "flux-schnell" or any hub id / local folder with a FluxPipeline.

This module loads; how a tool asks a loaded pipeline to draw is chatdit/dit/drawing.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from chatdit.config import Settings
from chatdit.dit.drawing import HubDrawing
from chatdit.dit.parallel import join_parallel_group, parse_parallel
from chatdit.dit.sources import (
    FILL_CHECKPOINTS,
    KONTEXT_CHECKPOINTS,
    ModelInfo,
    check_downloaded,
    download_advice,
    pick_device,
    pick_dtype,
    read_defaults,
    resolve_source,
)
from chatdit.errors import ModelUnavailableError, ToolArgumentError

SIZE_MULTIPLE = 16
"""Flux packs 2x2 latent patches over an 8x (or, on nano, 4x) VAE: sides must divide by 16."""


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
    for noisy in ("torchao", "torch.utils._pytree", "bitsandbytes"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def distinct_parameter_bytes(pipes: Iterable[Any]) -> int:
    """Bytes of the parameters of these pipelines, each tensor counted once however many share it."""
    seen: set[int] = set()
    total = 0
    for pipe in pipes:
        for component in pipe.components.values():
            for param in getattr(component, "parameters", list)():
                if param.data_ptr() not in seen:
                    seen.add(param.data_ptr())
                    total += param.numel() * param.element_size()
    return total


class ModelHub(HubDrawing):
    """Lazily loaded pipelines over one set of components, for one session (drawn with
    HubDrawing's `call_kwargs` and `draw`)."""

    def __init__(self, settings: Settings, notify: Callable[[str], None] | None = None, pipeline: Any = None):
        self.settings = settings
        self.notify = notify or (lambda message: None)
        self._custom = pipeline
        kind, where = resolve_source(settings.model)
        if pipeline is not None:  # the person's own pipeline: its defaults from where it was loaded
            kind, where = "custom", str(getattr(pipeline.config, "_name_or_path", "") or "custom")
            where = Path(where) if Path(where).is_dir() else where
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
            name={"tiny": "tiny", "custom": f"custom pipeline ({where})"}.get(kind, settings.model),
            width=defaults["width"], height=defaults["height"], steps=defaults["num_inference_steps"],
            guidance_scale=defaults["guidance_scale"], true_cfg_scale=defaults.get("true_cfg_scale"),
            negative_prompt=defaults.get("negative_prompt") or "", max_sequence_length=defaults["max_sequence_length"],
            max_panels=defaults["max_panels"], fill_mode=defaults.get("fill", "inpaint"),
            fill_guidance_scale=defaults.get("fill_guidance_scale", 1.0), random_weights=kind == "tiny",
            regional_attention=defaults.get("regional_attention", True), grounding=defaults.get("grounding"),
            sequence_buckets=defaults.get("sequence_buckets"), canvas_grid=defaults["canvas_grid"],
            max_canvas_pixels=defaults["max_canvas_pixels"], caption_style=defaults["caption_style"],
            source=str(where) if where else "built offline with random weights",
        )
        self._pipes: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._steps: int | None = None
        self._device = "cpu"

    # ------------------------------------------------------------------ loading

    def _adopt(self, pipe):
        """The person's own pipeline as the base: placed, quantized and offloaded as they left it;
        only the step cache (a setting of this session) is switched on."""
        from chatdit.dit.speed import default_steps, enable_step_cache

        self._device, self._dtype = str(pipe.device).split(":")[0], pipe.transformer.dtype
        self._steps = default_steps(pipe, self.settings)
        if not pipe.transformer.is_cache_enabled:
            enable_step_cache(pipe, self.settings.cache, self._steps)
        return pipe

    def _load_base(self):
        if self._custom is not None:
            return self._adopt(self._custom)
        quiet_library_logs()
        import torch
        from diffusers.utils import logging as diffusers_logging
        from transformers.utils import logging as transformers_logging

        for library in (diffusers_logging, transformers_logging):
            library.disable_progress_bar()  # chatdit reports its own progress
            library.set_verbosity_error()  # prompt-truncation chatter would land in the chat UI

        split = parse_parallel(self.settings.parallel)
        device = join_parallel_group(split, self.kind, self.settings.device) or pick_device(self.settings.device)
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
            pipe = self._from_checkpoint(FluxPipeline, dtype)
        self._device, self._dtype = device, dtype
        self._place(pipe)
        from chatdit.dit.speed import apply_speed_options, default_steps

        self._steps = default_steps(pipe, self.settings)
        apply_speed_options(pipe, self.settings, self.notify, self._steps, quantize=self.kind == "tiny")
        return pipe

    def _from_checkpoint(self, pipeline_class, dtype):
        """The base pipeline from its folder or hub id, quantized as it loads (and with a GGUF
        transformer when one is set)."""
        from chatdit.dit.memory import gguf_transformer, memory_plan, pipeline_quantization

        if self.kind == "hub":
            check_downloaded(str(self.where))
        quantization = pipeline_quantization(memory_plan(self.settings), dtype)
        extra = {"quantization_config": quantization} if quantization else {}
        if self.settings.gguf:
            extra["transformer"] = gguf_transformer(self.settings.gguf, dtype)
            if quantization:
                quantization.quant_mapping.pop("transformer")
        try:
            return pipeline_class.from_pretrained(self.where, dtype=dtype, **extra)
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(
                f"could not load model {self.settings.model!r} from {self.where}: {str(exc).splitlines()[0][:300]}; "
                + (f"get it with {download_advice(str(self.where))}" if self.kind == "hub" else "check the folder")
                + " or use model = \"nano\"") from exc

    def _place(self, pipe) -> None:
        pipe.set_progress_bar_config(disable=True)
        if self._custom is not None and getattr(self._custom, "_all_hooks", None):
            pipe.enable_model_cpu_offload()  # a variant over the person's offloaded pipeline
        elif self._custom is not None:
            pipe.to(self._custom.device)
        else:
            from chatdit.dit.memory import memory_plan, place

            place(pipe, memory_plan(self.settings), self._device)

    def _get(self, key: str, build: Callable[[], Any]):
        with self._lock:
            if key not in self._pipes:
                from chatdit.dit.memory import out_of_memory_advice

                with out_of_memory_advice(self, f"loading the {key} pipeline"):
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

        self.text2image()  # the base sets the hub's dtype (a resumed session's first call may be a fill)
        if not Path(repo).expanduser().is_dir():
            check_downloaded(repo)
        from chatdit.dit.memory import memory_plan, transformer_quantization

        quantization = transformer_quantization(memory_plan(self.settings), self._dtype)
        try:
            return FluxTransformer2DModel.from_pretrained(repo, subfolder="transformer", dtype=self._dtype,
                                                          **({"quantization_config": quantization} if quantization else {}))
        except (OSError, ValueError) as exc:
            raise ModelUnavailableError(f"the {role} model {repo} is not available: {str(exc).splitlines()[0][:300]}; "
                                        f"get it with {download_advice(repo)}") from exc

    def _with_transformer(self, pipeline_class, transformer):
        """A pipeline of this class on the base's text encoders, VAE and scheduler, with its own
        transformer, quantized and cached like the base's."""
        from chatdit.dit.speed import apply_speed_options

        pipe = pipeline_class(transformer=transformer, **self._shared_components())
        self._place(pipe)
        apply_speed_options(pipe, self.settings, self.notify, self._steps)
        return pipe

    def _from_base(self, pipeline_class):
        """A pipeline of this class over the base's own modules. from_pipe casts to float32 unless
        given the dtype (a bf16 FLUX.1 would silently double its memory)."""
        return pipeline_class.from_pipe(self.text2image(), dtype=self._dtype)

    def inpaint(self):
        """FluxInpaintPipeline over the base components (region edits, nano's fill path)."""
        from diffusers import FluxInpaintPipeline

        return self._get("inpaint", lambda: self._from_base(FluxInpaintPipeline))

    def img2img(self):
        from diffusers import FluxImg2ImgPipeline

        return self._get("img2img", lambda: self._from_base(FluxImg2ImgPipeline))

    def kontext(self):
        """FluxKontextPipeline for instruction edits, or None when the model has no Kontext
        variant (nano): the edit tool then uses the fill path."""
        if self.kind in ("nano", "folder") or (self.kind == "custom" and str(self.where) not in KONTEXT_CHECKPOINTS):
            return None
        from diffusers import FluxKontextPipeline

        def build():
            if self.kind == "tiny":
                return self._from_base(FluxKontextPipeline)
            repo = KONTEXT_CHECKPOINTS.get(str(self.where))
            return None if repo is None else self._with_transformer(FluxKontextPipeline, self._load_transformer(repo, "edit"))

        return self._get("kontext", build)

    def loaded(self) -> list[str]:
        return sorted(self._pipes)

    def parameter_bytes(self) -> int:
        """Bytes of distinct parameters across every loaded pipeline (shared ones counted once)."""
        return distinct_parameter_bytes(pipe for pipe in self._pipes.values() if pipe is not None)
