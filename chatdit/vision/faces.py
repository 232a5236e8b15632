"""Offline face finding: MediaPipe's BlazeFace (short range) run by OpenCV's DNN module.

OpenCV 5 no longer ships Haar cascades, and mediapipe pins old numpy, so the 229 KB BlazeFace
model is shipped in chatdit/vision/models (Apache 2.0, see NOTICE.md) and read with
`cv2.dnn.readNetFromTFLite`. It finds frontal faces of roughly 5-50 % of the picture's width.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL = Path(__file__).parent / "models" / "face_detection_short_range.tflite"
INPUT = 128
STRIDES = ((8, 2), (16, 6))
"""BlazeFace short-range anchors: a 16x16 grid with 2 anchors per cell, an 8x8 grid with 6."""
_lock = threading.Lock()


@dataclass(frozen=True)
class Face:
    """A face as a pixel box (x0, y0, x1, y1) in the analysed picture, with the detector's score."""

    box: tuple[float, float, float, float]
    score: float

    @property
    def area(self) -> float:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


@lru_cache(maxsize=1)
def _net():
    import cv2

    return cv2.dnn.readNetFromTFLite(str(MODEL))


@lru_cache(maxsize=1)
def _anchors():
    import numpy as np

    centres = []
    for stride, per_cell in STRIDES:
        cells = INPUT // stride
        for y in range(cells):
            for x in range(cells):
                centres += [((x + 0.5) / cells, (y + 0.5) / cells)] * per_cell
    return np.array(centres, dtype=np.float32)


def _square_input(image):
    """The picture padded to a square (BlazeFace was trained on undistorted faces) and its side."""
    import numpy as np

    height, width = image.shape[:2]
    side = max(height, width)
    padded = np.zeros((side, side, 3), dtype=np.uint8)
    padded[:height, :width] = image[..., :3]
    return padded, side


def detect_faces(image, min_score: float = 0.6, max_faces: int = 8) -> list[Face]:
    """Faces in an RGB picture (numpy H x W x 3 or PIL), best first, boxes in its pixels."""
    import cv2
    import numpy as np

    pixels = np.asarray(image.convert("RGB") if hasattr(image, "convert") else image)
    padded, side = _square_input(pixels)
    blob = (cv2.resize(padded, (INPUT, INPUT), interpolation=cv2.INTER_AREA).astype(np.float32) / 127.5 - 1.0)
    blob = blob.transpose(2, 0, 1)[None]
    with _lock:  # one cv2.dnn.Net is not safe to call from two threads at once
        net = _net()
        net.setInput(blob)
        logits = net.forward("classificators")[0, :, 0]
        net.setInput(blob)
        boxes = net.forward("regressors")[0, :, :4]
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits, -80, 80)))
    anchors = _anchors()
    centres = boxes[:, :2] / INPUT + anchors
    sizes = boxes[:, 2:4] / INPUT
    corners = np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1) * side
    keep = np.argsort(-scores)
    keep = keep[scores[keep] >= min_score]
    faces: list[Face] = []
    for index in keep:
        box = corners[index]
        if any(_iou(box, face.box) > 0.3 for face in faces):
            continue
        x0, y0 = max(0.0, float(box[0])), max(0.0, float(box[1]))
        x1, y1 = min(float(pixels.shape[1]), float(box[2])), min(float(pixels.shape[0]), float(box[3]))
        if x1 > x0 and y1 > y0:
            faces.append(Face(box=(x0, y0, x1, y1), score=float(scores[index])))
        if len(faces) == max_faces:
            break
    return faces


def _iou(a, b) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def count_faces(image, min_score: float = 0.6) -> int:
    """How many faces a picture shows (the critic's check for people subjects)."""
    return len(detect_faces(image, min_score=min_score))
