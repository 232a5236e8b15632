"""In-Context LoRA presets: named tasks, each a LoRA on FLUX.1-dev with the caption it was trained on.

In-Context LoRA (ali-vilab/In-Context-LoRA, Huang et al. 2024) fine-tunes FLUX.1-dev on
multi-panel pictures captioned as one text: a task tag, a summary, then one marker per panel
("[MOVIE-SHOTS] In a vibrant festival, [SCENE-1] ..., [SCENE-2] ..., [SCENE-3] ..."). A preset
here is that recipe: the weight file in the hub repo, the panel grid, the markers, and the size
the authors recommend. The LoRA only works with the caption format it was trained on, so the
format lives next to the weights and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatdit.errors import ModelUnavailableError, ToolArgumentError
from chatdit.lexicon import NUMBER_NAMES

REPO = "ali-vilab/In-Context-LoRA"
FLUX_DEV_FAMILY = ("black-forest-labs/FLUX.1-dev", "black-forest-labs/FLUX.1-Krea-dev")
"""The LoRAs were trained on FLUX.1-dev; other models (schnell, nano) have other weights or shapes."""

ROW = ("[LEFT]", "[RIGHT]")
COLUMN = ("[TOP]", "[BOTTOM]")
GRID = ("[TOP-LEFT]", "[TOP-RIGHT]", "[BOTTOM-LEFT]", "[BOTTOM-RIGHT]")


@dataclass(frozen=True)
class LoraPreset:
    name: str
    weight_name: str
    title: str
    cols: int
    rows: int
    markers: tuple[str, ...]
    size: tuple[int, int]
    """(width, height) of the whole canvas the authors recommend."""
    tag: str | None = None
    """Task tag the caption opens with ("[MOVIE-SHOTS]"), where the preset was trained with one."""
    keywords: tuple[str, ...] = ()
    """Phrases in a request that ask for this preset."""

    @property
    def panels(self) -> int:
        return self.cols * self.rows


PRESETS: dict[str, LoraPreset] = {p.name: p for p in [
    LoraPreset("movie-shots", "film-storyboard.safetensors", "film storyboard", 1, 3,
               ("[SCENE-1]", "[SCENE-2]", "[SCENE-3]"), (1024, 1536), "[MOVIE-SHOTS]",
               ("movie shots", "movie-shots", "film storyboard", "movie storyboard", "cinematic storyboard", "film stills")),
    LoraPreset("couple-profile", "couple-profile.safetensors", "couple profile design", 2, 1, ROW, (2048, 1024),
               keywords=("couple profile", "couple avatar", "matching profile pictures")),
    LoraPreset("font-design", "font-design.safetensors", "font design", 2, 2, GRID, (1792, 1216),
               keywords=("font design", "typeface", "font specimen", "lettering set")),
    LoraPreset("home-decoration", "home-decoration.safetensors", "home decoration", 2, 2, GRID, (1344, 1728),
               keywords=("home decoration", "interior design", "home decor")),
    LoraPreset("portrait-illustration", "portrait-illustration.safetensors", "portrait illustration", 2, 1, ROW,
               (1152, 1088), keywords=("portrait illustration", "photo to illustration")),
    LoraPreset("portrait-photography", "portrait-photography.safetensors", "portrait photography", 2, 2, GRID,
               (1344, 1728), "[FOUR-PANEL]", ("portrait photography", "portrait photos", "photo shoot", "photoshoot")),
    LoraPreset("ppt-templates", "ppt-templates.safetensors", "PPT template", 2, 2, GRID, (1984, 1152),
               keywords=("ppt template", "powerpoint template", "slide template", "presentation template")),
    LoraPreset("sandstorm", "sandstorm-visual-effect.safetensors", "sandstorm visual effect", 1, 2, COLUMN,
               (1408, 1600), "[SANDSTORM-PSA]", ("sandstorm",)),
    LoraPreset("sparklers", "sparklers-visual-effect.safetensors", "sparklers visual effect", 1, 2, COLUMN,
               (960, 1088), "[REAL-SPARKLERS-OVERLAYS]", ("sparkler", "sparklers")),
    LoraPreset("visual-identity", "visual-identity-design.safetensors", "visual identity design", 2, 1, ROW,
               (1472, 1024), keywords=("visual identity", "brand identity", "branding design")),
]}
ALIASES = {"storyboard": "movie-shots", "film-storyboard": "movie-shots", "visual-effects": "sandstorm",
           "sandstorm-visual-effect": "sandstorm", "sparklers-visual-effect": "sparklers",
           "visual-identity-design": "visual-identity", "ppt": "ppt-templates", "portrait": "portrait-photography"}


def get_preset(name: str) -> LoraPreset:
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in PRESETS:
        raise ToolArgumentError(f"unknown In-Context LoRA preset {name!r}; presets: {', '.join(PRESETS)}")
    return PRESETS[key]


def pick_preset(text: str) -> LoraPreset | None:
    """The preset a request asks for by name ("as movie shots", "a font design sheet"), if any."""
    lowered = text.lower()
    for preset in PRESETS.values():
        if any(re.search(rf"\b{re.escape(word)}\b", lowered) for word in preset.keywords):
            return preset
    return None


def preset_caption(preset: LoraPreset, summary: str, panel_prompts: list[str]) -> str:
    """The caption in the preset's training format: tag, summary, then each panel after its marker."""
    if len(panel_prompts) != preset.panels:
        raise ToolArgumentError(f"the {preset.name} preset draws {preset.panels} panels, "
                                f"got {len(panel_prompts)} panel descriptions")
    if preset.tag == "[MOVIE-SHOTS]":
        head = f"{preset.tag} {summary.strip().rstrip('.,')},"
    else:
        count = NUMBER_NAMES[preset.panels]
        kind = f"{count}-panel" if preset.panels > 2 else f"{count}-part"
        head = f"{preset.tag + ' ' if preset.tag else ''}This {kind} image shows {summary.strip().rstrip('.,;')};"
    parts = [f"{marker} {prompt.strip().rstrip('.,;')}" for marker, prompt in zip(preset.markers, panel_prompts)]
    separator = ", " if preset.tag == "[MOVIE-SHOTS]" else "; "
    return f"{head} {separator.join(parts)}."


