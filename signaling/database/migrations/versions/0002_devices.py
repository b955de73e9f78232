"""Managed devices: devices, their actions, diagnostics reports, the nonces they used; and
the proven device on each session record (empty and not enrolled for records before it).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DEVICE_STATUSES = ("enrolled", "retired", "deleted")
ACTION_KINDS = (
    "sync", "restart", "lock", "rename", "diagnostics", "retire", "wipe", "fresh_start",
    "delete",
)  # fmt: skip
ACTION_STATES = ("pending", "delivered", "running", "succeeded", "failed", "cancelled")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("os", sa.String(length=100), nullable=False),
        sa.Column("os_version", sa.String(length=100), nullable=False),
        sa.Column("helpline_version", sa.String(length=256), nullable=False),
        sa.Column("owner", sa.String(length=256), nullable=False),
        sa.Column("owner_oid", sa.String(length=64), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_check_in", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", _enum(DEVICE_STATUSES, "devicestatus"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_key"),
    )
    op.create_table(
        "device_actions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("action", _enum(ACTION_KINDS, "actionkind"), nullable=False),
        sa.Column("state", _enum(ACTION_STATES, "actionstate"), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(length=256), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("approved_by", sa.String(length=256), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=256), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("platform_command", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_device_actions_device_state", "device_actions", ["device_id", "state"])
    op.create_table(
        "device_reports",
        sa.Column("action_id", sa.String(length=32), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["device_actions.id"]),
        sa.PrimaryKeyConstraint("action_id"),
    )
    op.create_table(
        "device_nonces",
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "nonce"),
    )
    op.create_index("ix_device_nonces_seen_at", "device_nonces", ["seen_at"])
    # Records from before devices were proven: no device id, not enrolled. The defaults stay
    # in the database only for them; the server always writes both columns.
    with op.batch_alter_table("session_records") as batch:
        batch.add_column(
            sa.Column("device_id", sa.String(length=32), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("device_enrolled", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("session_records") as batch:
        batch.drop_column("device_enrolled")
        batch.drop_column("device_id")
    op.drop_index("ix_device_nonces_seen_at", table_name="device_nonces")
    op.drop_table("device_nonces")
    op.drop_table("device_reports")
    op.drop_index("ix_device_actions_device_state", table_name="device_actions")
    op.drop_table("device_actions")
    op.drop_table("devices")
