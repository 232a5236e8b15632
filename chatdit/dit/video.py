"""Video files in and out: frames as RGB arrays, the audio track kept, provenance written in.

Reading and writing go through the ffmpeg binary that the imageio-ffmpeg package ships, so MP4
(H.264 + AAC), MOV, WebM and MKV work with no system ffmpeg; GIF goes through Pillow. Every file
written here carries its provenance twice: inside the file (the MP4 `comment` tag, the GIF
comment block) and in a sidecar `<file>.provenance.json` manifest next to it.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatdit.errors import InputImageError

MAX_FRAMES = 2000
"""About 80 s at 25 fps; longer clips are refused before any work starts (face swap is slow)."""


@dataclass
class Clip:
    """Decoded frames (H x W x 3 uint8 RGB) with what is needed to write them back faithfully."""

    frames: list = field(default_factory=list)
    fps: float = 16.0
    source: Path | None = None
    has_audio: bool = False

    @property
    def size(self) -> tuple[int, int]:
        height, width = self.frames[0].shape[:2]
        return width, height


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def probe(path: Path) -> str:
    """ffmpeg's description of a file's streams (stderr of `ffmpeg -i`)."""
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    return result.stderr


def read_video(path: str | Path, max_frames: int = MAX_FRAMES) -> Clip:
    """All frames of a video or GIF, or an InputImageError that says what is wrong with the file."""
    import numpy as np

    file = Path(path).expanduser()
    if not file.is_file():
        raise InputImageError(f"no video file at {file}; check the path")
    if file.suffix.lower() == ".gif":
        return _read_gif(file, max_frames)
    import imageio_ffmpeg

    info = probe(file)
    if "Video:" not in info:
        raise InputImageError(f"{file} has no video stream ffmpeg can read; attach an MP4, MOV, WebM or GIF")
    try:
        reader = imageio_ffmpeg.read_frames(str(file))
        meta = next(reader)
        width, height = meta["size"]
        frames = []
        for raw in reader:
            frames.append(np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3).copy())
            if len(frames) > max_frames:
                reader.close()
                raise InputImageError(f"{file} has more than {max_frames} frames; cut it shorter first")
    except (RuntimeError, OSError) as exc:
        raise InputImageError(f"{file} could not be decoded ({exc}); it may be damaged") from exc
    if not frames:
        raise InputImageError(f"{file} has no frames")
    return Clip(frames=frames, fps=float(meta.get("fps") or 16.0), source=file, has_audio="Audio:" in info)


def _read_gif(file: Path, max_frames: int) -> Clip:
    import numpy as np
    from PIL import Image, ImageSequence

    with Image.open(file) as gif:
        durations, frames = [], []
        for frame in ImageSequence.Iterator(gif):
            frames.append(np.asarray(frame.convert("RGB")).copy())
            durations.append(frame.info.get("duration") or 100)
            if len(frames) > max_frames:
                raise InputImageError(f"{file} has more than {max_frames} frames; cut it shorter first")
    fps = 1000.0 / (sum(durations) / len(durations))
    return Clip(frames=frames, fps=fps, source=file, has_audio=False)


def write_video(frames: list, path: str | Path, fps: float, *, audio_from: Path | None = None,
                provenance: dict[str, Any] | None = None) -> Path:
    """Write frames (uint8 RGB arrays) as MP4 or GIF by the path's suffix, with the audio of
    `audio_from` (when it has some) and the provenance in the file and in a sidecar manifest."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    comment = json.dumps(provenance or {}, sort_keys=True, default=str)
    if target.suffix.lower() == ".gif":
        _write_gif(frames, target, fps, comment)
    else:
        _write_mp4(frames, target, fps, audio_from, comment)
    if provenance is not None:
        sidecar(target).write_text(json.dumps(provenance, indent=2, sort_keys=True, default=str))
    return target


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".provenance.json")


def _write_gif(frames: list, target: Path, fps: float, comment: str) -> None:
    from PIL import Image

    images = [Image.fromarray(frame) for frame in frames]
    images[0].save(target, save_all=True, append_images=images[1:], duration=round(1000 / fps), loop=0,
                   comment=comment.encode())


def _write_mp4(frames: list, target: Path, fps: float, audio_from: Path | None, comment: str) -> None:
    import imageio_ffmpeg

    height, width = frames[0].shape[:2]
    silent = target.with_name(f".{target.stem}.video{target.suffix}")
    writer = imageio_ffmpeg.write_frames(str(silent), (width, height), fps=fps, codec="libx264", quality=None,
                                         macro_block_size=2, ffmpeg_log_level="error",
                                         output_params=["-crf", "18", "-preset", "veryfast"])
    writer.send(None)
    for frame in frames:
        writer.send(frame.tobytes())
    writer.close()
    command = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(silent)]
    with_audio = audio_from is not None and "Audio:" in probe(audio_from)
    if with_audio:
        command += ["-i", str(audio_from), "-map", "0:v:0", "-map", "1:a:0?", "-c:a", "aac", "-t", f"{len(frames) / fps + 0.5 / fps:.4f}"]
    command += ["-c:v", "copy", "-metadata", f"comment={comment}", "-metadata", "encoder=chatdit",
                "-movflags", "+faststart+use_metadata_tags", str(target)]
    result = subprocess.run(command, capture_output=True, text=True)
    silent.unlink(missing_ok=True)
    if result.returncode != 0:
        raise OSError(f"ffmpeg could not write {target}: {result.stderr.strip()[-400:]}")


def read_provenance(path: str | Path) -> dict[str, Any]:
    """The provenance written into a video or GIF by write_video (empty when there is none)."""
    file = Path(path)
    if file.suffix.lower() == ".gif":
        from PIL import Image

        with Image.open(file) as gif:
            text = (gif.info.get("comment") or b"").decode(errors="replace")
    else:
        result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(file),
                                 "-f", "ffmetadata", "-"], capture_output=True, text=True)
        match = re.search(r"^comment=(.*)$", result.stdout, flags=re.MULTILINE)
        text = match.group(1).replace("\\=", "=").replace("\\;", ";").replace("\\#", "#").replace("\\\\", "\\") if match else ""
    try:
        return json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}
