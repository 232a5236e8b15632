"""Face-swap video: a reference face into a source clip, in the spirit of DreamID-V on Wan2.1.

Per frame an offline detector (BlazeFace, chatdit/vision/faces.py) finds the face; its region is
masked and WanVACEPipeline redraws it from the reference picture while the rest of the frame is
given as known. Long clips go in chunks of 4k+1 frames; each chunk after the first starts with the
last `overlap` frames already made (given as known, mask black), so motion and identity carry on,
and the overlap is cross-faded. Only the masked region is pasted back into the original frames, so
everything else stays as it was; the original audio is kept.

Safety: every reference face needs its `consent` flag (ConsentRequiredError otherwise), every
output carries a watermark (settings.watermark: visible by default) and provenance (in the file
and in a sidecar manifest: tool, model, inputs' hashes, time, consent), and files are written
inside the session's work folder unless the person names another path.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from chatdit.tools.registry import ToolContext, ToolOutput, register
from pydantic import BaseModel, ConfigDict, Field

from chatdit.errors import ConsentRequiredError, ToolArgumentError, TurnCancelled
from chatdit.files import sha256_file

DEFAULT_PROMPT = "a person's face, the same identity as the reference picture, natural skin and lighting"
FACE_MARGIN = (1.25, 1.4)
"""The mask is the detected box grown this much (width, height): hairline and jaw go with the face."""


class SourceFace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image: str = Field(description="asset id (or path) of a picture of the face to put into the video")
    consent: bool = Field(default=False, description="the person shown agreed to this use of their face")
    consent_by: str | None = Field(default=None, description="who affirmed the consent and how, for provenance")


class FaceSwapArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    video: str = Field(description="asset id (or path) of the source video or GIF")
    faces: list[SourceFace] = Field(min_length=1, max_length=3,
                                    description="face i replaces the i-th face from the left (one face: the largest)")
    prompt: str = Field(default="", description="what the new face looks like, beyond the reference")
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    steps: int | None = Field(default=None, ge=1, le=200)
    chunk_frames: int | None = Field(default=None, ge=5, le=161, description="frames per model call, 4k+1")
    overlap: int | None = Field(default=None, ge=1, le=40,
                                description="frames shared by consecutive chunks; None = 8, or half a short chunk")
    format: Literal["mp4", "gif"] | None = Field(default=None, description="output format; None = the source's")
    output: str | None = Field(default=None, description="a path the person named; else the session folder")


def chunk_spans(frames: int, chunk: int, overlap: int) -> list[tuple[int, int]]:
    """[start, end) of each chunk: at most `chunk` frames, consecutive chunks sharing `overlap`."""
    if chunk % 4 != 1:
        raise ToolArgumentError(f"chunk_frames must be 4k+1 (5, 9, ..., 81), not {chunk}")
    if frames > chunk and overlap >= chunk - 1:
        raise ToolArgumentError(f"overlap {overlap} must be smaller than chunk_frames - 1 ({chunk - 1})")
    spans, start = [], 0
    while True:
        end = min(frames, start + chunk)
        spans.append((start, end))
        if end == frames:
            return spans
        start = end - overlap


def padded_length(frames: int) -> int:
    """Wan generates 4k+1 frames: the next such count."""
    return frames + (-(frames - 1)) % 4


def working_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The model's resolution for a clip: long side at most max_side, both sides multiples of 16."""
    scale = min(1.0, max_side / max(width, height))
    return max(16, int(width * scale) // 16 * 16), max(16, int(height * scale) // 16 * 16)


def face_tracks(frames: list, count: int) -> list[list[tuple[float, float, float, float]]]:
    """Per frame, `count` face boxes ordered left to right; frames where the detector missed take the
    nearest frame's boxes. ToolArgumentError when the clip never shows that many faces."""
    from chatdit.vision.faces import detect_faces

    found: list[list | None] = []
    for frame in frames:
        faces = sorted(detect_faces(frame), key=lambda f: -f.area)[:count]
        found.append(sorted((f.box for f in faces), key=lambda b: b[0] + b[2]) if len(faces) == count else None)
    hits = [i for i, boxes in enumerate(found) if boxes is not None]
    if not hits:
        what = "a face" if count == 1 else f"{count} faces at once"
        raise ToolArgumentError(f"no frame of the video shows {what} the detector can find (frontal, at least "
                                "about 5% of the frame wide); use a clip where the face is clearly visible")
    return [found[i] if found[i] is not None else found[min(hits, key=lambda h: abs(h - i))] for i in range(len(frames))]


def face_mask(box, width: int, height: int, scale_x: float = 1.0, scale_y: float = 1.0, feather: int = 0):
    """A float mask (1 = redraw) of the grown face ellipse, in a width x height frame."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = (box[0] * scale_x, box[1] * scale_y, box[2] * scale_x, box[3] * scale_y)
    centre = (int((x0 + x1) / 2), int((y0 + y1) / 2 - (y1 - y0) * 0.05))
    axes = (max(1, int((x1 - x0) * FACE_MARGIN[0] / 2)), max(1, int((y1 - y0) * FACE_MARGIN[1] / 2)))
    mask = np.zeros((height, width), np.float32)
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 1.0, -1)
    if feather:
        mask = cv2.GaussianBlur(mask, (2 * feather + 1, 2 * feather + 1), 0)
    return mask


def crop_face(image):
    """The reference picture cropped to its face with room around it (the whole picture if none is found)."""
    from chatdit.vision.faces import detect_faces

    faces = detect_faces(image)
    if not faces:
        return image
    x0, y0, x1, y1 = faces[0].box
    grow = max(x1 - x0, y1 - y0) * 0.6
    return image.crop((int(max(0, x0 - grow)), int(max(0, y0 - grow)),
                       int(min(image.width, x1 + grow)), int(min(image.height, y1 + grow))))


def _video_path(ref: str, ctx: ToolContext) -> Path:
    """A session asset id (the file in <session>/assets) or a path the person gave."""
    assets = ctx.workdir.parent / "assets"
    matches = sorted(assets.glob(f"{ref}.*")) if assets.is_dir() and "/" not in ref else []
    if matches:
        return matches[0]
    path = Path(ref).expanduser()
    if path.is_file():
        return path
    raise ToolArgumentError(f"no video {ref!r} in this session; attach the clip (MP4, MOV, WebM or GIF) with the message")


def _face_image(ref: str, ctx: ToolContext):
    try:
        return ctx.load_image(ref)
    except (KeyError, ToolArgumentError):
        path = Path(ref).expanduser()
        if path.is_file():
            from chatdit.inputs import open_checked_image

            return open_checked_image(path)
        raise ToolArgumentError(f"no face picture {ref!r} in this session; attach a photo of the face") from None


def _output_path(args: FaceSwapArgs, ctx: ToolContext, source: Path, digest: str) -> Path:
    suffix = "." + (args.format or ("gif" if source.suffix.lower() == ".gif" else "mp4"))
    if args.output is None:
        return ctx.workdir / f"faceswap-{digest[:12]}{suffix}"
    named = Path(args.output).expanduser()
    if not named.is_absolute():
        named = ctx.workdir.parent / "exports" / named
    return named if named.suffix.lower() in (".mp4", ".gif") else named.with_suffix(suffix)


def check_consent(faces: list[SourceFace]) -> None:
    missing = [str(i + 1) for i, face in enumerate(faces) if not face.consent]
    if missing:
        which = "the face" if len(faces) == 1 else f"face{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        raise ConsentRequiredError(
            f"face swap needs the consent of every person whose face is used, and {which} has none. "
            "If they agreed, say so ('I have their consent' in the message, or consent=True per face in the API); "
            "nothing was generated")


@register("faceswap", FaceSwapArgs)
def faceswap(args: FaceSwapArgs, ctx: ToolContext) -> list[ToolOutput]:
    """Put a consenting person's face into a video (WanVACE), watermarked, audio and provenance kept."""
    import numpy as np
    from PIL import Image

    from chatdit.dit.video import read_video, write_video
    from chatdit.dit.video_models import video_info, video_pipeline
    from chatdit.dit.watermark import mark_frames

    check_consent(args.faces)
    info = video_info(ctx.hub)
    chunk = args.chunk_frames or info.chunk_frames
    source = _video_path(args.video, ctx)
    clip = read_video(source)
    overlap = args.overlap or min(8, (chunk - 1) // 2)
    spans = chunk_spans(len(clip.frames), chunk, overlap)
    references = [crop_face(_face_image(face.image, ctx)) for face in args.faces]
    tracks = face_tracks(clip.frames, len(args.faces))
    width, height = clip.size
    work_w, work_h = working_size(width, height, info.max_side)
    sx, sy = work_w / width, work_h / height
    small = [np.asarray(Image.fromarray(f).resize((work_w, work_h), Image.BICUBIC)) for f in clip.frames]
    steps = args.steps or info.steps
    pipe = video_pipeline(ctx.hub)
    total = steps * len(spans) * len(args.faces)
    done = [0]

    def step_progress(_done: int, _total: int) -> None:
        done[0] += 1
        ctx.progress(done[0], total)

    for person, reference in enumerate(references):  # one pass per face: its mask, its reference
        small = _redraw_face(small, spans, tracks, person, reference, pipe, ctx, args, info, steps, step_progress,
                             (work_w, work_h, sx, sy))
    watermark = ctx.hub.settings.watermark
    frames = mark_frames(_paste_faces(clip, tracks, small), watermark)
    provenance, digest = _provenance(args, ctx, source, info, watermark, steps, len(frames), len(spans))
    target = _output_path(args, ctx, source, digest)
    write_video(frames, target, clip.fps, audio_from=source if clip.has_audio else None, provenance=provenance)
    kind = "gif" if target.suffix.lower() == ".gif" else "video"
    meta = {key: provenance[key] for key in ("inputs", "watermark", "chunks", "frames", "created")}
    meta["file"] = str(target)
    return [ToolOutput(file=target, kind=kind, prompt=args.prompt or DEFAULT_PROMPT, seed=args.seed, steps=steps,
                       parents=[ref for ref in (args.video, *(f.image for f in args.faces)) if _is_asset_id(ref)], meta=meta)]


def _redraw_face(small: list, spans: list, tracks: list, person: int, reference, pipe, ctx: ToolContext,
                 args: FaceSwapArgs, info, steps: int, step_progress, work: tuple[int, int, float, float]) -> list:
    """One person's face redrawn through the clip, chunk by chunk; the frames two chunks share are
    cross-faded so the seam does not show."""
    import numpy as np
    from PIL import Image

    work_w, work_h, sx, sy = work
    made: list = []
    for start, end in spans:
        if ctx.cancel.is_set():
            raise TurnCancelled("cancelled; the session is as it was before this message")
        keep = len(made) - start  # frames at the start of this chunk already made by the last one
        video = [made[i] if i < len(made) else small[i] for i in range(start, end)]
        masks = [np.zeros((work_h, work_w), np.float32) if i < len(made) else
                 face_mask(tracks[i][person], work_w, work_h, sx, sy) for i in range(start, end)]
        length = padded_length(len(video))
        video += [video[-1]] * (length - len(video))
        masks += [masks[-1]] * (length - len(masks))
        kwargs = ctx.hub.call_kwargs(
            pipe, width=work_w, height=work_h, seed=args.seed + start, steps=steps, progress=step_progress,
            cancel=ctx.cancel, video=[Image.fromarray(v) for v in video],
            mask=[Image.fromarray((m * 255).astype(np.uint8)) for m in masks], reference_images=[reference],
            num_frames=length, guidance_scale=info.guidance_scale, max_sequence_length=info.max_sequence_length,
            output_type="np")
        out = pipe(args.prompt or DEFAULT_PROMPT, **kwargs).frames[0][: end - start]
        out = [(np.clip(f, 0, 1) * 255).round().astype(np.uint8) for f in out]
        for offset in range(max(0, keep)):  # cross-fade the shared frames
            weight = (offset + 1) / (keep + 1)
            made[start + offset] = (made[start + offset] * (1 - weight) + out[offset] * weight).astype(np.uint8)
        made += out[max(0, keep):]
    return made


def _paste_faces(clip, tracks: list, small: list) -> list:
    """The drawn face regions pasted back into the full-size frames, feathered; the rest untouched."""
    import numpy as np
    from PIL import Image

    width, height = clip.size
    frames = []
    for index, frame in enumerate(clip.frames):
        mask = np.zeros((height, width), np.float32)
        for box in tracks[index]:
            mask = np.maximum(mask, face_mask(box, width, height, feather=max(2, width // 100)))
        new = np.asarray(Image.fromarray(small[index]).resize((width, height), Image.BICUBIC), np.float32)
        frames.append((frame * (1 - mask[..., None]) + new * mask[..., None]).round().astype(np.uint8))
    return frames


def _provenance(args: FaceSwapArgs, ctx: ToolContext, source: Path, info, watermark: str, steps: int, frames: int,
                chunks: int) -> tuple[dict, str]:
    """(provenance, digest): what went in (hashes, consent and who gave it) and how it was made."""
    face_hashes = [hashlib.sha256(_face_image(f.image, ctx).tobytes()).hexdigest() for f in args.faces]
    video_hash = sha256_file(source)
    provenance = {
        "claim_generator": "chatdit", "tool": "faceswap", "model": info.name,
        "random_weights": info.random_weights,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "inputs": [{"role": "source_video", "sha256": video_hash}] +
                  [{"role": "face", "sha256": h, "consent": True, "consent_by": f.consent_by or "consent=True in the tool call"}
                   for h, f in zip(face_hashes, args.faces, strict=True)],
        "watermark": watermark, "seed": args.seed, "steps": steps, "frames": frames, "chunks": chunks,
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
            "action": "c2pa.edited", "softwareAgent": "chatdit faceswap",
            "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
            "description": "face replaced by a diffusion model from a reference picture, with consent"}]}}],
    }
    digest = hashlib.sha256(f"{video_hash}{face_hashes}{args.seed}{steps}".encode()).hexdigest()
    return provenance, digest


def _is_asset_id(ref: str) -> bool:
    return len(ref) == 16 and all(c in "0123456789abcdef" for c in ref)
