"""The server's keys, generated into the data directory on first start and kept private."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
CARD_KEY_FILE = "card-signing-key.pem"


def _load_or_create(path: Path, create: Callable[[], PrivateKey]) -> bytes:
    if path.exists():
        return path.read_bytes()
    pem = create().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return create_once(path, pem)


def create_once(path: Path, content: bytes) -> bytes:
    """Write ``content`` to ``path`` unless another process got there first; return what won.

    Replicas on a shared data folder start together. The file is written whole under a
    temporary name and then hard-linked into place, which fails if the name exists: a reader
    never sees a half-written key, and the loser of the race reads the winner's file instead
    of stopping with "File exists" (or, worse, overwriting a key the winner already uses).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(partial, path)
        except FileExistsError:
            return path.read_bytes()
        return content
    finally:
        os.unlink(partial)


def card_signing_key(data_dir: Path) -> ed25519.Ed25519PrivateKey:
    pem = _load_or_create(data_dir / CARD_KEY_FILE, ed25519.Ed25519PrivateKey.generate)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise ValueError("card-signing-key.pem is not an Ed25519 key")
    return key


def dev_idp_key(data_dir: Path) -> rsa.RSAPrivateKey:
    pem = _load_or_create(
        data_dir / "dev-idp-key.pem",
        lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("dev-idp-key.pem is not an RSA key")
    return key
