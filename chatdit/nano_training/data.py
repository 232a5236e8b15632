"""Batches rendered from the storybook world on the fly, and the replay that reuses encoded ones."""

from __future__ import annotations

import random

# Share of transformer steps on single panels, the rest split evenly over 2-, 3-, 4-panel rows: single
# pictures are the rows that miss the targets (rows draw fewer, simpler objects).
SINGLE_SHARE = 0.7


class RenderedBatches:
    """Endless batches of (uint8 images, uint8 kind/color label maps or None, captions, regions)
    rendered from the world; one panel count each. Label maps are drawn only for the semantic
    loss; regions (each group's phrase and boxes, chatdit/dit/nano/grounding.py) for grounding."""

    def __init__(self, seed: int, batch: int, vae_only: bool = False, labels: bool = False, per_object: bool = False,
                 vae_rows: float = 0.0, single_share: float = SINGLE_SHARE, kind_weights: dict[str, float] | None = None):
        self.seed, self.batch, self.vae_only, self.labels, self.per_object = seed, batch, vae_only, labels, per_object
        self.kind_weights = kind_weights
        self.vae_rows = vae_rows  # with vae_only: the share of 2-panel rows
        self.panel_weights = (single_share, *[(1 - single_share) / 3] * 3)  # without vae_only: 1, 2, 3, 4 panels

    def batches(self, worker: int = 0):
        import numpy as np
        import torch

        from chatdit.dit.captions import joint_caption
        from chatdit.dit.nano.grounding import each_object, scene_regions
        from chatdit.nano_training.semantic import row_label_maps
        from chatdit.storybook import PANEL_SIZE, caption, render_row, sample_row, sample_spec

        rng = random.Random(self.seed * 100003 + worker)
        while True:
            if self.vae_only:
                # no draw at all without rows, so a --vae-rows 0 run renders what runs before v14 rendered
                n = 2 if self.vae_rows and rng.random() < self.vae_rows else 1
            else:
                n = rng.choices((1, 2, 3, 4), self.panel_weights)[0]
            size = self.batch if n == 1 else max(2, self.batch // n)
            images, labels, captions, regions = [], [], [], []
            while len(images) < size:
                specs = ([sample_spec(rng, kind_weights=self.kind_weights)] if n == 1
                         else sample_row(rng, n, kind_weights=self.kind_weights))
                try:
                    canvas, truths = render_row(specs, seed=rng.randrange(1 << 30))
                except ValueError:  # a sampled scene that the layout cannot fit: draw another
                    continue
                images.append(np.asarray(canvas))
                if self.labels:
                    labels.append(row_label_maps(truths, PANEL_SIZE))
                captions.append(joint_caption([caption(s, rng) for s in specs]))
                layout_regions = scene_regions(specs, truths, PANEL_SIZE)
                regions.append(each_object(layout_regions) if self.per_object else layout_regions)
            yield (torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous(),
                   torch.from_numpy(np.stack(labels)) if self.labels else None, captions, regions)


def make_loader(seed: int, batch: int, workers: int, vae_only: bool = False, labels: bool = False,
                per_object: bool = False, vae_rows: float = 0.0, single_share: float = SINGLE_SHARE,
                kind_weights: dict[str, float] | None = None):
    """An iterator of batches; with workers, rendering runs in other processes."""
    import torch

    source = RenderedBatches(seed, batch, vae_only, labels, per_object, vae_rows, single_share, kind_weights)
    if workers <= 0:
        return source.batches()

    class _Stream(torch.utils.data.IterableDataset):
        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            return source.batches(worker=info.id + 1 if info else 0)

    return iter(torch.utils.data.DataLoader(_Stream(), batch_size=None, num_workers=workers, prefetch_factor=4,
                                            persistent_workers=True))


class LatentReplay:
    """Encoded batches, each drawn `reuse` times on average in random order: (*encode(images),
    *the rest of the batch).

    Rendering and VAE-encoding a batch take CPU time the transformer could use; training on each
    encoded batch several times (each time with new noise and timesteps) spends it on the
    transformer instead. Seeded, so a run with --steps stays reproducible.
    """

    def __init__(self, loader, encode, reuse: float, seed: int, capacity: int = 4000):
        self.loader, self.encode, self.reuse, self.capacity = loader, encode, max(1.0, reuse), capacity
        self.rng = random.Random(seed)
        self.pool: list[tuple] = []

    def __next__(self):
        if not self.pool or self.rng.random() < 1.0 / self.reuse:
            images, *rest = next(self.loader)
            self.pool.append((*self.encode(images), *rest))
            if len(self.pool) > self.capacity:
                self.pool.pop(self.rng.randrange(len(self.pool)))
            return self.pool[-1]
        return self.rng.choice(self.pool)
