"""Protect a photo against our own in-context editing path (in the spirit of DeContext), opt-in.

`protect_image` adds a small perturbation, found by projected gradient ascent (PGD) in pixel
space, that makes the fill path of the loaded model (nano's FluxInpaintPipeline) draw something
else from the picture than it would from the original. Three objectives (`ProtectSettings.method`):
- grounded (default): recolor edits of the picture's own objects are sampled (expectation over
  transformations) and masked and conditioned exactly as the edit tool does (the grown box, the
  hub's grounded phrases and attention mask); at random timesteps the transformer's one-step
  prediction of the masked region, given the protected picture as context, is pushed away from its
  prediction given the original, differentiating through the VAE encoder and the transformer;
- departure: the same with an empty prompt and random masks or the reference layout (no hub);
- encoder: the picture's VAE latents are pulled toward a flat gray picture's (PhotoGuard).
Every pixel moves at most `epsilon` levels of 255, which bounds the visible change:
PSNR >= 20·log10(255/epsilon) dB (36.1 dB at 4), checked after rounding. What it achieves is
measured in bench/protect.py and said in the README.
"""

from __future__ import annotations

import io
import math
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from chatdit.errors import ChatditError, InputImageError, ModelUnavailableError, validation_problems

PSNR_BOUND = 35.0
"""The visible change allowed: no protected copy is written below it."""
L2_PSNR, L2_CAP = 35.5, 24
"""The L2 attack's budget (the PSNR its perturbation is scaled to, a margin over the bound for
rounding) and the most any one pixel may move, in levels of 255."""
MAX_SIDE = 512
"""Protection runs at the picture's own size, as the edit path does; beyond this it is too slow on a CPU."""


class ProtectSettings(BaseModel):
    """The attack's knobs; the defaults are what bench/protect.py measured."""

    method: Literal["grounded", "encoder", "departure"] = Field(
        default="grounded", description="grounded: push the one-step prediction of sampled recolor edits, conditioned "
                                        "as the edit tool conditions them (the model's grounded phrases and attention "
                                        "mask), away from the original's; encoder: pull the picture's latents toward "
                                        "a flat gray picture's (PhotoGuard); departure: as grounded, with an empty prompt")
    norm: Literal["linf", "l2"] = Field(default="linf", description="linf: every pixel within epsilon; l2: the change's "
                                                                    "energy at PSNR 35.5 dB, spent where it moves the model")
    edits: int = Field(default=6, ge=1, le=32, description="recolor edits sampled for the grounded attack (EOT)")
    epsilon: int = Field(default=4, ge=1, le=16, description="largest change of any pixel, in levels of 255")
    steps: int = Field(default=40, ge=1, le=1000, description="PGD iterations")
    samples: int = Field(default=2, ge=1, le=16, description="random masks/timesteps averaged per iteration")
    seed: int = 0


def protect_settings(**options: Any) -> ProtectSettings:
    """The settings, or a ChatditError naming the bad option."""
    from pydantic import ValidationError

    try:
        return ProtectSettings(**options)
    except ValidationError as exc:
        raise ChatditError(f"invalid protect option ({validation_problems(exc)})") from exc


class ProtectReport(BaseModel):
    """What a protection did: how much it changed the picture and how far it moved the model."""

    path: Path | None = None
    psnr: float = Field(description="dB between the original and the protected copy")
    max_change: int = Field(description="largest change of any pixel value, levels of 255")
    steps: int
    method: str = Field(default="departure", description="the attack that ran (ProtectSettings.method)")
    seconds: float
    departure_before: float = Field(description="the loss at the first step (random start)")
    departure_after: float = Field(description="the loss at the last step")

    def summary(self) -> str:
        return (f"wrote {self.path} ({self.method} attack): PSNR {self.psnr:.1f} dB, no pixel moved more than {self.max_change}/255; "
                f"{self.steps} steps in {self.seconds:.0f} s (its objective {self.departure_before:.1e} -> "
                f"{self.departure_after:.1e})")


