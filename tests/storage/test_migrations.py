"""The schema is made and changed only by the migrations, on SQLite and on PostgreSQL: from
empty to head, matching the models; a database made by ``create_all`` adopted with its rows;
a database behind refused when the server is told not to migrate."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from alembic import command
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, MetaData, Table, event, inspect, text

from signaling.audit import chain
from signaling.audit.models import Outcome
from signaling.audit.store import AuditFilter, AuditStore
from signaling.database import revisions
from signaling.database.engine import DatabaseError, make_engine
from signaling.database.schema import current, differences, open_database
from signaling.settings import Migrate
from signaling.tables import METADATA

KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def engine(database_url):
    """A bare engine on an empty database: no schema yet."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _revision(engine) -> str | None:
    with engine.connect() as connection:
        return current(connection)


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_an_empty_database_is_upgraded_to_head_and_matches_the_models(database_url, engine):
    open_database(database_url).dispose()
    assert _revision(engine) == revisions.head()
    assert set(METADATA.tables) <= _tables(engine)
    assert differences(engine, METADATA) == []


def test_a_migration_failing_half_way_leaves_the_database_as_it_was(database_url, engine):
    def break_the_index(conn, _cursor, statement, parameters, *_args):
        # The first migration's last step fails in this database, as a full disk would.
        if conn.engine.url.database == engine.url.database:
            statement = statement.replace("ON session_records", "ON no_such_table")
        return statement, parameters

    event.listen(Engine, "before_cursor_execute", break_the_index, retval=True)
    try:
        with pytest.raises(DatabaseError, match="no_such_table"):
            open_database(database_url)
    finally:
        event.remove(Engine, "before_cursor_execute", break_the_index)
    assert _tables(engine) == set()
    open_database(database_url).dispose()
    assert _revision(engine) == revisions.head()


def test_the_models_and_the_migrations_agree_column_by_column(database_url, engine):
    """The check CI relies on is not blind: a column the models lack is a difference."""
    open_database(database_url).dispose()
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_events ADD COLUMN note VARCHAR(10)"))
    [(kind, *_, column)] = differences(engine, METADATA)
    assert (kind, column.name) == ("remove_column", "note")


def _back_to_baseline(engine) -> None:
    """Leave what a version before migrations made: the baseline's tables, no revision. The
    models have grown since (create_all makes more); the later migrations' downgrades take
    the schema back, keeping the rows."""
    with engine.begin() as connection:
        command.stamp(revisions.alembic_config(connection), "head")
        command.downgrade(revisions.alembic_config(connection), revisions.BASELINE)
        connection.execute(text("DROP TABLE alembic_version"))


