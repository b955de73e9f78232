"""How people name the server's card-signing key: short enough to paste into a config file.

SSH's form (``SHA256:`` and unpadded base64 of the key's SHA-256), because IT staff know it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib


def key_fingerprint(public_key_b64: str) -> str:
    """The fingerprint of a base64 Ed25519 public key as ``welcome.server_key`` carries it."""
    try:
        raw = base64.b64decode(public_key_b64, validate=True)
    except (binascii.Error, ValueError):
        raw = public_key_b64.encode()
    digest = base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def normalise_fingerprint(text: str) -> str:
    """Accept what a person pastes: surrounding spaces, with or without the ``SHA256:`` label."""
    text = text.strip().rstrip("=")
    body = text.split(":", 1)[1] if text.upper().startswith("SHA256:") else text
    return f"SHA256:{body}"