def psnr(a, b) -> float:
    """Peak signal-to-noise ratio of two uint8 arrays, in dB (inf when equal)."""
    import numpy as np

    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


class EditModel:
    """The parts of a Flux fill pipeline the attack differentiates through."""

    def __init__(self, pipe):
        import torch

        if pipe.transformer.config.in_channels != pipe.vae.config.latent_channels * 4:
            raise ModelUnavailableError(
                "protect differentiates through the inpaint path (nano's); this model edits through a Fill "
                "transformer (masked-image channels), which protect does not support yet: use --set model=nano")
        self.pipe, self.device = pipe, pipe.transformer.device
        self.dtype = pipe.transformer.dtype
        self.scale = pipe.vae_scale_factor * 2
        with torch.no_grad():
            embeds, pooled, text_ids = pipe.encode_prompt(prompt="", prompt_2=None, device=self.device,
                                                          max_sequence_length=24)
        self.text = (embeds, pooled, text_ids)
        for module in (pipe.vae, pipe.transformer):
            module.requires_grad_(False)

    def encode(self, pixels):
        """[0, 1] pixels (1, 3, H, W) -> packed latents (1, tokens, channels), differentiably."""
        vae, pipe = self.pipe.vae, self.pipe
        latents = vae.encode(pixels.to(self.dtype) * 2 - 1).latent_dist.mean
        latents = (latents - vae.config.shift_factor) * vae.config.scaling_factor
        _, c, h, w = latents.shape
        return pipe._pack_latents(latents, 1, c, h, w)

    def predict_clean(self, latents, t: float, height: int, width: int, condition: dict | None = None):
        """The transformer's one-step estimate of the clean latents from `latents` at noise level t,
        given the empty prompt or a grounded `condition` (prompt_embeds, pooled, attention kwargs)."""
        import torch

        embeds, pooled, text_ids = self.text
        attention = None
        if condition:
            embeds, pooled = condition["prompt_embeds"], condition["pooled_prompt_embeds"]
            text_ids, attention = torch.zeros(embeds.shape[1], 3, device=self.device, dtype=self.dtype), condition["joint_attention_kwargs"]
        image_ids = self.pipe._prepare_latent_image_ids(1, height // self.scale, width // self.scale,
                                                        self.device, self.dtype)
        velocity = self.pipe.transformer(hidden_states=latents, timestep=torch.full((1,), t, device=self.device),
                                         guidance=None, pooled_projections=pooled, encoder_hidden_states=embeds,
                                         txt_ids=text_ids, img_ids=image_ids, joint_attention_kwargs=attention,
                                         return_dict=False)[0]
        return latents - t * velocity


