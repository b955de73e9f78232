"""The device key and what it signs: enrolment, every agent message, and live-help proofs.

Each device makes an Ed25519 key pair; the private key never leaves it. Whatever the device
says to the server travels in a :class:`SignedEnvelope`: the device id, a Unix timestamp, a
random nonce and a JSON body, signed over :func:`envelope_bytes`. The signature covers the
body exactly as sent (canonical JSON of the received object), so a newer sender with extra
fields still verifies. The server refuses a bad signature, a timestamp more than
``MAX_CLOCK_SKEW_SECONDS`` away from its clock, and a nonce it has seen from that device
(it remembers nonces for twice that long), so a captured envelope cannot be replayed.

A user's token alone therefore cannot act as a device: live help from an enrolled device
carries a :class:`LiveHelpProof` envelope bound to the hash of that very token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Annotated, Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import BaseModel, ConfigDict, Field

from common.devices.records import EnrollRequest, SignatureText

ENVELOPE_PURPOSE = "helpline-device-envelope-v1"
ENROLL_PURPOSE = "helpline-device-enroll-v1"
MAX_CLOCK_SKEW_SECONDS = 300
MAX_BODY_BYTES = 512 * 1024  # a diagnostics report is the largest body

DeviceId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Nonce = Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class DeviceSignatureError(Exception):
    """The signature, its age or its nonce is not acceptable; the message is safe to send."""


class SignedEnvelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = 1
    device_id: DeviceId
    timestamp: int = Field(ge=0)
    nonce: Nonce
    body: dict[str, Any]
    signature: SignatureText


class LiveHelpProof(BaseModel):
    """The body of the envelope a sharer app puts in ``hello.device_proof``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["live_help"] = "live_help"
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def generate_device_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_text(key: Ed25519PrivateKey) -> str:
    """The raw public key in base64: what the server stores and verifies with."""
    return _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def _public_key(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError as exc:
        raise DeviceSignatureError("the device's public key is not an Ed25519 key") from exc


def _check(public_key: str, signature: str, message: bytes) -> None:
    try:
        _public_key(public_key).verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError) as exc:
        raise DeviceSignatureError("the device signature does not verify") from exc


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---- envelopes -------------------------------------------------------------------------


def envelope_bytes(device_id: str, timestamp: int, nonce: str, body: dict[str, Any]) -> bytes:
    """What the device key signs: purpose, device, time, nonce and body, as canonical JSON."""
    return _canonical(
        {
            "purpose": ENVELOPE_PURPOSE,
            "device_id": device_id,
            "timestamp": timestamp,
            "nonce": nonce,
            "body": body,
        }
    )


def sign_envelope(
    key: Ed25519PrivateKey,
    device_id: str,
    body: BaseModel,
    *,
    now: float | None = None,
) -> SignedEnvelope:
    data = body.model_dump(mode="json", exclude_none=True)
    timestamp = int(time.time() if now is None else now)
    nonce = secrets.token_urlsafe(18)
    signature = key.sign(envelope_bytes(device_id, timestamp, nonce, data))
    return SignedEnvelope(
        device_id=device_id, timestamp=timestamp, nonce=nonce, body=data, signature=_b64(signature)
    )


def verify_envelope(
    envelope: SignedEnvelope,
    public_key: str,
    *,
    now: float | None = None,
    max_skew: int = MAX_CLOCK_SKEW_SECONDS,
) -> None:
    """Signature and freshness; the nonce's novelty is the server's to check (it remembers)."""
    message = envelope_bytes(envelope.device_id, envelope.timestamp, envelope.nonce, envelope.body)
    _check(public_key, envelope.signature, message)
    current = time.time() if now is None else now
    if abs(current - envelope.timestamp) > max_skew:
        raise DeviceSignatureError(
            "the device's message is too old or from the future: check the device's clock"
        )


# ---- enrolment -------------------------------------------------------------------------


def enroll_bytes(
    public_key: str, name: str, os: str, os_version: str, helpline_version: str
) -> bytes:
    return _canonical(
        {
            "purpose": ENROLL_PURPOSE,
            "public_key": public_key,
            "name": name,
            "os": os,
            "os_version": os_version,
            "helpline_version": helpline_version,
        }
    )


def enroll_request(
    key: Ed25519PrivateKey,
    *,
    name: str,
    os: str = "",
    os_version: str = "",
    helpline_version: str = "",
) -> EnrollRequest:
    """The enrolment body, with the proof that the sender holds the private key.

    The fields are normalised by the model first, so the signed text is the text received."""
    draft = EnrollRequest(
        public_key=public_key_text(key),
        name=name,
        os=os,
        os_version=os_version,
        helpline_version=helpline_version,
        proof="A" * 88,
    )
    message = enroll_bytes(
        draft.public_key, draft.name, draft.os, draft.os_version, draft.helpline_version
    )
    return draft.model_copy(update={"proof": _b64(key.sign(message))})


def verify_enroll_request(request: EnrollRequest) -> None:
    message = enroll_bytes(
        request.public_key, request.name, request.os, request.os_version, request.helpline_version
    )
    _check(request.public_key, request.proof, message)


# ---- live help -------------------------------------------------------------------------


def live_help_proof(
    key: Ed25519PrivateKey, device_id: str, token: str, *, now: float | None = None
) -> SignedEnvelope:
    """For ``hello.device_proof``: this device, now, for the session signed in with ``token``."""
    return sign_envelope(key, device_id, LiveHelpProof(token_sha256=token_digest(token)), now=now)


def verify_live_help_proof(
    envelope: SignedEnvelope, public_key: str, token: str, *, now: float | None = None
) -> None:
    verify_envelope(envelope, public_key, now=now)
    if envelope.body != LiveHelpProof(token_sha256=token_digest(token)).model_dump(mode="json"):
        raise DeviceSignatureError("the device proof is not for this sign-in")
