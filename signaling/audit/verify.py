"""``audit verify``: a list of checks over one consistent reading of the audit database.

Each check reads the ``ChainView`` and returns its problems (an empty list: nothing wrong),
and may add to ``view.proven`` what it established, so the report says what was proven and
since when, not only "ok". The standard checks are the chain's links and keys, every record
against its events, the signed checkpoints and their schedule, and the data folder's anchor.
Other parts of the server add their own check (a callable taking the view) to the tuple
they pass to ``AuditStore.verify``; the view holds the open database session, so a check can
read any table as of the same moment.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from signaling.audit.anchor import Anchor
from signaling.audit.chain import (
    GENESIS,
    LEGACY_EVERY,
    PURGED,
    RECORD_COLUMNS,
    apply,
    checkpoint_message,
    event_hash,
    plain,
)
from signaling.audit.models import AuditCheckpoint, AuditEvent, SessionRecord


@dataclass
class ChainView:
    """The audit as of one moment, and the keys verify holds."""

    db: Session
    events: Sequence[AuditEvent]
    records: Sequence[SessionRecord]
    checkpoints: Sequence[AuditCheckpoint]
    public_key: Ed25519PublicKey | None
    mac_key: bytes | None
    anchor: Anchor | None
    proven: list[str] = field(default_factory=list)

    @functools.cached_property
    def purges(self) -> list[dict[str, Any]]:
        return [json.loads(e.change) for e in self.events if e.kind == PURGED]

    @functools.cached_property
    def first_seq(self) -> int:
        """The first event the chain should start with: 1, or where the last purge left it."""
        return max((p["before_seq"] for p in self.purges), default=1)

    @property
    def head(self) -> int:
        return self.events[-1].seq if self.events else 0

    @functools.cached_property
    def keyed_from(self) -> AuditEvent | None:
        return next((e for e in self.events if e.keyed), None)

    @functools.cached_property
    def hashes(self) -> dict[int, str]:
        return {e.seq: e.hash for e in self.events}


Check = Callable[[ChainView], list[str]]


@dataclass(frozen=True)
class Verdict:
    events: int
    records: int
    checkpoints: int
    problems: tuple[str, ...] = ()
    proven: tuple[str, ...] = ()

    @property
    def problem(self) -> str | None:
        """The first thing that does not fit (the checks run in order: the chain first)."""
        return self.problems[0] if self.problems else None

    @property
    def ok(self) -> bool:
        return not self.problems


def run_checks(view: ChainView, checks: Sequence[Check]) -> Verdict:
    problems = [problem for check in checks for problem in check(view)]
    return Verdict(
        len(view.events),
        len(view.records),
        len(view.checkpoints),
        tuple(problems),
        tuple(view.proven),
    )


def check_links(view: ChainView) -> list[str]:
    """Every event follows the previous one, its hash is right, and once the chain is keyed
    every later event is keyed too: an unkeyed event after a keyed one was rewritten by
    someone without the key."""
    events = view.events
    prev = GENESIS
    for index, event in enumerate(events):
        if index == 0:
            if event.seq != view.first_seq:
                return [f"event {view.first_seq} is missing: the chain starts at {event.seq}"]
            prev = event.prev_hash if event.seq > 1 else GENESIS
        elif event.seq != events[index - 1].seq + 1:
            return [f"event {events[index - 1].seq + 1} is missing"]
        keyed = view.keyed_from
        if keyed is not None and not event.keyed and event.seq > keyed.seq:
            return [f"event {event.seq} was changed: it is not keyed, but the chain is keyed "
                    f"from event {keyed.seq} on (rewritten without the server's key)"]  # fmt: skip
        if event.keyed and view.mac_key is None:
            expected = event.hash  # only the link can be checked without the key
        else:
            key = view.mac_key if event.keyed else None
            at = plain(event.at)
            expected = event_hash(
                prev, event.seq, event.record_id, at, event.kind, event.change, key
            )
        if event.prev_hash != prev or event.hash != expected:
            return [f"event {event.seq} was changed (record {event.record_id or '-'})"]
        prev = event.hash
    view.proven.append(_keying(view))
    return []


def _keying(view: ChainView) -> str:
    keyed = view.keyed_from
    if not view.events:
        return "the chain is empty"
    if keyed is None:
        return (f"no event is keyed (events {view.events[0].seq} to {view.head} were written "
                "before 0003): only the signed checkpoints protect them")  # fmt: skip
    said = f"keyed with the server's key from event {keyed.seq} ({plain(keyed.at)})"
    if keyed.seq > view.events[0].seq:
        said += f"; events {view.events[0].seq} to {keyed.seq - 1} are older and unkeyed"
    if view.mac_key is None:
        said += " (MACs not checked: no server key in this data folder)"
    return said


def check_records(view: ChainView) -> list[str]:
    """Every record is what its events make of it; none is missing, none was added."""
    purged_before = max((p["started_before"] for p in view.purges), default="")
    derived: dict[str, dict[str, Any]] = {}
    opened_at: dict[str, int] = {}
    for event in view.events:
        if not event.record_id:  # purges, reads and devices concern no session record
            continue
        change = json.loads(event.change)
        if "insert" in change:
            opened_at[event.record_id] = event.seq
        updated = apply(derived.get(event.record_id), change)
        if updated is not None:
            derived[event.record_id] = updated
    stored = {r.id: {c: plain(getattr(r, c)) for c in RECORD_COLUMNS} for r in view.records}
    for record_id in sorted(derived, key=lambda rid: opened_at[rid]):
        want = derived[record_id]
        have = stored.get(record_id)
        if have is None:
            if want["started_at"] < purged_before:
                continue  # purged with its time's events, though this one survived them
            return [f"record {record_id} (event {opened_at[record_id]}) was deleted"]
        for column in RECORD_COLUMNS:
            if have[column] != want[column]:
                return [f"record {record_id} was changed: {column} differs from its events"]
    for record_id in stored:
        if record_id not in derived:
            return [f"record {record_id} was not written by the server"]
    return []


def check_checkpoints(view: ChainView) -> list[str]:
    """Each checkpoint is signed by this server and matches the chain; none is missing from
    the schedule (each one says within how many events the next is due)."""
    if view.public_key is None:
        view.proven.append("checkpoints not checked: no server key in this data folder")
        return []
    head = view.head
    keyed = view.keyed_from
    # A keyed chain is signed from its first event; one from before 0003 every 100. After a
    # purge the schedule goes on from the one checkpoint kept before what is left.
    due = 1 if keyed is not None and keyed.seq == 1 else LEGACY_EVERY
    if view.purges:
        due = view.checkpoints[0].seq if view.checkpoints else view.first_seq + LEGACY_EVERY
    last: AuditCheckpoint | None = None
    for checkpoint in view.checkpoints:
        every = _signed_schedule(view.public_key, checkpoint)
        if every is None:
            return [f"checkpoint {checkpoint.seq} is not signed by this server"]
        if checkpoint.seq > head:
            return [f"events {head + 1} to {checkpoint.seq} are missing"]
        if checkpoint.seq in view.hashes and view.hashes[checkpoint.seq] != checkpoint.hash:
            return [f"the chain up to event {checkpoint.seq} differs from its checkpoint"]
        if checkpoint.seq > due:
            return [_missing(last, due)]
        due, last = checkpoint.seq + every, checkpoint
    if head >= due:
        return [_missing(last, due)]
    if last is None:
        view.proven.append("no signed checkpoint yet")
    elif last.seq == head:
        view.proven.append(f"signed up to event {head}, the head ({plain(last.at)})")
    else:
        view.proven.append(
            f"signed up to event {last.seq} ({plain(last.at)}); events {last.seq + 1} to "
            f"{head} are not under a checkpoint yet (a running server signs them soon)"
        )
    return []


def _signed_schedule(key: Ed25519PublicKey, checkpoint: AuditCheckpoint) -> int | None:
    """The schedule a checkpoint was signed with; None when this server did not sign it."""
    forms: list[tuple[int | None, int]] = []
    if checkpoint.every:
        forms.append((checkpoint.every, checkpoint.every))
    forms.append((None, LEGACY_EVERY))  # signed before 0003: the old message, every 100
    for signed_every, every in forms:
        try:
            key.verify(
                base64.b64decode(checkpoint.signature),
                checkpoint_message(checkpoint.seq, checkpoint.hash, signed_every),
            )
        except (InvalidSignature, ValueError):
            continue
        return every
    return None


def _missing(last: AuditCheckpoint | None, due: int) -> str:
    after = f"after the one at event {last.seq}" if last is not None else "before any other"
    return f"a checkpoint is missing: one was due by event {due}, {after}"


def check_anchor(view: ChainView) -> list[str]:
    """The chain reaches the newest checkpoint this data folder's server signed and the
    newest event it wrote, and is keyed from where it keyed it."""
    anchor = view.anchor
    if anchor is None:
        view.proven.append("no anchor in this data folder to compare the chain's end with")
        return []
    if view.head < anchor.seq:
        return [f"the chain was cut: this server signed up to event {anchor.seq} "
                f"({anchor.at}), the database ends at event {view.head}"]  # fmt: skip
    if anchor.seq in view.hashes and view.hashes[anchor.seq] != anchor.hash:
        return [f"event {anchor.seq} differs from what this server signed ({anchor.at})"]
    if anchor.head is not None and view.head < anchor.head:
        return [f"the chain was cut: this server wrote up to event {anchor.head}, the "
                f"database ends at event {view.head}"]  # fmt: skip
    if anchor.head in view.hashes and view.hashes[anchor.head] != anchor.head_hash:
        return [f"event {anchor.head} differs from what this server wrote"]
    if anchor.keyed_from is not None:
        expected = max(anchor.keyed_from, view.first_seq)
        keyed = view.keyed_from
        if keyed is None or keyed.seq != expected:
            found = f"event {keyed.seq}" if keyed is not None else "nowhere"
            return [f"the chain is keyed from {found}, but this server keyed it from "
                    f"event {expected}"]  # fmt: skip
    view.proven.append(f"reaches this data folder's last signed checkpoint, event {anchor.seq}")
    if anchor.head is not None:
        view.proven.append(f"reaches the last event this data folder's server wrote, event "
                           f"{anchor.head}")  # fmt: skip
    return []


STANDARD_CHECKS: tuple[Check, ...] = (check_links, check_records, check_checkpoints, check_anchor)
