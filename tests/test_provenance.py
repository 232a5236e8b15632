"""Content credentials: every picture, video and book chatdit writes carries a signed C2PA manifest
that `chatdit verify` and the c2pa library's own Reader read back, and an edited copy fails."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from chatdit.cli import main
from chatdit.errors import ChatditError
from chatdit.provenance.keys import init_keys, load_keys
from chatdit.provenance.verify import verify_file
from chatdit.store import SessionStore


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CHATDIT_HOME", str(tmp_path / "home"))
    yield tmp_path / "home"


def _picture(seed: int = 0) -> Image.Image:
    return Image.fromarray(np.random.default_rng(seed).integers(0, 255, (32, 32, 3), dtype=np.uint8))


def _generated(store: SessionStore, seed: int = 0, **extra):
    provenance = {"tool": "generate", "model": "nano", "prompt": "a red fox", "seed": seed, "page": 1, **extra}
    return store.add_image(_picture(seed), provenance, tool="generate", prompt="a red fox", page=1)


def test_a_generated_picture_is_signed_as_ai_made_and_the_c2pa_reader_agrees(tmp_path):
    import c2pa

    store = SessionStore(tmp_path / "s")
    asset = _generated(store)
    path = store.asset_path(asset)
    result = verify_file(path)
    assert result.state == "trusted" and result.ai_generated
    assert result.generation["model"] == "nano" and result.generation["prompt"] == "a red fox"
    assert result.signer == load_keys().name
    with c2pa.Reader(str(path)) as reader:  # the library alone, no chatdit trust settings
        assert reader.get_validation_state() == "Valid"
        manifest = reader.get_active_manifest()
    actions = next(a for a in manifest["assertions"] if a["label"] == "c2pa.actions.v2")["data"]["actions"]
    assert actions[0]["action"] == "c2pa.created"
    assert actions[0]["digitalSourceType"].endswith("/trainedAlgorithmicMedia")
    assert Image.open(path).info["chatdit:provenance"]  # the PNG text chunks stay


def test_an_edit_names_its_input_by_sha256(tmp_path):
    store = SessionStore(tmp_path / "s")
    parent = _generated(store)
    child = store.add_image(_picture(1), {"tool": "edit", "model": "nano", "parents": [parent.id]}, tool="edit")
    result = verify_file(store.asset_path(child))
    import hashlib

    expected = hashlib.sha256(store.asset_path(parent).read_bytes()).hexdigest()
    assert result.generation["inputs"] == [{"asset": parent.id, "sha256": expected}]
    assert result.actions == ["c2pa.created", "c2pa.edited"]


def test_pixels_changed_after_signing_fail_verification(tmp_path):
    store = SessionStore(tmp_path / "s")
    path = store.asset_path(_generated(store))
    data = bytearray(path.read_bytes())
    data[data.find(b"IDAT") + 12] ^= 0x01  # one bit of the compressed pixels, the manifest kept
    edited = tmp_path / "edited.png"
    edited.write_bytes(bytes(data))
    result = verify_file(edited)
    assert result.state == "invalid" and not result.ok
    assert any("dataHash.mismatch" in failure for failure in result.failures)
    assert main(["verify", str(edited)]) == 1


def test_a_re_saved_copy_has_no_credentials_and_verify_says_so(tmp_path, capsys):
    store = SessionStore(tmp_path / "s")
    copy = tmp_path / "copy.png"
    Image.open(store.asset_path(_generated(store))).save(copy)
    assert verify_file(copy).state == "none"
    assert main(["verify", str(copy)]) == 1
    assert "no content credentials" in capsys.readouterr().out


def test_an_upload_gets_no_ai_claim(tmp_path):
    store = SessionStore(tmp_path / "s")
    asset = store.add_image(_picture(), {"source": "me.png", "tool": "upload"}, tool="upload")
    assert verify_file(store.asset_path(asset)).state == "none"


def test_a_face_swap_video_carries_its_consent_record(tmp_path):
    import imageio.v3 as iio

    clip = tmp_path / "clip.mp4"
    iio.imwrite(clip, np.zeros((4, 32, 32, 3), np.uint8), fps=4, codec="libx264")
    store = SessionStore(tmp_path / "s")
    inputs = [{"role": "source_video", "sha256": "ab" * 32}, {"role": "face", "sha256": "cd" * 32, "consent": True}]
    asset = store.add_file(clip, kind="video", provenance={"tool": "faceswap", "model": "wan", "inputs": inputs})
    result = verify_file(store.asset_path(asset))
    assert result.state == "trusted"
    assert result.source_type == "compositeWithTrainedAlgorithmicMedia"
    assert result.generation["consent"] == [inputs[1]]
    assert len(iio.imread(store.asset_path(asset))) == 4  # still a playable clip


def test_keys_init_names_the_signer_and_refuses_to_overwrite(tmp_path, capsys):
    assert main(["keys", "init", "--name", "Ada Lovelace"]) == 0
    store = SessionStore(tmp_path / "s")
    assert verify_file(store.asset_path(_generated(store))).signer == "Ada Lovelace"
    assert main(["keys", "init", "--name", "Someone Else"]) == 3  # an input error (exit codes: usage 2, input 3)
    assert "--force" in capsys.readouterr().err
    with pytest.raises(ChatditError):
        init_keys("")


def test_a_file_signed_under_another_home_is_valid_but_not_trusted(tmp_path, monkeypatch):
    store = SessionStore(tmp_path / "s")
    path = store.asset_path(_generated(store))
    monkeypatch.setenv("CHATDIT_HOME", str(tmp_path / "other-home"))
    init_keys("another person")
    result = verify_file(path)
    assert result.state == "valid" and result.ok


def test_verify_of_a_missing_file_is_a_one_line_error(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "nope.png")]) == 3  # input: no such file
    assert "does not exist" in capsys.readouterr().err


def test_an_exported_pdf_is_signed_and_an_edited_pdf_fails(tmp_path):
    from chatdit.provenance.credentials import sign_export

    pdf = tmp_path / "book.pdf"
    picture = tmp_path / "p1.png"
    _picture().save(picture)
    buffer = io.BytesIO()
    _picture().save(buffer, "PDF")
    pdf.write_bytes(buffer.getvalue())
    assert sign_export(pdf, "a book", [(1, picture)])
    result = verify_file(pdf)
    assert result.state == "trusted" and result.generation["tool"] == "export"
    data = pdf.read_bytes()
    stream = data.find(b"stream") + 20
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(data[:stream] + bytes([data[stream] ^ 0xFF]) + data[stream + 1:])
    assert verify_file(tampered).state == "invalid"
    assert json.dumps(result.generation)  # the record is plain JSON


@pytest.mark.slow
def test_a_real_face_swap_stored_by_the_executor_verifies_with_its_consent(tmp_path, hub):
    """The face-swap tool (tiny WanVACE) -> the executor's store call -> `chatdit verify`."""
    import imageio.v3 as iio
    from chatdit.tools.registry import ToolContext, run_tool
    from test_faceswap import draw_face

    session = tmp_path / "session"
    (session / "work").mkdir(parents=True)
    face = Image.fromarray(draw_face(width=128, height=128, cx=64, cy=64, scale=0.8, skin=(150, 100, 70)))
    context = ToolContext(hub=hub, load_image=lambda asset_id: {"face1": face}[asset_id], workdir=session / "work")
    clip = tmp_path / "clip.mp4"
    iio.imwrite(clip, np.stack([draw_face(cx=64 + 2 * i) for i in range(5)]), fps=8, codec="libx264")
    args = {"video": str(clip), "faces": [{"image": "face1", "consent": True}], "chunk_frames": 5, "steps": 1}
    [out] = run_tool("faceswap", args, context)
    provenance = {"tool": "faceswap", "model": hub.info.name, **out.meta, "generator": "chatdit"}
    asset = SessionStore(session).add_file(out.file, kind=out.kind, provenance=provenance, tool="faceswap")
    result = verify_file(SessionStore(session).asset_path(asset))
    assert result.state == "trusted" and result.source_type == "compositeWithTrainedAlgorithmicMedia"
    assert [item["consent"] for item in result.generation["consent"]] == [True]
    assert main(["verify", str(SessionStore(session).asset_path(asset))]) == 0
