"""The signing key and certificate chain that content credentials are signed with.

C2PA readers refuse a self-signed end-entity certificate, so chatdit makes a tiny chain of its
own: a local certificate authority (self-signed, the trust anchor `chatdit verify` trusts) and a
signing certificate it issues (ES256, key usage digitalSignature, extended key usage
emailProtection, as C2PA's certificate profile asks). `chatdit keys init` makes one named after
the person; without it a test chain named "chatdit test signer" is made on first use.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from chatdit.config import chatdit_home
from chatdit.errors import ChatditError

TEST_SIGNER = "chatdit test signer (self-signed)"
KEY_FILE, CHAIN_FILE, ANCHOR_FILE = "signer.key", "signer-chain.pem", "ca.pem"


class SigningKeys(BaseModel):
    """Where the signing material lies and whose name is on it."""

    folder: Path
    name: str

    @property
    def key_pem(self) -> bytes:
        return (self.folder / KEY_FILE).read_bytes()

    @property
    def chain_pem(self) -> bytes:
        return (self.folder / CHAIN_FILE).read_bytes()

    @property
    def anchor_pem(self) -> bytes:
        return (self.folder / ANCHOR_FILE).read_bytes()


def keys_folder() -> Path:
    return chatdit_home() / "keys"


def _name(common_name: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chatdit (local)")])


def _usage(*, sign: bool):
    from cryptography import x509

    return x509.KeyUsage(digital_signature=sign, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=not sign,
                         crl_sign=not sign, encipher_only=False, decipher_only=False)


def make_chain(signer_name: str, years: int = 10) -> tuple[bytes, bytes, bytes]:
    """A new (private key, signer + CA chain, CA) in PEM: the CA signs the signer's certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=365 * years)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{signer_name} - local CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(_usage(sign=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(_name(signer_name)).issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(sign=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key_pem, leaf.public_bytes(pem) + ca.public_bytes(pem), ca.public_bytes(pem)


def _write_folder(folder: Path, signer_name: str) -> None:
    """Write the chain into a fresh folder and move it into place in one rename, so two processes
    making keys at once end with one complete set, never a mix."""
    key_pem, chain_pem, ca_pem = make_chain(signer_name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".keys-"))
    for name, data in ((KEY_FILE, key_pem), (CHAIN_FILE, chain_pem), (ANCHOR_FILE, ca_pem), ("name", signer_name.encode())):
        (staging / name).write_bytes(data)
    os.chmod(staging / KEY_FILE, 0o600)
    try:
        os.rename(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (folder / KEY_FILE).is_file():
            raise


def init_keys(signer_name: str, *, force: bool = False) -> SigningKeys:
    """`chatdit keys init`: make the person's key and chain; an existing one is kept unless forced."""
    folder = keys_folder()
    if not signer_name.strip():
        raise ChatditError("a signer name is needed: chatdit keys init --name 'Your Name'")
    if folder.exists():
        if not force:
            raise ChatditError(f"signing keys already exist in {folder}; pass --force to replace them "
                               "(files signed with the old key then no longer verify as trusted here)")
        shutil.rmtree(folder)
    _write_folder(folder, signer_name.strip())
    _load.cache_clear()
    return load_keys()


@lru_cache(maxsize=4)
def _load(folder: Path) -> SigningKeys:
    if not (folder / KEY_FILE).is_file():
        _write_folder(folder, TEST_SIGNER)
    name_file = folder / "name"
    return SigningKeys(folder=folder, name=name_file.read_text() if name_file.is_file() else "unknown")


def load_keys() -> SigningKeys:
    """The chatdit home's signing keys, a test chain made on first use."""
    return _load(keys_folder())

