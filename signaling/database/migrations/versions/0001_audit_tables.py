"""The audit's tables: session records, the hash-chained events, signed checkpoints.

Exactly what ``create_all`` made before there were migrations, so that such a database is
adopted by stamping this revision (``signaling.database.adoption``). The outcome's values are
written out here, not taken from the model: a migration says what the schema was then.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

OUTCOMES = (
    "pending", "accepted", "declined", "cancelled", "invalid_code", "rate_limited",
    "out_of_scope",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_table(
        "session_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("helper_upn", sa.String(length=256), nullable=False),
        sa.Column("helper_oid", sa.String(length=64), nullable=False),
        sa.Column("sharer_upn", sa.String(length=256), nullable=False),
        sa.Column("sharer_oid", sa.String(length=64), nullable=False),
        sa.Column("device_name", sa.String(length=200), nullable=False),
        sa.Column("source_address", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("granted_view", sa.Boolean(), nullable=False),
        sa.Column("granted_control", sa.Boolean(), nullable=False),
        sa.Column("used_view", sa.Boolean(), nullable=False),
        sa.Column("used_control", sa.Boolean(), nullable=False),
        sa.Column("used_chat", sa.Boolean(), nullable=False),
        sa.Column("used_elevation", sa.Boolean(), nullable=False),
        sa.Column("used_actions", sa.Boolean(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(*OUTCOMES, name="outcome", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("end_reason", sa.String(length=32), nullable=False),
        sa.Column("sharer_groups", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_session_records_started_at", "session_records", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_session_records_started_at", table_name="session_records")
    op.drop_table("session_records")
    op.drop_table("audit_events")
    op.drop_table("audit_checkpoints")
