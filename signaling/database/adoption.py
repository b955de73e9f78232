"""Adopting a database made before there were migrations.

Such a database has the baseline revision's tables (``create_all`` made them) but no
``alembic_version``: when every table and column of the baseline is there, the baseline is
stamped and the migrations go on from it, with every row kept. A records table from before
typed columns and the hash chain is renamed aside first (nothing is lost) and the tables are
made anew. Anything else that looks half like ours is refused rather than guessed at.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Connection, create_engine, inspect

from signaling.database.engine import DatabaseError
from signaling.database.revisions import BASELINE, alembic_config

log = logging.getLogger(__name__)
VERSION_TABLE = "alembic_version"
RECORDS = "session_records"


@functools.cache
def baseline_tables() -> dict[str, frozenset[str]]:
    """The tables and columns the baseline revision makes, read back from a scratch database:
    the migration itself is the one description of them."""
    scratch = create_engine("sqlite://")
    with scratch.begin() as connection:
        command.upgrade(alembic_config(connection), BASELINE)
        inspector = inspect(connection)
        tables = {
            name: frozenset(column["name"] for column in inspector.get_columns(name))
            for name in inspector.get_table_names()
            if name != VERSION_TABLE
        }
    scratch.dispose()
    return tables


def _columns(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {
        name: {column["name"] for column in inspector.get_columns(name)}
        for name in inspector.get_table_names()
        if name in baseline_tables()
    }


def _set_aside_older_records(connection: Connection) -> None:
    kept = f"{RECORDS}_before_{datetime.now(UTC):%Y%m%d%H%M%S}"
    for index in inspect(connection).get_indexes(RECORDS):
        connection.exec_driver_sql(f'DROP INDEX IF EXISTS "{index["name"]}"')
    connection.exec_driver_sql(f'ALTER TABLE "{RECORDS}" RENAME TO "{kept}"')
    log.warning("audit records of an older version were kept as table %s", kept)


def adopt(connection: Connection) -> bool:
    """Prepare a database without a revision for the migrations; True when it was stamped
    with the baseline, False when it holds none of our tables (the migrations make them)."""
    baseline = baseline_tables()
    found = _columns(connection)
    if RECORDS in found and not baseline[RECORDS] <= found[RECORDS]:
        _set_aside_older_records(connection)
        found = _columns(connection)
    if not found:
        return False
    incomplete = sorted(
        name for name, columns in baseline.items() if not columns <= found.get(name, set())
    )
    if incomplete:
        raise DatabaseError(
            f"the database has some of Helpline's tables ({', '.join(sorted(found))}) but not "
            f"as any version made them (see {', '.join(incomplete)}): it cannot be adopted"
        )
    command.stamp(alembic_config(connection), BASELINE)
    log.info("adopted a database made before migrations revision=%s", BASELINE)
    return True
