"""`chatdit verify FILE`: read a file's C2PA manifest back with the c2pa library and say what it claims.

A file is "trusted" when its manifest is intact and signed by a chain that ends in this chatdit
home's local CA, "valid" when intact but signed by someone this home does not know, "invalid"
when the file or its manifest was changed after signing, and "none" when it carries no manifest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from chatdit.errors import ChatditError
from chatdit.provenance.credentials import GENERATION_LABEL, IPTC
from chatdit.provenance.keys import ANCHOR_FILE, keys_folder

State = Literal["trusted", "valid", "invalid", "none"]


class Verification(BaseModel):
    """What a file's content credentials say, and whether they still hold."""

    path: Path
    state: State
    signer: str | None = None
    ai_generated: bool = False
    source_type: str | None = None
    actions: list[str] = Field(default_factory=list)
    generation: dict[str, Any] = Field(default_factory=dict)
    failures: list[str] = Field(default_factory=list, description="validation failure codes with explanations")

    @property
    def ok(self) -> bool:
        return self.state in ("trusted", "valid")

    def lines(self) -> list[str]:
        """The report `chatdit verify` prints."""
        if self.state == "none":
            return [f"{self.path}: no content credentials (no C2PA manifest)"]
        out = [f"{self.path}: {self.state.upper()}" + (f", signed by {self.signer!r}" if self.signer else "")]
        if self.source_type:
            out.append(f"  made by: {'AI (' + self.source_type + ')' if self.ai_generated else self.source_type}")
        out.append(f"  actions: {', '.join(self.actions) or '-'}")
        for key in ("tool", "model", "prompt", "seed", "page"):
            if key in self.generation:
                out.append(f"  {key}: {self.generation[key]}")
        for item in self.generation.get("inputs", []):
            consent = f", consent {item['consent']}" if "consent" in item else ""
            out.append(f"  input {item.get('role') or item.get('asset', '')}: sha256 {item.get('sha256', '?')}{consent}")
        out += [f"  problem: {failure}" for failure in self.failures]
        return out


def _context():
    import c2pa

    anchor = keys_folder() / ANCHOR_FILE
    settings: dict[str, Any] = {"verify": {"verify_trust": True}}
    if anchor.is_file():
        settings["trust"] = {"trust_anchors": anchor.read_text()}
    return c2pa.Context.from_dict(settings)


def verify_file(path: str | Path) -> Verification:
    """Read and check the manifest embedded in `path`."""
    import c2pa

    path = Path(path).expanduser()
    if not path.is_file():
        raise ChatditError(f"{path} does not exist or is not a file; give the path of a picture, video or PDF")
    try:
        reader = c2pa.Reader.try_create(str(path), context=_context())
    except c2pa.C2paError.NotSupported as exc:
        raise ChatditError(f"{path.name}: C2PA cannot read this format ({exc}); try a PNG, JPEG, GIF, MP4 or PDF") from exc
    except c2pa.C2paError as exc:
        return Verification(path=path, state="invalid", failures=[f"{type(exc).__name__}: {exc}"])
    if reader is None:
        return Verification(path=path, state="none")
    with reader:
        return _summarise(path, reader.get_validation_state() or "", json.loads(reader.json()))


def _summarise(path: Path, state: str, store: dict[str, Any]) -> Verification:
    manifest = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    assertions = {a.get("label"): a.get("data", {}) for a in manifest.get("assertions", [])}
    actions = (assertions.get("c2pa.actions.v2") or assertions.get("c2pa.actions") or {}).get("actions", [])
    source = next((a.get("digitalSourceType", "") for a in actions if a.get("digitalSourceType")), "")
    results = store.get("validation_results", {}).get("activeManifest", {})
    trust_only = {"signingCredential.untrusted"}
    failures = [f"{f.get('code')}: {f.get('explanation', '')}" for f in results.get("failure", [])
                if not (state == "Valid" and f.get("code") in trust_only)]
    mapped: State = {"Trusted": "trusted", "Valid": "valid"}.get(state, "invalid")  # type: ignore[assignment]
    return Verification(
        path=path, state=mapped, signer=(manifest.get("signature_info") or {}).get("common_name"),
        ai_generated="trainedalgorithmicmedia" in source.lower(),
        source_type=source.removeprefix(IPTC) or None, actions=[a.get("action", "?") for a in actions],
        generation=assertions.get(GENERATION_LABEL, {}), failures=failures)
