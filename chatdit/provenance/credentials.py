"""C2PA content credentials: a signed manifest inside every picture, video and book chatdit writes.

The manifest says the pixels were made by a generative model (`c2pa.created` with IPTC's
`trainedAlgorithmicMedia`, or `compositeWithTrainedAlgorithmicMedia` for a face swap), by which
model and tool, from which inputs (their SHA-256), and for face swaps the consent recorded for
every face. It is signed with the chatdit home's key (`chatdit.provenance.keys`) by the
`c2pa-python` library, so any C2PA reader can check it; thumbnails are left out (they cost
~150 ms a picture and are larger than nano's pictures themselves).
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from chatdit.provenance.keys import KEY_FILE, SigningKeys, load_keys

log = logging.getLogger(__name__)

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
        ".mp4": "video/mp4", ".mov": "video/quicktime", ".webp": "image/webp", ".pdf": "application/pdf"}
GENERATION_LABEL = "org.chatdit.generation"
"""Our own assertion: the generation's parameters, which C2PA's standard assertions have no field for."""
COMPOSITES = {"faceswap": "a face replaced by a diffusion model from a reference picture, with consent",
              "export": "a book of generated pictures with their page texts"}
_FIELDS = ("tool", "model", "prompt", "seed", "steps", "page", "turn_id", "attempt", "watermark", "frames")


def _version() -> str:
    from importlib.metadata import version

    return version("chatdit")


def build_manifest(provenance: dict[str, Any], inputs: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """The manifest definition for one output: actions (what made it) and the generation record."""
    tool = provenance.get("tool") or "chatdit"
    composite = COMPOSITES.get(tool)
    source = "compositeWithTrainedAlgorithmicMedia" if composite else "trainedAlgorithmicMedia"
    agent = {"name": f"chatdit {tool}", "version": _version()}
    actions = [{"action": "c2pa.created", "digitalSourceType": IPTC + source, "softwareAgent": agent,
                "parameters": {"model": str(provenance.get("model") or "unknown")}}]
    if composite:
        actions[0]["description"] = composite
    elif inputs:
        actions.append({"action": "c2pa.edited", "softwareAgent": agent,
                        "description": f"{tool} from {len(inputs)} input picture(s)"})
    record = {key: provenance[key] for key in _FIELDS if provenance.get(key) is not None}
    record["inputs"] = inputs
    if tool == "faceswap":
        record["consent"] = [item for item in inputs if "consent" in item]
    return {"claim_generator_info": [{"name": "chatdit", "version": _version()}], "title": title,
            "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": actions}},
                           {"label": GENERATION_LABEL, "data": record}]}


@lru_cache(maxsize=2)
def _signer(folder: Path, stamp: int):
    """One signer per key file version (`stamp`: its mtime), so `keys init --force` takes effect."""
    import c2pa

    keys = SigningKeys(folder=folder, name="")
    return c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, keys.chain_pem, keys.key_pem, None))


@lru_cache(maxsize=1)
def _context():
    import c2pa

    return c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})


def sign_stream(source, dest, mime: str, manifest: dict[str, Any], keys: SigningKeys | None = None) -> None:
    """Write `source` to `dest` with `manifest` embedded and signed."""
    import c2pa

    keys = keys or load_keys()
    with c2pa.Builder(manifest, context=_context()) as builder:
        builder.sign(_signer(keys.folder, (keys.folder / KEY_FILE).stat().st_mtime_ns), mime, source, dest)


def sign_bytes(data: bytes, mime: str, manifest: dict[str, Any]) -> bytes:
    """`data` with a signed manifest in it; on a signing failure the bytes unsigned, logged, so a
    picture is never lost to its credentials."""
    import c2pa

    out = io.BytesIO()
    try:
        sign_stream(io.BytesIO(data), out, mime, manifest)
    except (c2pa.C2paError, OSError, ValueError) as exc:
        log.warning("content credentials not written (%s: %s); the file is kept unsigned", type(exc).__name__, exc)
        return data
    return out.getvalue()


def sign_file_in_place(path: Path, manifest: dict[str, Any], suffix: str | None = None) -> bool:
    """Embed a signed manifest in a finished file (a video, a PDF; its format from `suffix` or its
    name); False where the format takes none."""
    from chatdit.files import write_atomic

    mime = MIME.get((suffix or path.suffix).lower())
    if mime is None:
        return False
    signed = sign_bytes(path.read_bytes(), mime, manifest)
    write_atomic(path, signed, mode=path.stat().st_mode & 0o777)  # a shared export stays shareable
    return True


def sign_export(path: Path, title: str, pages: list[tuple[int, Path]]) -> bool:
    """Sign an exported book, naming every page's picture by its SHA-256; False for HTML, which
    C2PA has no embedding for."""
    import hashlib

    inputs = [{"role": f"page {number}", "sha256": hashlib.sha256(picture.read_bytes()).hexdigest()}
              for number, picture in pages]
    return sign_file_in_place(path, build_manifest({"tool": "export", "model": "-"}, inputs, title))
