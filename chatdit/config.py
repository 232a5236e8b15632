"""Settings: one model for config.toml, environment variables and Session.create(**settings).

Precedence (highest first): explicit keyword arguments, CHATDIT_* environment variables,
config.toml in the chatdit home folder, defaults.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from chatdit.dit.parallel import parse_parallel
from chatdit.errors import SettingsError, validation_problems


def chatdit_home() -> Path:
    """The folder holding config.toml, sessions/ and logs/; moved with CHATDIT_HOME."""
    env = os.environ.get("CHATDIT_HOME")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "chatdit"


def config_path() -> Path:
    return chatdit_home() / "config.toml"


class Settings(BaseSettings):
    """Every knob a person can turn; the same names as config.toml keys and Session.create."""

    model_config = SettingsConfigDict(env_prefix="CHATDIT_", extra="forbid", validate_assignment=True)

    model: str = Field(default="nano", description="'nano' (embedded), 'tiny' (random test model), a hub id or a local folder")
    llm: Literal["rules", "openai", "vllm", "ollama", "local"] = "rules"
    llm_url: str | None = Field(default=None, description="None: the server preset's (openai: OPENAI_BASE_URL, else api.openai.com; vllm :8000; ollama :11434)")
    llm_model: str | None = Field(default=None, description="None: the preset's model (chatdit/llm/servers.py)")
    llm_api_key: str | None = Field(default=None, description="None: OPENAI_API_KEY")
    llm_timeout: float = Field(default=60.0, gt=0, le=3600, allow_inf_nan=False, description="seconds one request may take in all, retries included")
    llm_retries: int = Field(default=2, ge=0, le=10, description="retries with backoff on 429/5xx and dropped connections")
    vlm: Literal["openai", "vllm", "ollama"] = Field(default="vllm", description="server preset of the VLM critic")
    vlm_url: str | None = None
    vlm_model: str | None = None
    critic: bool = True
    critic_backend: Literal["offline", "vlm"] = "offline"
    critic_threshold: float = Field(default=1.0, ge=0, le=1)
    rounds: int = Field(default=3, ge=1, le=10)
    time_budget: float = Field(default=600.0, gt=0, description="seconds per turn for retries")
    seed: int = 0
    steps: int | None = Field(default=None, ge=1, le=200, description="denoising steps; None = the model's default")
    width: int | None = Field(default=None, ge=16, le=4096)
    height: int | None = Field(default=None, ge=16, le=4096)
    device: str = Field(default="auto", description="auto, cpu, cuda, cuda:N, mps or xpu")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    memory: Literal["full", "24GB", "16GB", "12GB"] = Field(default="full", description="GPU memory preset: quantization, offload, VAE tiling and idle-variant eviction together (chatdit/dit/memory.py)")
    offload: Literal["none", "model", "sequential", "group"] = "none"
    vae_tiling: bool = Field(default=False, description="decode wide canvases in tiles")
    gguf: str | None = Field(default=None, description="a FLUX.1 transformer as a GGUF single file (path or URL) instead of the checkpoint's")
    cache: Literal["none", "first_block", "taylorseer", "magcache"] = "none"
    compile: bool = False
    quantize: Literal["none", "int8", "fp8", "nf4"] = Field(default="none", description="transformers and T5 at load: int8/fp8 weight-only (torchao) or NF4 (bitsandbytes)")
    lora_source: str = Field(default="ali-vilab/In-Context-LoRA", description="hub id or folder holding the In-Context LoRA preset files")
    group_lora: str | None = Field(default="movie-shots", description="In-Context LoRA preset a group of its panel count is drawn under, when the model takes it and the file is downloaded; None = never")
    video_model: str = Field(default="Wan-AI/Wan2.1-VACE-1.3B-diffusers", description="WanVACE model for face swap; 'tiny' = random test weights")
    watermark: Literal["visible", "invisible", "both"] = Field(default="visible", description="mark on face-swap videos; one is always applied")
    plan_approval: bool = False
    book_author: str | None = Field(default=None, description="the author printed on exported books")
    book_page_size: Literal["a4", "letter", "square"] = Field(default="a4", description="PDF pages; square is 8.5 x 8.5 in")
    book_layout: Literal["under", "over", "facing"] = Field(default="under", description="page text under, over or facing the picture")
    book_bleed: bool = Field(default=False, description="PDF pages 1/8 in larger on each side for a print shop")

    parallel: str = Field(default="none", description="'context:N' or 'ring:N': one picture's transformer split over N GPUs (torchrun)")

    @field_validator("device")
    @classmethod
    def _known_device(cls, value: str) -> str:
        if not re.fullmatch(r"auto|cpu|mps|(cuda|xpu)(:\d+)?", value):
            raise ValueError(f"{value!r} is not a device: use auto, cpu, cuda, cuda:N, mps or xpu")
        return value

    @field_validator("parallel")
    @classmethod
    def _parallel_is_a_known_split(cls, value: str) -> str:
        parse_parallel(value)
        return value.strip()

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_path()))


def load_settings(**overrides: Any) -> Settings:
    """Settings with overrides applied, or a SettingsError naming the bad key."""
    import tomllib

    if config_path().exists() and not config_path().is_file():
        raise SettingsError(f"{config_path()} is not a file; make it a TOML file of key = value lines, or move it aside")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(f"invalid setting ({validation_problems(exc)}); fix it in {config_path()} or the call") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise SettingsError(f"{config_path()} cannot be read ({exc.__class__.__name__}: {' '.join(str(exc).split())[:160]}); "
                            "fix it (UTF-8 TOML, key = value) or move it aside") from None
