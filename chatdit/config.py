"""Settings: one model for config.toml, environment variables and Session.create(**settings).

Precedence (highest first): explicit keyword arguments, CHATDIT_* environment variables,
config.toml in the chatdit home folder, defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from chatdit.errors import SettingsError


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
    llm: Literal["rules", "openai", "local"] = "rules"
    llm_url: str = "http://127.0.0.1:8000/v1"
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_timeout: float = Field(default=60.0, gt=0)
    critic: bool = True
    critic_backend: Literal["offline", "vlm"] = "offline"
    critic_threshold: float = Field(default=1.0, ge=0, le=1)
    rounds: int = Field(default=3, ge=1, le=10)
    time_budget: float = Field(default=600.0, gt=0, description="seconds per turn for retries")
    seed: int = 0
    steps: int | None = Field(default=None, ge=1, le=200, description="denoising steps; None = the model's default")
    width: int | None = Field(default=None, ge=16, le=4096)
    height: int | None = Field(default=None, ge=16, le=4096)
    device: str = "auto"
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    offload: Literal["none", "model", "sequential"] = "none"
    cache: Literal["none", "first_block", "taylorseer", "magcache"] = "none"
    compile: bool = False
    quantize: Literal["none", "int8"] = Field(default="none", description="int8 weight-only transformer (needs torchao)")
    lora_source: str = Field(default="ali-vilab/In-Context-LoRA", description="hub id or folder holding the In-Context LoRA preset files")
    video_model: str = Field(default="Wan-AI/Wan2.1-VACE-1.3B-diffusers", description="WanVACE model for face swap; 'tiny' = random test weights")
    watermark: Literal["visible", "invisible", "both"] = Field(default="visible", description="mark on face-swap videos; one is always applied")
    plan_approval: bool = False

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_path()))


def load_settings(**overrides: Any) -> Settings:
    """Settings with overrides applied, or a SettingsError naming the bad key."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"invalid setting ({problems}); fix it in {config_path()} or the call") from exc
