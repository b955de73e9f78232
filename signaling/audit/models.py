"""The audit table. It holds who, when, what was allowed and used, and why it ended.

Deliberately absent: codes, tokens, chat text, images, keystrokes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SessionRecord(Base):
    __tablename__ = "session_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    helper_upn: Mapped[str] = mapped_column(String(256), default="")
    helper_oid: Mapped[str] = mapped_column(String(64), default="")
    sharer_upn: Mapped[str] = mapped_column(String(256), default="")
    sharer_oid: Mapped[str] = mapped_column(String(64), default="")
    device_name: Mapped[str] = mapped_column(String(200), default="")
    source_address: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    levels_granted: Mapped[str] = mapped_column(String(64), default="")
    features_used: Mapped[str] = mapped_column(String(128), default="")
    outcome: Mapped[str] = mapped_column(String(32), default="pending")
    end_reason: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (Index("ix_session_records_started_at", "started_at"),)
