"""The device tables: devices, their actions, diagnostics reports and the nonces seen.

They live in the audit's database (same engine) so an action's change and its audit event
are written in one transaction; migration 0002 made them. A deleted device keeps its row
(status ``deleted``, hidden from the API) only so its next check-in can be verified and told
to retire.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from common.devices.actions import ActionKind, ActionState
from common.devices.records import DeviceStatus
from signaling.database.base import Base, enum_column


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    os: Mapped[str] = mapped_column(String(100), default="")
    os_version: Mapped[str] = mapped_column(String(100), default="")
    helpline_version: Mapped[str] = mapped_column(String(256), default="")
    owner: Mapped[str] = mapped_column(String(256))
    owner_oid: Mapped[str] = mapped_column(String(64), default="")
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_check_in: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[DeviceStatus] = mapped_column(
        enum_column(DeviceStatus), default=DeviceStatus.ENROLLED
    )


class DeviceAction(Base):
    __tablename__ = "device_actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(32), ForeignKey("devices.id"))
    action: Mapped[ActionKind] = mapped_column(enum_column(ActionKind))
    state: Mapped[ActionState] = mapped_column(enum_column(ActionState))
    parameters: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    requested_by: Mapped[str] = mapped_column(String(256))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_by: Mapped[str | None] = mapped_column(String(256), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(256), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    progress: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    platform_command: Mapped[str] = mapped_column(Text, default="")
    # The server's signature over what the agent may run (``common.devices.statements``),
    # made when the action became ready; migration 0004.
    statement: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (Index("ix_device_actions_device_state", "device_id", "state"),)


class DiagnosticsReportRow(Base):
    """A diagnostics report as the agent sent it (JSON text, size-capped by the frame)."""

    __tablename__ = "device_reports"

    action_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("device_actions.id"), primary_key=True
    )
    device_id: Mapped[str] = mapped_column(String(32))
    collected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    content: Mapped[str] = mapped_column(Text)


class DeviceNonce(Base):
    """Nonces a device used lately: a replayed envelope inserts a duplicate and is refused."""

    __tablename__ = "device_nonces"

    device_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
