"""Which revision a database is at, and bringing it to the one this version needs.

The server calls ``open_database`` at start-up, before it accepts a connection: with
``migrate=auto`` (the default) it adopts a database made before migrations and upgrades it
to head; with ``never`` it refuses to run on a database that is not at head already, so an
operator can upgrade on their own schedule (``helpline-signaling db upgrade``). A database at
a revision this version does not know was upgraded by a newer version and is always refused.
The upgrade is one transaction under a lock (an advisory lock on PostgreSQL, SQLite's write
lock): it happens whole or not at all, and replicas starting together migrate once.
"""

from __future__ import annotations

import logging
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData
from sqlalchemy.exc import SQLAlchemyError

from signaling.database import revisions
from signaling.database.adoption import adopt
from signaling.database.engine import DatabaseError, all_or_nothing_ddl, make_engine, one_line
from signaling.database.locks import hold_for_transaction
from signaling.settings import Migrate

log = logging.getLogger(__name__)
SCHEMA_LOCK = "helpline-schema"


def current(connection: Connection) -> str | None:
    """The database's revision; None before the first migration (or adoption)."""
    return MigrationContext.configure(connection).get_current_revision()


def _refuse_unknown(revision: str | None) -> None:
    if revision is not None and not revisions.is_known(revision):
        raise DatabaseError(
            f"the database is at revision {revision}, which this version of Helpline does not "
            f"know (it needs {revisions.head()}): was it upgraded by a newer version?"
        )


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Adopt if need be, then migrate to head, in one transaction; (before, after)."""
    with all_or_nothing_ddl(engine) as atomic, atomic.begin() as connection:
        hold_for_transaction(connection, SCHEMA_LOCK)
        before = current(connection)
        _refuse_unknown(before)
        if before is None and adopt(connection):
            before = revisions.BASELINE
        command.upgrade(revisions.alembic_config(connection), "head")
        return before, revisions.head()


def require_head(engine: Engine) -> None:
    """Refuse, saying what to do, unless the database is at head."""
    with engine.connect() as connection:
        revision = current(connection)
    _refuse_unknown(revision)
    head = revisions.head()
    if revision != head:
        raise DatabaseError(
            f"the database is at revision {revision or 'none'} and this version needs {head}; "
            "run 'helpline-signaling db upgrade' (or start without HELPLINE_MIGRATE=never)"
        )


def differences(engine: Engine, models: MetaData) -> list[Any]:
    """Where the database's schema and ``models`` disagree (Alembic's autogenerate diff);
    the caller names the models (``signaling.tables``), which this layer does not know."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, models))


def describe(difference: Any) -> str:
    """One autogenerate difference in a few words: what, and the names it concerns."""
    if isinstance(difference, list):  # changes to one column come grouped
        return "; ".join(describe(change) for change in difference)
    kind, *details = difference
    names = [d if isinstance(d, str) else getattr(d, "name", None) for d in details]
    return " ".join([kind, *(str(name) for name in names if name)])


def prepare(engine: Engine, migrate: Migrate) -> None:
    """Bring the database to head (``auto``) or check that it is there (``never``)."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        if migrate is Migrate.NEVER:
            require_head(engine)
            return
        before, after = upgrade(engine)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot use the database {where}: {one_line(exc)}") from None
    if before != after:
        log.info("database upgraded from=%s to=%s url=%s", before or "empty", after, where)


def open_database(url: str, migrate: Migrate = Migrate.AUTO) -> Engine:
    """An engine on a database whose schema is the one this version needs."""
    engine = make_engine(url)
    try:
        prepare(engine, migrate)
    except DatabaseError:
        engine.dispose()
        raise
    return engine
