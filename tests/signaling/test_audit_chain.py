"""A tamper-evident audit: offline edits of records, events or checkpoints are found, on
SQLite and on PostgreSQL (the edits are made in plain SQL, as someone with the file or a
database login would)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text

from common.permissions import Feature
from common.protocol import Consent, End, RedeemCode, ReportFeature, RequestCode
from signaling.audit.models import USED_COLUMNS, Outcome
from signaling.audit.store import AuditStore
from signaling.database.schema import open_database
from tests.signaling.inprocess import in_process_server

KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def db(database_url):
    store = AuditStore(open_database(database_url), signing_key=KEY)
    first = store.open(outcome=Outcome.PENDING, sharer_upn="bob@contoso.example")
    store.set(first, outcome=Outcome.ACCEPTED, consent_at=datetime.now(UTC))
    store.flag(first, USED_COLUMNS[Feature.CHAT])
    second = store.open(outcome=Outcome.INVALID_CODE, sharer_upn="eve@contoso.example")
    store.count_attempt(second, datetime.now(UTC))
    store.close_all_open("server_shutdown")  # also signs a checkpoint
    store.engine.dispose()
    return database_url


def _verify(url) -> str | None:
    store = AuditStore(open_database(url))
    try:
        return store.verify(KEY).problem
    finally:
        store.engine.dispose()


def _sql(url, *statements: str, **params) -> list:
    """Run statements in one transaction, outside the server; the last one's rows."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                result = conn.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def _record_ids(url) -> list[str]:
    return [r[0] for r in _sql(url, "SELECT record_id FROM audit_events ORDER BY seq")]


def test_an_untouched_audit_verifies(db):
    assert _verify(db) is None


def test_an_edited_record_is_named(db):
    victim = _record_ids(db)[0]
    _sql(db, "UPDATE session_records SET used_chat = FALSE WHERE id = :id", id=victim)
    assert _verify(db) == f"record {victim} was changed: used_chat differs from its events"


def test_an_edited_event_is_named(db):
    _sql(db, "UPDATE audit_events SET change = replace(change, 'bob', 'bill') WHERE seq = 1")
    assert _verify(db).startswith("event 1 was changed")


def test_a_removed_event_is_named(db):
    _sql(db, "DELETE FROM audit_events WHERE seq = 3")
    assert _verify(db) == "event 3 is missing"


def test_a_removed_or_forged_record_is_named(db):
    victim = _record_ids(db)[0]
    _sql(db, "DELETE FROM session_records WHERE id = :id", id=victim)
    assert _verify(db).startswith(f"record {victim} (event 1) was deleted")


def test_a_forged_record_is_named(db):
    _sql(
        db,
        "CREATE TEMP TABLE copy AS SELECT * FROM session_records LIMIT 1",
        "UPDATE copy SET id = 'forged'",
        "INSERT INTO session_records SELECT * FROM copy",
    )
    assert _verify(db) == "record forged was not written by the server"


def test_cutting_the_tail_is_caught_by_the_signed_checkpoint(db):
    [(last, record_id)] = _sql(
        db, "SELECT seq, record_id FROM audit_events ORDER BY seq DESC LIMIT 1"
    )
    # Remove the last event and undo its change, so records and events agree again.
    _sql(
        db,
        "DELETE FROM audit_events WHERE seq = :seq",
        "UPDATE session_records SET ended_at = NULL, end_reason = '' WHERE id = :id",
        seq=last,
        id=record_id,
    )
    assert _verify(db) == f"events {last} to {last} are missing"


def test_a_checkpoint_not_signed_by_this_server_is_named(db):
    [(seq,)] = _sql(db, "SELECT max(seq) FROM audit_checkpoints")
    _sql(db, "UPDATE audit_checkpoints SET signature = 'AAAA' WHERE seq = :seq", seq=seq)
    assert _verify(db) == f"checkpoint {seq} is not signed by this server"


