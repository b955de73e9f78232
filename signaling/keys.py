"""The server's keys, generated into the data directory on first start and kept private."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
CARD_KEY_FILE = "card-signing-key.pem"


def _load_or_create(path: Path, create: Callable[[], PrivateKey]) -> bytes:
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = create().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return pem


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