def panel_size(preset: LoraPreset, width: int | None, height: int | None) -> tuple[int, int]:
    """One panel's size: the given one, else the recommended canvas divided by the grid."""
    return (width or preset.size[0] // preset.cols, height or preset.size[1] // preset.rows)


def split_grid(canvas, preset: LoraPreset) -> list:
    """Panels of a drawn canvas in marker order (row by row, left to right)."""
    width, height = canvas.width // preset.cols, canvas.height // preset.rows
    return [canvas.crop((c * width, r * height, (c + 1) * width, (r + 1) * height))
            for r in range(preset.rows) for c in range(preset.cols)]


def lora_compatible(hub) -> bool:
    """Whether the hub's model is one the In-Context LoRAs were trained for."""
    return str(hub.where) in FLUX_DEV_FAMILY


def apply_lora(pipe, preset: LoraPreset, source: str, scale: float = 1.0) -> None:
    """Load the preset's LoRA into the pipeline once (by adapter name) and make it the only active one."""
    adapter = preset.name
    loaded = set(pipe.get_list_adapters().get("transformer", [])) if hasattr(pipe, "get_list_adapters") else set()
    if adapter not in loaded:
        try:
            pipe.load_lora_weights(source, weight_name=preset.weight_name, adapter_name=adapter)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelUnavailableError(
                f"could not load the {preset.name} LoRA ({preset.weight_name} from {source}): {exc}. "
                f"Download it with `hf download {REPO} {preset.weight_name}` "
                "or set lora_source to a folder holding it") from exc
    pipe.enable_lora()
    pipe.set_adapters([adapter], adapter_weights=[scale])


def disable_loras(pipe) -> None:
    """Other tools share the pipeline: switch LoRAs off again after a preset call."""
    if getattr(pipe, "get_list_adapters", None) and pipe.get_list_adapters():
        pipe.disable_lora()
