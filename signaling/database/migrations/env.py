"""Alembic's entry point: runs the migrations on the connection the server hands it.

The server (``signaling.database.schema``) passes an open connection, inside the transaction
that also holds the schema lock. Run from the ``alembic`` command (writing a new migration),
there is none, and the database is the server's own: ``HELPLINE_DATABASE_URL`` or the SQLite
file in the data folder.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from signaling.database.engine import make_engine
from signaling.database.tables import METADATA


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        compare_type=True,
        # SQLite alters a table by copying it; later migrations get that for free.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    from signaling.settings import ServerSettings

    engine = make_engine(ServerSettings().db_url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()
