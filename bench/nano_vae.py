"""The ceiling the nano model's VAE puts on it: the world detector on rendered ground truth, and on
the same pictures after a VAE encode/decode round trip.

    .venv/bin/python bench/nano_vae.py [--model PATH] [--n 100]

Whatever the transformer learns, a picture can only be as right as its decoded latents; if a
perfect latent decodes to a picture the detector reads wrongly, the VAE is the bottleneck.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEED = 20261125


def round_trip(vae, image):
    """The picture after encode (latent mode) and decode."""
    import numpy as np
    import torch
    from PIL import Image

    x = torch.from_numpy(np.asarray(image.convert("RGB"), np.float32) / 127.5 - 1).permute(2, 0, 1)[None]
    with torch.no_grad():
        decoded = vae.decode(vae.encode(x).latent_dist.mode()).sample
    return Image.fromarray(((decoded[0].permute(1, 2, 0).clamp(-1, 1) + 1) * 127.5).round().byte().numpy())


def main() -> None:
    from chatdit.dit.nano import nano_model_dir

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=nano_model_dir())
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()

    from diffusers import AutoencoderKL

    from chatdit.storybook import render_scene, sample_spec
    from chatdit.storybook.detector import check_spec

    vae = AutoencoderKL.from_pretrained(args.model, subfolder="vae").eval()
    rng = random.Random(SEED)
    truth, decoded = collections.defaultdict(list), collections.defaultdict(list)
    for index in range(args.n):
        spec = sample_spec(rng)
        image, _ = render_scene(spec, seed=index)
        for table, picture in ((truth, image), (decoded, round_trip(vae, image))):
            for result in check_spec(picture, spec):
                table[result.category].append(result.passed)
    print(f"world detector on {args.n} rendered scenes: ground truth vs after the VAE round trip ({args.model})")
    print(f"{'requirement':12s} {'n':>5s} {'rendered':>9s} {'VAE':>6s}")
    for category, passed in truth.items():
        print(f"{category:12s} {len(passed):5d} {sum(passed) / len(passed):9.2f} {sum(decoded[category]) / len(passed):6.2f}")


if __name__ == "__main__":
    main()
