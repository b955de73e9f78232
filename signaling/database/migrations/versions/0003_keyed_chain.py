"""The keyed audit chain: which events are HMACs under the server's chain key, and the
schedule each checkpoint was signed with. Events and checkpoints already there keep their
plain SHA-256 and their old signatures (``keyed`` false, ``every`` empty); ``audit verify``
says from which event on the chain is keyed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "audit_events",
        sa.Column("keyed", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("audit_checkpoints", sa.Column("every", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_checkpoints") as batch:
        batch.drop_column("every")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("keyed")
