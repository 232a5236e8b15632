"""Checks on files a person attaches, before any work starts, so bad input costs nothing."""

from __future__ import annotations

from pathlib import Path

from chatdit.errors import InputImageError

MAX_SIDE = 8192
MAX_PIXELS = 64_000_000
VIDEO_SUFFIXES = {".mp4", ".mov", ".webm", ".mkv", ".avi"}


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
    except UnidentifiedImageError as exc:
        raise InputImageError(f"{file} is not an image Pillow can read; attach a PNG, JPEG or WebP file") from exc
    except Image.DecompressionBombError as exc:
        raise InputImageError(f"{file} is too large to open safely; resize it to at most {MAX_SIDE} px per side") from exc
    except OSError as exc:
        raise InputImageError(f"{file} could not be read ({exc}); it may be truncated or damaged") from exc


def check_video(path: str | Path) -> Path:
    file = Path(path).expanduser()
    if not file.is_file():
        raise InputImageError(f"no video file at {file}; check the path")
    return file
