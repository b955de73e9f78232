"""The audit table. It holds who, when, what was granted and used, and why it ended.

Deliberately absent: codes, tokens, chat text, images, keystrokes. Every granted level and
used feature is its own boolean column, so each is set by one ``UPDATE`` of that column and
two concurrent writers can never overwrite each other's facts.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from common.permissions import ConsentLevel, Feature
from signaling.database.base import Base, enum_column


class Outcome(StrEnum):
    """How a session attempt turned out; refusals are summarised (see ``attempts``)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    INVALID_CODE = "invalid_code"
    RATE_LIMITED = "rate_limited"
    OUT_OF_SCOPE = "out_of_scope"
    DEVICE_REFUSED = "device_refused"  # an unenrolled device, where the policy wants enrolment


REFUSALS = frozenset(
    {Outcome.INVALID_CODE, Outcome.RATE_LIMITED, Outcome.OUT_OF_SCOPE, Outcome.DEVICE_REFUSED}
)
SERVER_RESTART = "server_restart"


class SessionRecord(Base):
    __tablename__ = "session_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    helper_upn: Mapped[str] = mapped_column(String(256), default="")
    helper_oid: Mapped[str] = mapped_column(String(64), default="")
    sharer_upn: Mapped[str] = mapped_column(String(256), default="")
    sharer_oid: Mapped[str] = mapped_column(String(64), default="")
    device_name: Mapped[str] = mapped_column(String(200), default="")
    # The enrolled device that proved itself with its key; empty (and not enrolled) when the
    # sharer's device did not, and device_name is only what its app claimed.
    device_id: Mapped[str] = mapped_column(String(32), default="")
    device_enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    source_address: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    granted_view: Mapped[bool] = mapped_column(Boolean, default=False)
    granted_control: Mapped[bool] = mapped_column(Boolean, default=False)
    used_view: Mapped[bool] = mapped_column(Boolean, default=False)
    used_control: Mapped[bool] = mapped_column(Boolean, default=False)
    used_chat: Mapped[bool] = mapped_column(Boolean, default=False)
    used_elevation: Mapped[bool] = mapped_column(Boolean, default=False)
    used_actions: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome), default=Outcome.PENDING)
    # An EndReason value, or SERVER_RESTART for records a killed server left open.
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    # The device's groups (the sharer's own for an unenrolled device) when the record was
    # opened: what auditors are scoped by.
    sharer_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A refusal row stands for this many refused attempts in its window (started..ended).
    attempts: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (Index("ix_session_records_started_at", "started_at"),)


GRANTED_COLUMNS = {
    ConsentLevel.VIEW: SessionRecord.granted_view,
    ConsentLevel.CONTROL: SessionRecord.granted_control,
}
USED_COLUMNS = {
    Feature.VIEW: SessionRecord.used_view,
    Feature.CONTROL: SessionRecord.used_control,
    Feature.CHAT: SessionRecord.used_chat,
    Feature.ELEVATION: SessionRecord.used_elevation,
    Feature.ACTIONS: SessionRecord.used_actions,
}


class AuditEvent(Base):
    """One change to one record, chained: ``hash`` covers this event and ``prev_hash``.

    The records table is what people query; these events are what it is derived from, so an
    offline edit of either is found by ``helpline-signaling audit verify``.
    """

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    record_id: Mapped[str] = mapped_column(String(36), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))
    change: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # An HMAC under the server's chain key (0003 on); false: plain SHA-256, written before.
    keyed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class AuditCheckpoint(Base):
    """The chain's head at some moment, signed with the server's Ed25519 key."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    signature: Mapped[str] = mapped_column(String(200))
    # The next checkpoint is due within this many events (signed with it); None before 0003.
    every: Mapped[int | None] = mapped_column(Integer, nullable=True)
