"""Pixel-space pieces of the nano model, in the shapes FluxPipeline expects.

A learned VAE was nano's ceiling: at 4x downsampling it kept object kinds 0.51 and counts 0.40
through a round trip, and its GroupNorm mixed neighbouring panels of a canvas. Here the
"autoencoder" is a lossless space-to-depth rearrangement (64x64x3 pixels <-> 16x16x48), so
FluxPipeline's 2x2 packing makes 8x8-pixel patches, 64 tokens a panel as before, and nothing is
lost between the picture and what the transformer models.

With 192-dimensional pixel patches a transformer of width 192 cannot predict noise or velocity
well (noise is full rank); it can predict the clean picture, which lies on a small manifold
("Back to Basics: Let Denoising Generative Models Denoise", Li & He 2025). `CleanImageFluxTransformer`
predicts the clean patches and returns the velocity FluxPipeline's scheduler steps with.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from diffusers import FluxTransformer2DModel
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.autoencoders.vae import DecoderOutput, DiagonalGaussianDistribution
from diffusers.models.modeling_outputs import AutoencoderKLOutput
from diffusers.models.modeling_utils import ModelMixin

MIN_SIGMA = 0.05  # velocity = (x_t - x) / sigma is clipped here, as in the paper


class SpaceToDepthVAE(ModelMixin, ConfigMixin):
    """A lossless 'VAE': pixels in [-1, 1] folded into channels by `factor` and back.

    `block_out_channels` only carries the downsampling factor the Flux pipelines read
    (2 ** (len - 1)); `latent_channels` is what their inpaint path reads."""

    @register_to_config
    def __init__(self, in_channels: int = 3, factor: int = 4, scaling_factor: float = 1.0, shift_factor: float = 0.0,
                 block_out_channels: tuple[int, ...] | None = None, latent_channels: int | None = None):
        super().__init__()
        levels = int(math.log2(factor))
        if 2 ** levels != factor:
            raise ValueError(f"factor must be a power of two, got {factor}")
        self.register_to_config(block_out_channels=[in_channels * factor ** 2] * (levels + 1),
                                latent_channels=in_channels * factor ** 2)
        # ModelMixin (and the inpaint pipeline, through vae.dtype) reads dtype and device from a
        # tensor of the module; this is that tensor.
        self.register_buffer("dtype_anchor", torch.zeros(1))

    def encode(self, x: torch.Tensor, return_dict: bool = True):
        z = F.pixel_unshuffle(x, self.config.factor)
        dist = DiagonalGaussianDistribution(torch.cat([z, torch.zeros_like(z)], 1), deterministic=True)
        return AutoencoderKLOutput(latent_dist=dist) if return_dict else (dist,)

    def decode(self, z: torch.Tensor, return_dict: bool = True, generator=None):
        x = F.pixel_shuffle(z, self.config.factor)
        return DecoderOutput(sample=x) if return_dict else (x,)

    def forward(self, x: torch.Tensor, return_dict: bool = True):
        return self.decode(self.encode(x).latent_dist.mode(), return_dict=return_dict)


class CleanImageFluxTransformer(FluxTransformer2DModel):
    """FluxTransformer2DModel that predicts the clean packed picture and returns velocity.

    Flow matching here is x_t = (1 - t) x + t noise, so velocity = noise - x = (x_t - x) / t.
    Each token's linear output is one 8x8 patch, and alone it leaves seams and blocks at patch
    edges; a small convolutional refiner over the whole picture (as U-ViT ends in a 3x3 conv)
    sees across them, and sees x_t too, which at low noise is nearly the answer."""

    @register_to_config
    def __init__(self, patch_size: int = 1, in_channels: int = 192, out_channels: int | None = None,
                 num_layers: int = 2, num_single_layers: int = 3, attention_head_dim: int = 32,
                 num_attention_heads: int = 6, joint_attention_dim: int = 128, pooled_projection_dim: int = 64,
                 guidance_embeds: bool = False, axes_dims_rope: tuple[int, int, int] = (8, 12, 12),
                 pixel_channels: int = 3, refiner_channels: int = 32):
        super().__init__(patch_size=patch_size, in_channels=in_channels, out_channels=out_channels,
                         num_layers=num_layers, num_single_layers=num_single_layers,
                         attention_head_dim=attention_head_dim, num_attention_heads=num_attention_heads,
                         joint_attention_dim=joint_attention_dim, pooled_projection_dim=pooled_projection_dim,
                         guidance_embeds=guidance_embeds, axes_dims_rope=axes_dims_rope)
        self.refiner = None
        if refiner_channels:
            c = refiner_channels
            self.refiner = torch.nn.Sequential(
                torch.nn.Conv2d(2 * pixel_channels + 1, c, 3, padding=1), torch.nn.SiLU(),
                torch.nn.Conv2d(c, c, 3, padding=1), torch.nn.SiLU(),
                torch.nn.Conv2d(c, pixel_channels, 3, padding=1))
            torch.nn.init.zeros_(self.refiner[-1].weight)  # starts as the identity on the transformer's output
            torch.nn.init.zeros_(self.refiner[-1].bias)

    def forward(self, hidden_states: torch.Tensor, *args, timestep: torch.Tensor = None, img_ids: torch.Tensor = None,
                return_dict: bool = True, **kwargs):
        clean = self.predict_clean(hidden_states, *args, timestep=timestep, img_ids=img_ids, **kwargs)
        sigma = timestep.to(hidden_states.dtype).clamp_min(MIN_SIGMA).reshape(-1, 1, 1)
        velocity = (hidden_states - clean) / sigma
        if not return_dict:
            return (velocity,)
        from diffusers.models.modeling_outputs import Transformer2DModelOutput

        return Transformer2DModelOutput(sample=velocity)

    def predict_clean(self, hidden_states: torch.Tensor, *args, timestep: torch.Tensor = None,
                      img_ids: torch.Tensor = None, **kwargs):
        kwargs.pop("return_dict", None)
        clean = super().forward(hidden_states, *args, timestep=timestep, img_ids=img_ids, return_dict=False, **kwargs)[0]
        if self.refiner is None:
            return clean
        rows, cols = int(img_ids[:, 1].max()) + 1, int(img_ids[:, 2].max()) + 1
        noisy, clean_pixels = (self._to_pixels(x, rows, cols) for x in (hidden_states, clean))
        sigma = timestep.to(clean.dtype).reshape(-1, 1, 1, 1).expand(-1, 1, *clean_pixels.shape[2:])
        refined = clean_pixels + self.refiner(torch.cat([clean_pixels, noisy, sigma], 1))
        return self._to_tokens(refined, rows, cols)

    def _factor(self) -> int:
        return math.isqrt(self.config.in_channels // 4 // self.config.pixel_channels)

    def _to_pixels(self, tokens: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
        """Packed tokens (B, rows * cols, C * 4) -> pixels (B, 3, H, W), undoing Flux's 2x2 packing."""
        b, _, d = tokens.shape
        c = d // 4
        latents = tokens.view(b, rows, cols, c, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(b, c, rows * 2, cols * 2)
        return F.pixel_shuffle(latents, self._factor())

    def _to_tokens(self, pixels: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
        latents = F.pixel_unshuffle(pixels, self._factor())
        b, c = latents.shape[:2]
        return latents.view(b, c, rows, 2, cols, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, rows * cols, c * 4)
