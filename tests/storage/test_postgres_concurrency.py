"""Several servers on one PostgreSQL database: the audit chain keeps one order, the schema is
upgraded once, and a verification is not fooled by a write in the middle of it.

Each test makes the worst overlap on purpose: the first server is held right after its
critical read (the chain's head, the schema's revision) until the second has either made
the same read or is waiting for a lock. Only a lock between processes (not the store's own
thread lock: these are two stores, as two replicas would have) lets both finish.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, event, text

from devtools.waiting import wait_until
from signaling.audit.models import Outcome
from signaling.audit.store import AuditFilter, AuditStore
from signaling.database import revisions
from signaling.database.engine import make_engine
from signaling.database.schema import current, open_database, upgrade

HEAD_READ = "FROM audit_events ORDER BY"
REVISION_READ = "FROM pg_catalog.pg_class"  # does alembic_version exist?


@pytest.fixture
def observer(postgres_url):
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def _someone_waits_for_a_lock(observer: Engine) -> bool:
    with observer.connect() as connection:
        return bool(connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))


def _overlap(
    first: Engine, second: Engine, read: str, observer: Engine
) -> Callable[[Callable[[], object], Callable[[], object]], list[BaseException]]:
    """Run two jobs, the first on ``first`` held after its statement containing ``read``."""
    held, second_read = threading.Event(), threading.Event()

    @event.listens_for(first, "after_cursor_execute")
    def _hold(_conn, _cursor, statement, *_args):
        if read in statement and not held.is_set():
            held.set()
            wait_until(
                lambda: second_read.is_set() or _someone_waits_for_a_lock(observer),
                "the second writer read too, or waited for a lock",
            )

    @event.listens_for(second, "after_cursor_execute")
    def _seen(_conn, _cursor, statement, *_args):
        if read in statement:
            second_read.set()

    def run(job_one: Callable[[], object], job_two: Callable[[], object]) -> list[BaseException]:
        errors: list[BaseException] = []

        def guarded(job: Callable[[], object]) -> Callable[[], None]:
            def target() -> None:
                try:
                    job()
                except BaseException as exc:
                    errors.append(exc)

            return target

        one = threading.Thread(target=guarded(job_one))
        one.start()
        wait_until(held.is_set, "the first writer made its read")
        two = threading.Thread(target=guarded(job_two))
        two.start()
        one.join()
        two.join()
        return errors

    return run


def test_two_servers_appending_to_one_chain_at_once_both_land_in_order(postgres_url, observer):
    first = AuditStore(open_database(postgres_url))
    second = AuditStore(open_database(postgres_url))
    first.open(outcome=Outcome.ACCEPTED, sharer_upn="a@contoso.example")  # a head to fight for
    run = _overlap(first.engine, second.engine, HEAD_READ, observer)
    errors = run(
        lambda: first.open(outcome=Outcome.ACCEPTED, sharer_upn="b@contoso.example"),
        lambda: second.open(outcome=Outcome.DECLINED, sharer_upn="c@contoso.example"),
    )
    assert errors == []
    rows = first.query(AuditFilter())
    assert sorted(r["sharer_upn"] for r in rows) == [
        "a@contoso.example", "b@contoso.example", "c@contoso.example",
    ]  # fmt: skip
    verdict = second.verify(None)
    assert verdict.ok and verdict.events == 3, verdict.problem
    first.engine.dispose()
    second.engine.dispose()


def test_two_servers_starting_on_an_empty_database_upgrade_it_once(postgres_url, observer):
    first, second = make_engine(postgres_url), make_engine(postgres_url)
    run = _overlap(first, second, REVISION_READ, observer)
    errors = run(lambda: upgrade(first), lambda: upgrade(second))
    assert errors == []
    with observer.connect() as connection:
        assert current(connection) == revisions.head()
    first.dispose()
    second.dispose()


def test_verifying_while_another_server_writes_reads_one_moment(postgres_url):
    reader = AuditStore(open_database(postgres_url))
    writer = AuditStore(open_database(postgres_url))
    writer.open(outcome=Outcome.ACCEPTED, sharer_upn="a@contoso.example")
    wrote: list[str] = []

    @event.listens_for(reader.engine, "after_cursor_execute")
    def _write_between_reads(_conn, _cursor, statement, *_args):
        if "FROM audit_events ORDER BY" in statement and not wrote:
            # After the reader has the events and before it reads the records.
            wrote.append(writer.open(outcome=Outcome.DECLINED, sharer_upn="b@contoso.example"))

    verdict = reader.verify(None)
    assert wrote and verdict.ok and verdict.events == 1, verdict.problem
    assert reader.verify(None).events == 2
    reader.engine.dispose()
    writer.engine.dispose()
