"""The one way the server connects to its database: a SQLAlchemy engine from a URL.

SQLite gets WAL and transactions that take the write lock as they begin (one chain, also
with several processes on one file); other databases are used as they are. Errors a person
can cause (a malformed URL, a driver not installed) become a ``DatabaseError`` with one line
that never repeats the URL's password.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool


class DatabaseError(Exception):
    """The database cannot be used as asked; the message says why, in one line."""


def display_url(url: str) -> str:
    """The URL as logs and messages may show it: the password, if any, masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def one_line(exc: BaseException) -> str:
    """A driver's message (often several lines, with hints) as one line."""
    return " ".join(str(getattr(exc, "orig", None) or exc).split()) or type(exc).__name__


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _serialise_sqlite_writers(engine: Engine) -> None:
    """SQLAlchemy's recipe for SQLite: the driver's own transaction handling off, and
    ``BEGIN IMMEDIATE`` issued by us. A transaction then holds the database's write lock from
    its start, so a schema change is all or nothing, and two processes sharing the file (or
    replicas on one host) never both read the chain's head and link to it: a deferred
    transaction that read first could not upgrade once another process had appended."""
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    try:
        sqlite = make_url(url).get_backend_name() == "sqlite"
        # Processes sharing one SQLite file wait their turn for the write lock (seconds at most).
        options: dict[str, Any] = {"connect_args": {"timeout": 30}} if sqlite else {}
        engine = create_engine(url, pool_pre_ping=True, **options)
    except ArgumentError:
        raise DatabaseError(
            "HELPLINE_DATABASE_URL is not a database URL "
            "(e.g. postgresql+psycopg://USER:PASSWORD@HOST/DATABASE)"
        ) from None
    except ImportError as exc:
        raise DatabaseError(
            f"the database driver for {display_url(url)} is not installed ({exc.name}); "
            "for PostgreSQL: pip install 'helpline[postgres]'"
        ) from None
    if sqlite:
        _serialise_sqlite_writers(engine)
    return engine


@contextlib.contextmanager
def all_or_nothing_ddl(engine: Engine) -> Iterator[Engine]:
    """An engine whose transactions hold schema changes too, for migrations.

    PostgreSQL's do already. SQLite's need ``_serialise_sqlite_writers``: a migration gets a
    pool-less engine of its own with it, opened and closed around the upgrade.
    """
    if engine.dialect.name != "sqlite":
        yield engine
        return
    atomic = create_engine(engine.url, poolclass=NullPool, connect_args={"timeout": 30})
    _serialise_sqlite_writers(atomic)
    try:
        yield atomic
    finally:
        atomic.dispose()