def test_purging_keeps_the_chain_verifiable_and_cutting_its_start_is_caught(database_url):
    store = AuditStore(open_database(database_url), signing_key=KEY)
    store.open(outcome=Outcome.ACCEPTED, sharer_upn="old@contoso.example")
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    _sql(database_url, "UPDATE audit_events SET at = :at", at=long_ago)  # as if long ago
    _sql(database_url, "UPDATE session_records SET started_at = :at", at=long_ago)
    # (That edit broke the hash of event 1, which the purge is about to remove anyway.)
    store.open(outcome=Outcome.ACCEPTED, sharer_upn="new@contoso.example")
    assert store.purge(datetime.now(UTC) - timedelta(days=30)) == 1
    assert store.verify(KEY).problem is None
    _sql(database_url, "DELETE FROM audit_events WHERE seq = (SELECT min(seq) FROM audit_events)")
    assert store.verify(KEY).problem == "event 2 is missing: the chain starts at 3"
    store.engine.dispose()


def test_audit_verify_on_the_command_line_after_a_real_session(database_url, tmp_path):
    with in_process_server(tmp_path, database_url=database_url) as server:
        helper = server.signed_in("alice@contoso.example", "helper")
        helper.send(RequestCode())
        code = helper.recv()
        sharer = server.signed_in("bob@contoso.example", "sharer")
        sharer.send(RedeemCode(code=code.code))
        sharer.recv()
        helper.recv()
        sharer.send(Consent(level="view"))
        helper.recv()
        helper.send(ReportFeature(feature="chat"))
        sharer.send(End())
        helper.recv()
    command = [sys.executable, "-m", "signaling", "audit", "verify", "--data-dir"]
    command.append(str(server.data_dir))
    env = {**os.environ, "HELPLINE_DATABASE_URL": server.settings.db_url}
    ok = subprocess.run(command, capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and ok.stdout.startswith("audit ok:"), ok.stderr
    _sql(server.settings.db_url, "UPDATE session_records SET used_chat = FALSE")
    broken = subprocess.run(command, capture_output=True, text=True, env=env)
    assert broken.returncode == 1 and "used_chat differs from its events" in broken.stderr
    assert "Traceback" not in broken.stderr


def _age(url, when) -> None:
    """Time passing for every row written so far (their MACs no longer match: a purge is to
    remove them)."""
    _sql(url, "UPDATE audit_events SET at = :at", at=when)
    _sql(url, "UPDATE session_records SET started_at = :at", at=when)


def test_after_a_purge_a_deleted_record_is_still_named(database_url):
    """A purge excuses only the records it removed (started before its cut-off): one that
    started after it and is deleted later is named."""
    store = AuditStore(open_database(database_url), signing_key=KEY)
    store.open(outcome=Outcome.ACCEPTED, sharer_upn="old@contoso.example")
    store.open(outcome=Outcome.ACCEPTED, sharer_upn="old@contoso.example")
    _age(database_url, datetime(2020, 1, 1, tzinfo=UTC))
    kept = store.open(outcome=Outcome.ACCEPTED, sharer_upn="new@contoso.example")
    assert store.purge(datetime.now(UTC) - timedelta(days=30)) == 2
    newer = store.open(outcome=Outcome.DECLINED, sharer_upn="new@contoso.example")
    assert store.verify(KEY).problem is None
    for victim, seq in ((newer, 5), (kept, 3)):
        _sql(database_url, "DELETE FROM session_records WHERE id = :id", id=victim)
        assert store.verify(KEY).problem == f"record {victim} (event {seq}) was deleted"
    store.engine.dispose()


def test_a_purge_of_every_old_event_keeps_the_head_and_the_chain_goes_on_from_it(database_url):
    """Before, a purge that removed every event restarted the chain at event 1, and the
    server's own checkpoints and anchor then disagreed with it."""
    store = AuditStore(open_database(database_url), signing_key=KEY)
    for _ in range(3):
        store.open(outcome=Outcome.ACCEPTED, sharer_upn="old@contoso.example")
    _age(database_url, datetime(2020, 1, 1, tzinfo=UTC))
    store.purge(datetime.now(UTC) - timedelta(days=30))
    assert [seq for (seq,) in _sql(database_url, "SELECT seq FROM audit_events ORDER BY seq")] == [
        3,
        4,
    ], "the head (event 3) stays and the purge's own event follows it"
    store.engine.dispose()
