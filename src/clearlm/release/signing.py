"""Ed25519 signing of a release's SHA256SUMS, with the `cryptography` package.

The signature covers the bytes of SHA256SUMS, which names every other file by its SHA-256, so one
64-byte signature seals the whole folder. It is stored raw (64 bytes) in SHA256SUMS.sig and the
public key as PEM (SubjectPublicKeyInfo) in release.pub, so OpenSSL checks it without clearlm:

    openssl pkeyutl -verify -pubin -inkey release.pub -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig

The private key is `[release] signing_key` when set (it must exist: a typo must not silently sign
with a new key), else WS/keys/release-ed25519.pem, made on first use, readable by its owner only.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from clearlm.errors import InputError

DEFAULT_KEY = Path("keys") / "release-ed25519.pem"
SIGNATURE_BYTES = 64


def default_key_path(ws_root: Path) -> Path:
    return Path(ws_root) / DEFAULT_KEY


def _read_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("signing key not found", path) from None
    except OSError as err:
        raise InputError(f"unreadable signing key ({err})", path) from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as err:
        # TypeError: the key is encrypted; clearlm signs unattended, so it needs an unencrypted key.
        raise InputError(f"not an unencrypted PEM private key ({err})", path) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"expected an Ed25519 key, got {type(key).__name__}", path)
    return key


def _create_private_key(path: Path) -> Ed25519PrivateKey:
    """A new key, written with mode 0600 from the start (never world-readable, not even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        # link, not rename: if another release made the key meanwhile, keep theirs and use it.
        os.link(tmp, path)
    except FileExistsError:
        return _read_private_key(path)
    finally:
        tmp.unlink(missing_ok=True)
    return key


def load_or_create_key(ws_root: Path, signing_key: str = "") -> tuple[Ed25519PrivateKey, Path]:
    """The key to sign with and where it lives: `signing_key` if set, else the workspace's own."""
    if signing_key:
        path = Path(signing_key).expanduser()
        return _read_private_key(path), path
    path = default_key_path(ws_root)
    if path.is_file():
        return _read_private_key(path), path
    return _create_private_key(path), path


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_sha256(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short, stable name of a key: SHA-256 of its 32 raw public bytes."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def parse_public_key(data: bytes, path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM bytes; InputError naming `path` otherwise."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as err:
        raise InputError(f"not a PEM public key ({err})", path) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(f"expected an Ed25519 public key, got {type(key).__name__}", path)
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("public key not found", path) from None
    except OSError as err:
        raise InputError(f"unreadable public key ({err})", path) from None
    return parse_public_key(data, path)


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    return key.sign(data)


def signature_valid(public: Ed25519PublicKey, data: bytes, signature: bytes) -> bool:
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return False
    return True
