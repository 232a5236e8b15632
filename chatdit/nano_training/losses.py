"""The training losses: rectified flow matching for the transformer, weighted reconstruction for the VAE."""

from __future__ import annotations

from chatdit.nano_training.encoding import attention_kwargs, encode_batch_text
from chatdit.nano_training.precision import attention_kernel


def object_token_weights(regions, grid: tuple[int, int], extra: float):
    """[B, T] loss weights: 1 + extra on image tokens inside a sample's object boxes, 1 elsewhere
    (and everywhere in a sample drawn from its plain caption)."""
    import torch

    from chatdit.dit.regional import tokens_in_box

    weights = torch.ones(len(regions), grid[0] * grid[1])
    for row, layout_regions in enumerate(regions):
        for region in layout_regions or []:
            if not region.backdrop:
                for box in region.boxes:
                    weights[row, tokens_in_box(box, *grid)] = 1 + extra
    return weights


def flow_matching_loss(models: dict, tokenizers, x0, img_ids, captions: list[str], lengths: list[int], t, noise,
                       bf16: bool = False, head=None, labels=None, regions=None, dropped=None, box_rope: bool = False,
                       object_weight: float = 0.0, attention: str = "auto"):
    """(rectified-flow loss, semantic loss) of one batch of packed latents: one transformer call per
    text length, so each caption is padded to its own bucket as the hub pads it at inference.
    Samples with `regions` are drawn grounded (encode_batch_text); `dropped` marks the captions
    dropped for true CFG. With a SemanticHead and the batch's label maps, the second is its loss
    on the image tokens' hidden states (chatdit/nano_training/semantic.py); else 0. With `box_rope`, object
    phrases take their boxes' rotary positions (the transformer has use_box_rope's processor). With
    `object_weight`, image tokens inside a grounded sample's object boxes weigh 1 + object_weight.
    `attention` picks the attention kernel (attention_kernel)."""
    from contextlib import nullcontext

    import torch

    from chatdit.nano_training.semantic import image_hidden_states

    transformer, clip, t5 = models["transformer"], models["text_encoder"], models["text_encoder_2"]
    device = x0.device
    regions = regions or [None] * len(captions)
    dropped = dropped or [False] * len(captions)
    grid = (int(img_ids[:, 1].max()) + 1, int(img_ids[:, 2].max()) + 1)
    xt = (1 - t[:, None, None]) * x0 + t[:, None, None] * noise
    target = noise - x0
    loss = semantic = torch.zeros((), device=device)
    for length in sorted(set(lengths)):
        rows = torch.tensor([i for i, n in enumerate(lengths) if n == length], device=device)
        with (torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16), attention_kernel(device, attention),
              image_hidden_states(transformer) if head is not None else nullcontext() as hidden):
            picked = rows.tolist()
            pooled, text, mask, positions = encode_batch_text(clip, t5, tokenizers, [captions[i] for i in picked],
                                                              [regions[i] for i in picked], [dropped[i] for i in picked],
                                                              device, length, grid)
            pred = transformer(hidden_states=xt[rows], encoder_hidden_states=text, pooled_projections=pooled,
                               timestep=t[rows], img_ids=img_ids, txt_ids=torch.zeros(length, 3, device=device),
                               joint_attention_kwargs=attention_kwargs(transformer, mask, positions, box_rope),
                               return_dict=False)[0]
        error = (pred.float() - target[rows]) ** 2
        if object_weight:
            error = error * object_token_weights([regions[i] for i in picked], grid, object_weight).to(device)[:, :, None]
        loss = loss + error.sum() / target.numel()
        if head is not None:
            semantic = semantic + head.loss(hidden[-1], labels[rows.cpu()].to(device)) * len(rows) / x0.shape[0]
    return loss, semantic


def object_mask(x):
    """1 where a pixel is not a background color (sky or ground of any background), else 0.

    The renderer paints flat colors and every object color is far from every background color,
    so this is the scene's object silhouette, for single panels and rows alike."""
    import torch

    from chatdit.storybook import BACKGROUNDS

    palette = torch.tensor([c for pair in BACKGROUNDS.values() for c in pair], dtype=x.dtype, device=x.device)
    palette = palette / 127.5 - 1
    dist = (x[:, None] - palette[None, :, :, None, None]).abs().amax(2)  # B, colors, H, W
    return (dist.amin(1, keepdim=True) > 0.1).to(x.dtype)


def object_weights(x, extra: float):
    """Per-pixel loss weights: 1 on the background, 1 + extra on objects. Objects cover a few
    percent of a scene; unweighted, a VAE learns to blur them away."""
    return 1 + extra * object_mask(x)


def reconstruction_step(opt, recon, x, weights, extra=0.0):
    """One optimiser step on the weighted L1 + L2 reconstruction loss (+ `extra`, e.g. the KL)."""
    err = recon - x
    loss = (weights * (err.abs() + err ** 2)).mean() / weights.mean() + extra
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss


def ring_weights(x, extra: float):
    """Object weights with the 1-pixel ring around each object weighted too: points, rays and
    holes blur into the background next to them, which is where a decoder loses a kind."""
    import torch

    grown = torch.nn.functional.max_pool2d(object_mask(x), 3, stride=1, padding=1)
    return 1 + extra * grown
