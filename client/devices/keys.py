"""The device's own key pair: made on the device, the private half never sent anywhere.

A stolen user token alone cannot act as the device, because check-ins and live-help
proofs must be signed with this key, which exists only in the device's data folder with
mode 0600 (readable by the account that enrolled it).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from common.devices.signing import generate_device_key


class DeviceKeyError(Exception):
    """The key file is missing, unreadable or not a device key; the message says which."""


def create_key(path: Path) -> Ed25519PrivateKey:
    """A new key, written so that it is never readable by others, not even for a moment."""
    key = generate_device_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    os.replace(partial, path)
    return key


def load_key(path: Path) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DeviceKeyError(f"this device is not enrolled (no key at {path})") from exc
    except OSError as exc:
        raise DeviceKeyError(f"cannot read the device key {path}: {exc.strerror}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise DeviceKeyError(f"{path} is not a device key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise DeviceKeyError(f"{path} is not an Ed25519 device key")
    return key
