"""Face-swap video on the real WanVACEPipeline class with tiny random weights, on a short synthetic
clip of a drawn face (which the shipped BlazeFace detector finds), with a sine-tone audio track."""

import subprocess

import numpy as np
import pytest
from chatdit.tools.registry import ToolContext, run_tool
from PIL import Image

from chatdit.config import load_settings
from chatdit.errors import ConsentRequiredError, ToolArgumentError


def draw_face(width=160, height=128, cx=80, cy=64, scale=0.5, skin=(224, 172, 140), background=(160, 120, 90)):
    """A frontal cartoon face: hair, skin, eyes with irises, brows, nose, mouth (RGB)."""
    import cv2

    img = np.zeros((height, width, 3), np.uint8)
    img[:] = background
    s = scale
    cv2.ellipse(img, (cx, cy - int(18 * s)), (int(62 * s), int(70 * s)), 0, 180, 360, (25, 30, 40), -1)
    cv2.ellipse(img, (cx, cy), (int(52 * s), int(66 * s)), 0, 0, 360, skin, -1)
    for dx in (-22, 22):
        ex, ey = cx + int(dx * s), cy - int(12 * s)
        cv2.ellipse(img, (ex, ey), (int(11 * s), int(6 * s)), 0, 0, 360, (240, 240, 240), -1)
        cv2.circle(img, (ex, ey), max(1, int(5 * s)), (30, 40, 60), -1)
        cv2.line(img, (ex - int(12 * s), ey - int(13 * s)), (ex + int(12 * s), ey - int(15 * s)), (30, 35, 50), max(1, int(3 * s)))
    cv2.line(img, (cx, cy - int(6 * s)), (cx - int(5 * s), cy + int(16 * s)), (90, 100, 140), max(1, int(2 * s)))
    cv2.ellipse(img, (cx, cy + int(34 * s)), (int(18 * s), int(6 * s)), 0, 0, 360, (170, 60, 80), -1)
    return cv2.GaussianBlur(img, (3, 3), 0)


@pytest.fixture(scope="module")
def clip_path(tmp_path_factory):
    """13 frames at 8 fps of a face drifting right, with 2 s of 440 Hz tone."""
    from chatdit.dit.video import ffmpeg_exe, write_video

    folder = tmp_path_factory.mktemp("clip")
    frames = [draw_face(cx=64 + 2 * i) for i in range(13)]
    silent = write_video(frames, folder / "silent.mp4", fps=8)
    tone = folder / "tone.m4a"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                    "-c:a", "aac", str(tone)], check=True)
    clip = folder / "clip.mp4"
    subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(silent), "-i", str(tone), "-map", "0:v",
                    "-map", "1:a", "-c", "copy", "-shortest", str(clip)], check=True)
    return clip


@pytest.fixture
def ctx(hub, tmp_path):
    session = tmp_path / "session"
    (session / "work").mkdir(parents=True)
    face = Image.fromarray(draw_face(width=128, height=128, cx=64, cy=64, scale=0.8, skin=(150, 100, 70)))
    return ToolContext(hub=hub, load_image=lambda asset_id: {"face1": face}[asset_id], workdir=session / "work")


def test_the_shipped_detector_finds_the_drawn_face_and_not_a_blank_frame():
    from chatdit.vision.faces import detect_faces

    [face] = detect_faces(draw_face(cx=100, cy=70))
    x0, y0, x1, y1 = face.box
    assert x0 < 100 < x1 and y0 < 70 < y1 and face.score > 0.6
    assert detect_faces(np.full((128, 160, 3), 120, np.uint8)) == []


def test_chunks_are_4k_plus_1_frames_and_overlap():
    from chatdit.tools.faceswap import chunk_spans, padded_length

    assert chunk_spans(13, 9, 4) == [(0, 9), (5, 13)]
    assert chunk_spans(200, 81, 8) == [(0, 81), (73, 154), (146, 200)]
    assert padded_length(8) == 9 and padded_length(9) == 9
    with pytest.raises(ToolArgumentError, match="4k\\+1"):
        chunk_spans(20, 8, 2)


