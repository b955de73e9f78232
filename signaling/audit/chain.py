"""The audit's hash chain: how an event is hashed and linked, how records are derived from
events, and how checkpoints are signed. ``signaling.audit.verify`` checks the whole.

Every change to a record is also an event ``(seq, record_id, at, kind, change)`` whose hash
covers its content and the previous event's hash. Since migration 0003 that hash is an
HMAC-SHA256 under a key derived from the server's card-signing key (``keyed`` events):
someone who can write the database but does not hold the key cannot recompute the chain
after an edit. Events written before were plain SHA-256; they stay as they are, and verify
says from which event on the chain is keyed. Checkpoints, the head signed with the server's
Ed25519 key, are due every ``every`` events (signed into each checkpoint, so a removed one
is missed), besides at start-up, on a timer and at shutdown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from signaling.audit.models import SessionRecord

GENESIS = "0" * 64
# Checkpoints signed before 0003 do not say their schedule: the server then signed every 100.
LEGACY_EVERY = 100
_CHAIN_KEY_CONTEXT = b"helpline-audit-chain-v1"
PURGED = "purged"
RECORD_COLUMNS = tuple(c.key for c in SessionRecord.__table__.columns if c.key != "id")
# Columns a later migration added, with the value it gave the records already there: events
# written before it do not name them (0002: the proven device).
ADDED_LATER: dict[str, Any] = {"device_id": "", "device_enrolled": False}


def plain(value: Any) -> Any:
    """A column value as it is written into an event (and compared by ``verify``)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def chain_key(signing_key: Ed25519PrivateKey) -> bytes:
    """The chain's MAC key, derived from the card-signing key: replicas that share that key
    (as they must) share this one, and there is no second secret to copy or lose."""
    raw = signing_key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return HKDF(hashes.SHA256(), 32, salt=None, info=_CHAIN_KEY_CONTEXT).derive(raw)


def event_hash(
    prev_hash: str,
    seq: int,
    record_id: str,
    at: str,
    kind: str,
    change: str,
    key: bytes | None = None,
) -> str:
    """HMAC-SHA256 under ``key`` (a keyed event); plain SHA-256 without (events before 0003)."""
    message = f"{prev_hash}|{canonical([seq, record_id, at, kind, change])}".encode()
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def checkpoint_message(seq: int, head: str, every: int | None) -> bytes:
    """What a checkpoint's signature covers; ``every`` None: the form signed before 0003."""
    if every is None:
        return f"helpline-audit-checkpoint|{seq}|{head}".encode()
    return f"helpline-audit-checkpoint-v2|{seq}|{head}|{every}".encode()


def sign_checkpoint(key: Ed25519PrivateKey, seq: int, head: str, every: int) -> str:
    return base64.b64encode(key.sign(checkpoint_message(seq, head, every))).decode("ascii")


def apply(record: dict[str, Any] | None, change: dict[str, Any]) -> dict[str, Any] | None:
    """One event's change applied to a record as the store applied it to the table."""
    if "insert" in change:
        record = {**ADDED_LATER, **change["insert"]}
    if record is None:
        return None
    record.update(change.get("set", {}))
    for column in change.get("flags", []):
        record[column] = True
    if change.get("count"):
        record["attempts"] += int(change["count"])  # True (one) in events before 0003
    return record