def _random_case(rng, width: int, height: int, scale: int) -> tuple[bool, Any]:
    """(reference layout?, token mask): the picture beside a blank panel to draw, or a random box in it."""
    import torch

    columns, rows = width // scale, height // scale
    if rng.random() < 0.5:
        mask = torch.zeros(rows, 2 * columns)
        mask[:, columns:] = 1
        return True, mask.flatten()
    w, h = rng.randint(max(1, columns // 3), columns), rng.randint(max(1, rows // 3), rows)
    x, y = rng.randint(0, columns - w), rng.randint(0, rows - h)
    mask = torch.zeros(rows, columns)
    mask[y:y + h, x:x + w] = 1
    return False, mask.flatten()


def sampled_edits(hub, image, count: int, seed: int) -> list[tuple[bool, Any, dict]]:
    """(False, token mask, grounded condition) for `count` recolor edits of the picture's objects,
    each masked and conditioned as the edit tool does it (its grown box, the hub's grounding)."""
    import random

    import numpy as np
    import torch

    from chatdit import storybook as world
    from chatdit.storybook.detector import detect_scene
    from chatdit.tools.edit import OBJECT_MARGIN
    from chatdit.tools.inpaint import box_mask

    scene, rng, cases = detect_scene(image), random.Random(seed), []
    objects = [world.ObjectSpec(kind=o.kind, color=o.color) for o in scene.objects][:4]
    pipe = hub.fill()
    for index in range(count if objects else 0):
        target = rng.randrange(len(objects))
        wanted = [o.model_copy(update={"color": rng.choice([c for c in world.COLOR_NAMES if c != o.color])})
                  if i == target else o for i, o in enumerate(objects)]
        prompt = world.caption(world.SceneSpec(background=scene.background, objects=wanted), random.Random(index))
        x0, y0, x1, y1 = scene.objects[target].bbox
        mask = box_mask(image.size, [(x0 / 64, y0 / 64, x1 / 64, y1 / 64)], OBJECT_MARGIN)
        kwargs = hub.call_kwargs(pipe, width=image.width, height=image.height, seed=seed + index, steps=None,
                                 prompt=prompt, image=image, mask_image=mask, strength=1.0)
        if "prompt_embeds" not in kwargs:
            continue
        scale = pipe.vae_scale_factor * 2
        tokens = torch.from_numpy(np.array(mask.resize((image.width // scale, image.height // scale)))).float()
        cases.append((False, (tokens > 0).float().flatten(), {k: kwargs[k] for k in ("prompt_embeds", "pooled_prompt_embeds",
                                                                                     "joint_attention_kwargs")}))
    return cases


def _departure(model: EditModel, pixels, clean_latents: dict, case, t: float, noise_seed: int):
    """How far the prediction of the region being drawn moves from the one the original gives."""
    import torch

    reference, mask, condition = case if len(case) == 3 else (*case, None)
    height, width = pixels.shape[-2:]
    if reference:
        pixels = torch.cat([pixels, torch.full_like(pixels, 0.5)], -1)
        width *= 2
    adv, ref = model.encode(pixels), clean_latents[reference]
    noise = torch.randn(ref.shape, generator=torch.Generator().manual_seed(noise_seed)).to(ref)
    m = mask.to(ref)[None, :, None]
    drawn = (1 - t) * ref + t * noise  # the region being drawn starts the same in both
    known_adv, known_ref = (1 - t) * adv + t * noise, (1 - t) * ref + t * noise
    pred_adv = model.predict_clean(m * drawn + (1 - m) * known_adv, t, height, width, condition)
    with torch.no_grad():
        pred_ref = model.predict_clean(m * drawn + (1 - m) * known_ref, t, height, width, condition)
    return (((pred_adv - pred_ref) ** 2) * m).sum() / (m.sum() * ref.shape[-1])


def protect_image(pipe, image, settings: ProtectSettings | None = None, hub=None):
    """(protected copy, report) for a PIL image, against `pipe`'s fill path (with `hub`, the
    grounded attack conditions as the hub's edit tool does; without one, or on a picture with no
    world object to recolor, it falls back to the empty-prompt departure)."""
    import numpy as np
    import torch
    from PIL import Image

    settings = settings or ProtectSettings()
    image = image.convert("RGB")
    if max(image.size) > MAX_SIDE:
        raise InputImageError(f"protect works at the picture's own size, up to {MAX_SIDE} px a side; "
                              f"this one is {image.width}x{image.height}: scale it down first")
    model = EditModel(pipe)
    if image.width % model.scale or image.height % model.scale:
        raise InputImageError(f"protect needs sides that are multiples of {model.scale} px (the edit path snaps "
                              f"to them); this picture is {image.width}x{image.height}: crop or scale it")
    started = time.perf_counter()
    original = np.array(image)
    clean = torch.from_numpy(original).permute(2, 0, 1)[None].float().div(255).to(model.device)
    objective, method = _objective(model, clean, image, settings, hub)
    cap = (L2_CAP if settings.norm == "l2" else settings.epsilon) / 255
    budget = math.sqrt(clean.numel()) * 10 ** (-L2_PSNR / 20)  # the L2 norm at which PSNR is L2_PSNR dB
    torch.manual_seed(settings.seed)
    delta = (torch.rand_like(clean) * 2 - 1) * (cap if settings.norm == "linf" else 1 / 255)
    losses = []
    for _ in range(settings.steps):
        delta.requires_grad_(True)
        loss = objective((clean + delta).clamp(0, 1))
        (grad,) = torch.autograd.grad(loss, delta)
        losses.append(float(loss.detach()))
        with torch.no_grad():
            if settings.norm == "l2":  # a step of a tenth of the budget along the gradient, back into the ball
                delta = (delta + budget / 10 * grad / grad.norm().clamp_min(1e-12)).clamp(-cap, cap)
                delta = delta * min(1.0, budget / float(delta.norm().clamp_min(1e-12)))
            else:
                delta = (delta + cap / 4 * grad.sign()).clamp(-cap, cap)
            delta = (clean + delta).clamp(0, 1) - clean
    protected = _rounded(original, (clean + delta).clamp(0, 1)[0].permute(1, 2, 0).mul(255).cpu().numpy(), round(cap * 255))
    report = ProtectReport(psnr=psnr(original, protected), steps=settings.steps, method=method,
                           max_change=int(np.abs(protected.astype(np.int16) - original).max()),
                           seconds=time.perf_counter() - started, departure_before=losses[0], departure_after=losses[-1])
    return Image.fromarray(protected), report


def _rounded(original, wanted, cap: int):
    """The perturbed picture in whole levels, no pixel more than `cap` from the original, shrunk
    until rounding keeps PSNR at or above the bound (35 dB)."""
    import numpy as np

    base = original.astype(np.float64)
    for shrink in (1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5):
        out = np.clip(np.round(base + (wanted - base) * shrink), base - cap, base + cap).clip(0, 255).astype(np.uint8)
        if psnr(original, out) >= PSNR_BOUND:
            return out
    return original.copy()


def _objective(model: EditModel, clean, image, settings: ProtectSettings, hub):
    """(pixels -> gain to climb, the method that runs) for the settings."""
    import random

    import torch

    rng = random.Random(settings.seed)
    with torch.no_grad():
        latents = {False: model.encode(clean), True: model.encode(torch.cat([clean, torch.full_like(clean, 0.5)], -1))}
        gray = model.encode(torch.full_like(clean, 0.5))
    if settings.method == "encoder":  # gain = how much nearer the gray picture's latents they are
        return (lambda pixels: -((model.encode(pixels) - gray) ** 2).mean()), "encoder"
    cases = sampled_edits(hub, image, settings.edits, settings.seed) if settings.method == "grounded" and hub else []

    def case():
        return rng.choice(cases) if cases else _random_case(rng, image.width, image.height, model.scale)

    def gain(pixels):
        return sum(_departure(model, pixels, latents, case(), rng.uniform(0.35, 0.95), rng.randrange(1 << 30))
                   for _ in range(settings.samples)) / settings.samples

    return gain, "grounded" if cases else "departure"


def protect_file(pipe, source: str | Path, target: str | Path, settings: ProtectSettings | None = None,
                 hub=None) -> ProtectReport:
    """Read `source`, write the protected copy to `target` (PNG: lossless, so the perturbation survives)."""
    from chatdit.files import write_atomic
    from chatdit.inputs import open_checked_image

    target = Path(target).expanduser()
    if target.suffix.lower() != ".png":
        raise ChatditError(f"write the protected copy as .png ({target.name!r}): JPEG would round the protection away")
    protected, report = protect_image(pipe, open_checked_image(Path(source).expanduser()), settings, hub)
    buffer = io.BytesIO()
    protected.save(buffer, "PNG")
    write_atomic(target, buffer.getvalue())
    return report.model_copy(update={"path": target})


def protect_in_session(session, source: str | Path, target: str | Path, **options: Any) -> ProtectReport:
    """`session.protect(...)`: against the session's model; a relative target lands in its exports/."""
    hub = session.hub()
    return protect_file(hub.fill(), source, session.store.resolve_export_path(target), protect_settings(**options), hub)