def _sign_as_before_0003(engine) -> None:
    """A checkpoint over the head as versions before 0003 signed it (no schedule in it)."""
    with engine.begin() as connection:
        seq, head = connection.execute(
            text("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        ).one()
        signature = base64.b64encode(KEY.sign(chain.checkpoint_message(seq, head, None)))
        connection.execute(
            text(
                "INSERT INTO audit_checkpoints (seq, hash, at, signature) "
                "VALUES (:seq, :hash, :at, :signature)"
            ),
            {"seq": seq, "hash": head, "at": datetime.now(UTC), "signature": signature.decode()},
        )


def test_a_create_all_database_is_adopted_with_its_rows_and_its_chain(database_url, engine):
    """Its unkeyed events (plain SHA-256, before 0003) still verify, under the checkpoint
    signed then; the events written after the upgrade are keyed, and verify says from where."""
    METADATA.create_all(engine)  # as every version before migrations made it
    old = AuditStore(engine)  # without the key: the events as plain SHA-256, as then
    first = old.open(outcome=Outcome.ACCEPTED, sharer_upn="bob@contoso.example")
    old.close_all_open("server_shutdown")
    _back_to_baseline(engine)
    _sign_as_before_0003(engine)
    assert _revision(engine) is None

    store = AuditStore(open_database(database_url), signing_key=KEY)
    assert _revision(engine) == revisions.head()
    assert differences(engine, METADATA) == []
    store.open(outcome=Outcome.DECLINED, sharer_upn="carol@contoso.example")
    rows = {row["id"]: row for row in store.query(AuditFilter())}
    assert rows[first]["sharer_upn"] == "bob@contoso.example"
    assert rows[first]["end_reason"] == "server_shutdown"
    assert len(rows) == 2
    verdict = store.verify(KEY)
    assert verdict.ok and verdict.checkpoints == 1, verdict.problem
    assert verdict.proven[0].startswith("keyed with the server's key from event 3 (")
    assert verdict.proven[0].endswith("events 1 to 2 are older and unkeyed")
    store.engine.dispose()


def test_records_of_an_older_version_are_kept_aside_and_new_tables_made(
    database_url, engine, caplog
):
    with engine.begin() as connection:
        for statement in (
            "CREATE TABLE session_records (id VARCHAR(36) PRIMARY KEY, sharer_upn VARCHAR(256),"
            " started_at TIMESTAMP, features_used VARCHAR(128), outcome VARCHAR(32))",
            "CREATE INDEX ix_session_records_started_at ON session_records (started_at)",
            "INSERT INTO session_records VALUES ('old', 'bob@contoso.example',"
            " '2026-01-01 00:00:00', 'view,chat', 'accepted')",
        ):
            connection.execute(text(statement))
    store = AuditStore(open_database(database_url))
    store.open(outcome=Outcome.PENDING, sharer_upn="new@contoso.example")
    assert [r["sharer_upn"] for r in store.query(AuditFilter())] == ["new@contoso.example"]
    assert "kept as table session_records_before_" in caplog.text
    [kept] = [t for t in _tables(engine) if t.startswith("session_records_before_")]
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT features_used FROM {kept}")).all() == [
            ("view,chat",)
        ]
    store.engine.dispose()


def test_a_database_with_only_some_of_our_tables_is_refused(database_url, engine):
    METADATA.tables["audit_events"].create(engine)
    with pytest.raises(DatabaseError, match="cannot be adopted"):
        open_database(database_url)
    assert _revision(engine) is None


def test_told_not_to_migrate_the_server_refuses_a_database_behind(database_url, engine):
    with pytest.raises(DatabaseError) as refused:
        open_database(database_url, Migrate.NEVER)
    assert str(refused.value) == (
        f"the database is at revision none and this version needs {revisions.head()}; "
        "run 'helpline-signaling db upgrade' (or start without HELPLINE_MIGRATE=never)"
    )
    assert _tables(engine) == set()
    open_database(database_url).dispose()
    open_database(database_url, Migrate.NEVER).dispose()  # at head: fine


def test_a_revision_from_a_newer_version_is_refused_either_way(database_url, engine):
    open_database(database_url).dispose()
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    for migrate in Migrate:
        with pytest.raises(DatabaseError, match="revision f00d, which this version"):
            open_database(database_url, migrate)


def test_records_written_before_devices_still_verify_after_the_upgrade(database_url, engine):
    """Events from before 0002 do not name the device columns: the chain still checks out,
    and those records read as not enrolled."""
    started = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as connection:
        command.upgrade(revisions.alembic_config(connection), revisions.BASELINE)
        records = Table("session_records", MetaData(), autoload_with=connection)
        events = Table("audit_events", MetaData(), autoload_with=connection)
        row = {column.name: False for column in records.columns if column.name.startswith(
            ("granted_", "used_"))}  # fmt: skip
        row |= {"helper_upn": "", "helper_oid": "", "sharer_upn": "bob@contoso.example",
                "sharer_oid": "", "device_name": "OLD-PC", "source_address": "",
                "started_at": started, "consent_at": None, "ended_at": None,
                "outcome": "pending", "end_reason": "", "sharer_groups": [],
                "attempts": 1}  # fmt: skip
        connection.execute(records.insert().values(id="r1", **row))
        change = chain.canonical({"insert": {k: chain.plain(v) for k, v in row.items()}})
        digest = chain.event_hash(chain.GENESIS, 1, "r1", chain.plain(started), "opened", change)
        connection.execute(events.insert().values(seq=1, record_id="r1", at=started,
            kind="opened", change=change, prev_hash=chain.GENESIS, hash=digest))  # fmt: skip

    store = AuditStore(open_database(database_url))
    assert store.verify(None).ok, store.verify(None).problem
    [old] = store.query(AuditFilter())
    assert (old["device_name"], old["device_id"], old["device_enrolled"]) == ("OLD-PC", "", False)
    store.engine.dispose()
