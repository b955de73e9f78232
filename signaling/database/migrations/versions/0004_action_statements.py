"""The server's signed statement on each device action: what was asked, by whom, approved by
whom. The agent runs an action only when the statement verifies with the key it learnt at
enrolment, so a row written into the table by anyone but the server is never carried out.
Actions from before it have none (empty) and are refused by agents that check.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("device_actions") as batch:
        batch.add_column(sa.Column("statement", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("device_actions") as batch:
        batch.drop_column("statement")
