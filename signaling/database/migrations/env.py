"""Alembic's entry point: runs the migrations on the connection it is handed.

The server (``signaling.database.schema``) passes an open connection, inside the transaction
that also holds the schema lock. ``scripts/new_migration.py``, writing a new migration, passes
one too, with the models to compare it with (``signaling.tables``): this package knows no
model of its own, and an upgrade needs none.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "the migrations run inside the server (helpline-signaling db upgrade); a new one is "
        "written with scripts/new_migration.py, not with the alembic command"
    )
context.configure(
    connection=connection,
    target_metadata=context.config.attributes.get("metadata"),
    compare_type=True,
    # SQLite alters a table by copying it; later migrations get that for free.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