def test_face_swap_without_consent_is_refused_before_any_work(ctx, clip_path):
    with pytest.raises(ConsentRequiredError, match="consent"):
        run_tool("faceswap", {"video": str(clip_path), "faces": [{"image": "face1"}]}, ctx)
    assert list(ctx.workdir.iterdir()) == []


def test_face_swap_writes_a_watermarked_mp4_with_audio_and_provenance_in_the_session(ctx, clip_path):
    from chatdit.dit.video import probe, read_provenance, read_video, sidecar

    seen = []
    ctx.progress = lambda done, total: seen.append((done, total))
    args = {"video": str(clip_path), "faces": [{"image": "face1", "consent": True}], "chunk_frames": 9,
            "overlap": 4, "steps": 2, "seed": 3}
    [out] = run_tool("faceswap", args, ctx)
    assert out.kind == "video" and out.file.parent == ctx.workdir and out.file.suffix == ".mp4"
    assert seen[-1] == (4, 4)  # 2 chunks x 2 steps
    result = read_video(out.file)
    source = read_video(clip_path)
    assert len(result.frames) == 13 and result.size == (160, 128) and result.fps == 8
    assert "Audio:" in probe(out.file)
    provenance = read_provenance(out.file)
    assert provenance["tool"] == "faceswap" and provenance["chunks"] == 2 and provenance["watermark"] == "visible"
    assert [i["role"] for i in provenance["inputs"]] == ["source_video", "face"]
    assert sidecar(out.file).is_file()
    diff = np.abs(result.frames[6].astype(float) - source.frames[6].astype(float)).mean(axis=2)
    assert diff[40:90, 50:110].mean() > 3 * diff[:30, :30].mean()  # the face changed, the top-left corner did not
    assert diff[110:, 100:].mean() > 10  # the visible label sits in the bottom-right corner


def test_face_swap_writes_a_gif_where_the_person_names_a_path(ctx, clip_path, tmp_path):
    from chatdit.dit.video import read_provenance, read_video
    from chatdit.dit.watermark import detect_invisible

    ctx.hub.settings.watermark = "invisible"
    try:
        target = tmp_path / "mine" / "swap.gif"
        [out] = run_tool("faceswap", {"video": str(clip_path), "faces": [{"image": "face1", "consent": True}],
                                      "chunk_frames": 13, "steps": 1, "output": str(target)}, ctx)
    finally:
        ctx.hub.settings.watermark = "visible"
    assert out.file == target and out.kind == "gif"
    assert len(read_video(target).frames) == 13
    assert read_provenance(target)["watermark"] == "invisible"
    assert detect_invisible(read_video(target).frames) > 4


def test_a_clip_without_a_face_gets_an_actionable_error(ctx, tmp_path):
    from chatdit.dit.video import write_video

    blank = write_video([np.full((64, 64, 3), 90, np.uint8)] * 5, tmp_path / "blank.mp4", fps=8)
    with pytest.raises(ToolArgumentError, match="no frame of the video shows a face"):
        run_tool("faceswap", {"video": str(blank), "faces": [{"image": "face1", "consent": True}]}, ctx)


def test_without_the_video_model_on_a_cpu_the_error_says_what_is_needed_at_once(tmp_path):
    import time

    from diffusers import WanVACEPipeline  # noqa: F401  (imported first: the timing is of the failure alone)

    from chatdit.dit.hub import ModelHub
    from chatdit.dit.video_models import video_pipeline
    from chatdit.errors import ModelUnavailableError

    hub = ModelHub(load_settings(model="nano", device="cpu"))  # the default Wan id, not downloaded here
    started = time.perf_counter()
    with pytest.raises(ModelUnavailableError, match="GPU"):
        video_pipeline(hub)
    assert time.perf_counter() - started < 5  # no download retries
