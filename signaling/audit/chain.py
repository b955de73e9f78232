"""The audit's hash chain: how an event is hashed and linked, how records are derived from
events, checkpoints signed, and the whole checked.

Every change to a record is also an event ``(seq, record_id, at, kind, change)`` whose hash
covers its content and the previous event's hash. Every so many events, and at shutdown, the
head of the chain is signed with the server's key. ``verify`` walks the chain, re-derives
every record from its events and compares it with the table people query, checks the
checkpoints, and names the first thing that does not fit.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from signaling.audit.models import AuditCheckpoint, AuditEvent, SessionRecord

GENESIS = "0" * 64
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


def event_hash(prev_hash: str, seq: int, record_id: str, at: str, kind: str, change: str) -> str:
    body = canonical([seq, record_id, at, kind, change])
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def checkpoint_message(seq: int, head: str) -> bytes:
    return f"helpline-audit-checkpoint|{seq}|{head}".encode()


def sign_checkpoint(key: Ed25519PrivateKey, seq: int, head: str) -> str:
    return base64.b64encode(key.sign(checkpoint_message(seq, head))).decode("ascii")


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
        record["attempts"] += 1
    return record


@dataclass(frozen=True)
class Verdict:
    events: int
    records: int
    checkpoints: int
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(
    events: Sequence[AuditEvent],
    records: Sequence[SessionRecord],
    checkpoints: Sequence[AuditCheckpoint],
    public_key: Ed25519PublicKey | None,
) -> Verdict:
    def broken(problem: str) -> Verdict:
        return Verdict(len(events), len(records), len(checkpoints), problem)

    purges = [json.loads(e.change) for e in events if e.kind == PURGED]
    # Events without a record (purges, reads) are chained, but change no record.
    first_expected = max((p["before_seq"] for p in purges), default=1)
    purged_before = max((p["started_before"] for p in purges), default="")
    derived: dict[str, dict[str, Any]] = {}
    opened_at: dict[str, int] = {}
    prev = GENESIS
    hashes: dict[int, str] = {}
    for index, event in enumerate(events):
        if index == 0:
            if event.seq != first_expected:
                return broken(f"event {first_expected} is missing: the chain starts at {event.seq}")
            prev = event.prev_hash if event.seq > 1 else GENESIS
        elif event.seq != events[index - 1].seq + 1:
            return broken(f"event {events[index - 1].seq + 1} is missing")
        at = plain(event.at)
        if event.prev_hash != prev or event.hash != event_hash(
            prev, event.seq, event.record_id, at, event.kind, event.change
        ):
            return broken(f"event {event.seq} was changed (record {event.record_id or '-'})")
        prev = hashes[event.seq] = event.hash
        if not event.record_id:  # purges and reads concern no one record
            continue
        change = json.loads(event.change)
        if "insert" in change:
            opened_at[event.record_id] = event.seq
        updated = apply(derived.get(event.record_id), change)
        if updated is not None:
            derived[event.record_id] = updated
    stored = {r.id: {c: plain(getattr(r, c)) for c in RECORD_COLUMNS} for r in records}
    for record_id in sorted(derived, key=lambda rid: opened_at[rid]):
        want = derived[record_id]
        have = stored.get(record_id)
        if have is None:
            if want["started_at"] < purged_before:
                continue
            return broken(f"record {record_id} (event {opened_at[record_id]}) was deleted")
        for column in RECORD_COLUMNS:
            if have[column] != want[column]:
                return broken(f"record {record_id} was changed: {column} differs from its events")
    for record_id in stored:
        if record_id not in derived:
            return broken(f"record {record_id} was not written by the server")
    last_seq = events[-1].seq if events else 0
    for checkpoint in checkpoints:
        if public_key is not None:
            try:
                public_key.verify(
                    base64.b64decode(checkpoint.signature),
                    checkpoint_message(checkpoint.seq, checkpoint.hash),
                )
            except (InvalidSignature, ValueError):
                return broken(f"checkpoint {checkpoint.seq} is not signed by this server")
        if checkpoint.seq > last_seq:
            return broken(f"events {last_seq + 1} to {checkpoint.seq} are missing")
        if checkpoint.seq in hashes and hashes[checkpoint.seq] != checkpoint.hash:
            return broken(f"the chain up to event {checkpoint.seq} differs from its checkpoint")
    return Verdict(len(events), len(records), len(checkpoints))
