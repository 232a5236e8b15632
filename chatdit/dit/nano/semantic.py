"""Semantic alignment for nano training: the transformer's hidden states are asked what is where.

The flow-matching loss barely tells a star from a circle blob of the same color (a few pixels
differ), so a small transformer learns colors and places long before kinds. In the spirit of
REPA (Yu et al. 2024, "Representation Alignment for Generation"), a linear head reads the image
tokens after the dual-stream blocks and is trained to predict, from the noisy input and the
caption, which object kind and color each token of the clean picture shows (the renderer's
ground truth, as pixel shares per token). The head exists only in training: the exported
transformer is a plain FluxTransformer2DModel.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from chatdit.storybook import COLOR_NAMES, OBJECTS, Instance, instance_mask

N_KIND_CLASSES = len(OBJECTS) + 1  # 0: background
N_COLOR_CLASSES = len(COLOR_NAMES) + 1
TOKEN_PIXELS = 8  # one packed token of the nano VAE's latents covers 8x8 pixels


def label_maps(instances: list[Instance], size: int) -> np.ndarray:
    """(2, size, size) uint8: kind and color class of every pixel of a panel (0 where background),
    with later instances in front, exactly as `render_instances` paints them."""
    from PIL import Image

    kinds = Image.new("L", (size, size), 0)
    colors = Image.new("L", (size, size), 0)
    for inst in instances:
        mask = instance_mask(inst, size)
        kinds.paste(OBJECTS.index(inst.kind) + 1, (0, 0), mask)
        colors.paste(COLOR_NAMES.index(inst.color) + 1, (0, 0), mask)
    return np.stack([np.asarray(kinds), np.asarray(colors)])


def row_label_maps(truths: list[list[Instance]], panel: int) -> np.ndarray:
    """Label maps of a left-to-right row of panels (the ground truth `render_row` returns)."""
    return np.concatenate([label_maps(instances, panel) for instances in truths], axis=2)


def token_targets(labels, classes: int):
    """(B, H, W) class ids -> (B, tokens, classes) pixel shares per 8x8 token, in the row-major
    token order of FluxPipeline._pack_latents."""
    import torch

    b, h, w = labels.shape
    one_hot = torch.nn.functional.one_hot(labels.long(), classes).float()  # B, H, W, C
    blocks = one_hot.view(b, h // TOKEN_PIXELS, TOKEN_PIXELS, w // TOKEN_PIXELS, TOKEN_PIXELS, classes)
    return blocks.mean((2, 4)).reshape(b, -1, classes)


class SemanticHead:
    """Linear probes from image-token hidden states to kind and color shares (training only)."""

    def __init__(self, dim: int, device):
        import torch

        self.kind = torch.nn.Linear(dim, N_KIND_CLASSES).to(device)
        self.color = torch.nn.Linear(dim, N_COLOR_CLASSES).to(device)

    def parameters(self):
        return [*self.kind.parameters(), *self.color.parameters()]

    def state_dict(self) -> dict:
        return {"kind": self.kind.state_dict(), "color": self.color.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.kind.load_state_dict(state["kind"])
        self.color.load_state_dict(state["color"])

    def loss(self, hidden, labels):
        """Soft cross-entropy of both probes; hidden (B, tokens, dim), labels (B, 2, H, W)."""
        import torch

        total = 0.0
        for probe, channel, classes in ((self.kind, 0, N_KIND_CLASSES), (self.color, 1, N_COLOR_CLASSES)):
            target = token_targets(labels[:, channel], classes)
            log_p = torch.log_softmax(probe(hidden.float()), dim=-1)
            total = total - (target * log_p).sum(-1).mean()
        return total


@contextmanager
def image_hidden_states(transformer):
    """Collects the image-stream hidden states after the last dual-stream block of each call."""
    captured: list = []
    hook = transformer.transformer_blocks[-1].register_forward_hook(lambda _m, _a, out: captured.append(out[1]))
    try:
        yield captured
    finally:
        hook.remove()
