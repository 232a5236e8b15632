"""Checks on what a person sends (the message, attached files), before any work starts, so bad
input costs nothing: sizes bounded before parsing, images decoded safely, videos probed."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from chatdit.errors import InputImageError, InstructionError

if TYPE_CHECKING:
    from chatdit.store import SessionStore

MAX_SIDE = 8192
MAX_PIXELS = 64_000_000
MAX_MESSAGE_CHARS = 20_000
"""About ten pages of text: far beyond any request, far below what could slow the parser."""
MAX_VIDEO_FRAMES = 2000
VIDEO_SUFFIXES = {".mp4", ".mov", ".webm", ".mkv", ".avi"}


def check_message(text: object) -> str:
    """The message as text chatdit can store: a str, valid Unicode, within MAX_MESSAGE_CHARS."""
    if not isinstance(text, str):
        raise InstructionError(f"a message is text, not {type(text).__name__}; pass a str")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InstructionError(f"the message is {len(text):,} characters; at most {MAX_MESSAGE_CHARS:,} are read: "
                               "shorten it, or send the book in parts")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InstructionError(f"the message has bytes that are not valid UTF-8 (at character {exc.start}); "
                               "retype it or save the text as UTF-8") from None
    if "\x00" in text:
        raise InstructionError("the message holds a NUL character; send plain text")
    return text


def is_video(path: str | Path) -> bool:
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def open_checked_image(path: str | Path):
    """The image at path, fully decoded, turned upright by its EXIF orientation (phone photos are
    stored sideways with a tag saying so) and converted to RGB, or an InputImageError saying why not."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    file = Path(path).expanduser()
    if not file.exists():
        raise InputImageError(f"no file at {file}; check the path (relative paths are from {Path.cwd()})")
    if not file.is_file():
        raise InputImageError(f"{file} is a folder, not an image file; attach a PNG, JPEG or WebP file")
    try:
        with Image.open(file) as image:
            width, height = image.size
            if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
                raise InputImageError(
                    f"{file} is {width}x{height}; images up to {MAX_SIDE} px per side and "
                    f"{MAX_PIXELS // 1_000_000} MP are accepted: resize it first"
                )
            image.load()
            return ImageOps.exif_transpose(image).convert("RGB")
    except UnidentifiedImageError:
        raise InputImageError(f"{file} is not an image Pillow can read; attach a PNG, JPEG or WebP file") from None
    except Image.DecompressionBombError:
        raise InputImageError(f"{file} is too large to open safely; resize it to at most {MAX_SIDE} px per side") from None
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error) as exc:
        # Pillow's own limits (a PNG text chunk over its bound is a ValueError) and broken headers
        raise InputImageError(f"{file} could not be read safely ({' '.join(str(exc).split())[:120]}); "
                              "it may be damaged, or built to exhaust memory: attach a plain PNG, JPEG or WebP") from None


def check_video(path: str | Path) -> Path:
    """The video at path, once ffmpeg has counted its frames and duration; a zero-byte file or a
    text file named .mp4 is refused here, not found out after the work."""
    import imageio_ffmpeg

    file = Path(path).expanduser()
    if not file.is_file():
        raise InputImageError(f"no video file at {file}; check the path")
    if file.stat().st_size == 0:
        raise InputImageError(f"{file} is empty (0 bytes); attach the video itself (MP4, MOV, WebM or GIF)")
    try:
        frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(file))
    except (RuntimeError, OSError, ValueError):
        raise InputImageError(f"{file} is not a video ffmpeg can read; attach an MP4, MOV, WebM or GIF") from None
    if frames < 2 or seconds <= 0:
        raise InputImageError(f"{file} is not a clip ({frames} frame(s), {seconds:.2f} s); attach a video of at least 2 frames")
    if frames > MAX_VIDEO_FRAMES:
        raise InputImageError(f"{file} has {frames} frames ({seconds:.0f} s); at most {MAX_VIDEO_FRAMES} are used: "
                              "cut it shorter first")
    return file


def store_uploads(store: SessionStore, images: Iterable[str | Path]) -> list[dict[str, str]]:
    """Check and copy attached files into the session before any turn starts."""
    from chatdit.schema import utc_now

    uploads = []
    for image in images:
        source = Path(image).expanduser()
        fields = {"tool": "upload", "prompt": f"attached {source.name}", "created_at": utc_now()}
        if is_video(source):
            asset = store.add_file(check_video(source), kind="video", **fields)
        else:
            asset = store.add_image(open_checked_image(source), {"source": str(source), "tool": "upload"}, **fields)
        uploads.append({"asset_id": asset.id, "path": str(source)})
    return uploads
