"""Marks on generated video frames, so a face-swapped clip can be told from a real one.

- visible: a small "AI-generated" label in the bottom-right corner of every frame;
- invisible: a keyed +-3-level checkerboard of 8x8-pixel blocks added to the brightness; it
  survives H.264 at chatdit's quality and is found again by correlation (`detect_invisible`).
  It is a tell for honest tools, not tamper-proof: re-encoding at low quality or cropping
  removes it, which is why the visible mark is the default and provenance travels as well.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["visible", "invisible", "both"]
LABEL = "AI-generated"
KEY = 0xC4A7D17
BLOCK = 8
STRENGTH = 3.0
DETECT_THRESHOLD = 4.0
"""z-score above which a clip carries the invisible mark (unmarked clips stay near 0)."""


def _pattern(height: int, width: int, key: int = KEY):
    import numpy as np

    rng = np.random.default_rng(key)
    blocks = rng.choice([-1.0, 1.0], size=(height // BLOCK + 1, width // BLOCK + 1)).astype(np.float32)
    return np.kron(blocks, np.ones((BLOCK, BLOCK), np.float32))[:height, :width]


def mark_frames(frames: list, kind: Kind) -> list:
    """The frames (uint8 RGB arrays) with the chosen mark(s)."""
    if kind in ("invisible", "both"):
        frames = add_invisible(frames)
    if kind in ("visible", "both"):
        frames = [add_label(frame) for frame in frames]
    return frames


def add_label(frame):
    """The visible label, about 3 % of the frame's height, on a darkened box."""
    import cv2

    out = frame.copy()
    height, width = out.shape[:2]
    scale = max(0.25, height / 600)
    thickness = max(1, round(scale * 1.5))
    (text_w, text_h), base = cv2.getTextSize(LABEL, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    pad = max(2, text_h // 3)
    x0, y0 = max(0, width - text_w - 3 * pad), max(0, height - text_h - base - 3 * pad)
    region = out[y0:height - pad, x0:width - pad]
    region[:] = (region * 0.45).astype(out.dtype)
    cv2.putText(out, LABEL, (x0 + pad, height - base - 2 * pad), cv2.FONT_HERSHEY_SIMPLEX, scale,
                (255, 255, 255), thickness, cv2.LINE_AA)
    return out


def add_invisible(frames: list, key: int = KEY) -> list:
    import numpy as np

    height, width = frames[0].shape[:2]
    delta = (_pattern(height, width, key) * STRENGTH)[..., None]
    return [np.clip(frame.astype(np.float32) + delta, 0, 255).astype(np.uint8) for frame in frames]


def detect_invisible(frames: list, key: int = KEY) -> float:
    """z-score of the keyed pattern in the frames' fine detail: above DETECT_THRESHOLD means marked."""
    import cv2
    import numpy as np

    height, width = frames[0].shape[:2]
    pattern = _pattern(height, width, key)
    detail = np.zeros((height, width), np.float32)
    for frame in frames:
        luma = frame.astype(np.float32).mean(axis=2)
        detail += luma - cv2.blur(luma, (2 * BLOCK + 1, 2 * BLOCK + 1))
    detail /= len(frames)
    scores = [float((detail * _pattern(height, width, other)).mean()) for other in range(key + 1, key + 33)]
    mean, spread = float(np.mean(scores)), float(np.std(scores)) or 1e-6
    return (float((detail * pattern).mean()) - mean) / spread
