"""A tamper-evident audit: offline edits of records, events or checkpoints are found."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from common.permissions import Feature
from common.protocol import Consent, End, RedeemCode, ReportFeature, RequestCode
from signaling.audit.models import USED_COLUMNS, Outcome
from signaling.audit.store import AuditStore
from tests.signaling.inprocess import in_process_server

KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "audit.db"
    store = AuditStore(f"sqlite:///{path}", signing_key=KEY)
    first = store.open(outcome=Outcome.PENDING, sharer_upn="bob@contoso.example")
    store.set(first, outcome=Outcome.ACCEPTED, consent_at=datetime.now(UTC))
    store.flag(first, USED_COLUMNS[Feature.CHAT])
    second = store.open(outcome=Outcome.INVALID_CODE, sharer_upn="eve@contoso.example")
    store.count_attempt(second, datetime.now(UTC))
    store.close_all_open("server_shutdown")  # also signs a checkpoint
    store.engine.dispose()
    return path


def _verify(path) -> str | None:
    return AuditStore(f"sqlite:///{path}").verify(KEY.public_key()).problem


def _sql(path, statement: str, *args) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(statement, args)


def _record_ids(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT record_id FROM audit_events ORDER BY seq")]


def test_an_untouched_audit_verifies(db_path):
    assert _verify(db_path) is None


def test_an_edited_record_is_named(db_path):
    victim = _record_ids(db_path)[0]
    _sql(db_path, "UPDATE session_records SET used_chat = 0 WHERE id = ?", victim)
    assert _verify(db_path) == f"record {victim} was changed: used_chat differs from its events"


def test_an_edited_event_is_named(db_path):
    _sql(db_path, "UPDATE audit_events SET change = replace(change, 'bob', 'bill') WHERE seq = 1")
    assert _verify(db_path).startswith("event 1 was changed")


def test_a_removed_event_is_named(db_path):
    _sql(db_path, "DELETE FROM audit_events WHERE seq = 3")
    assert _verify(db_path) == "event 3 is missing"


def test_a_removed_or_forged_record_is_named(db_path):
    victim = _record_ids(db_path)[0]
    _sql(db_path, "DELETE FROM session_records WHERE id = ?", victim)
    assert _verify(db_path).startswith(f"record {victim} (event 1) was deleted")


def test_a_forged_record_is_named(db_path):
    with sqlite3.connect(db_path) as conn:
        conn.executescript(
            "CREATE TEMP TABLE copy AS SELECT * FROM session_records LIMIT 1;"
            "UPDATE copy SET id = 'forged';"
            "INSERT INTO session_records SELECT * FROM copy;"
        )
    assert _verify(db_path) == "record forged was not written by the server"


def test_cutting_the_tail_is_caught_by_the_signed_checkpoint(db_path):
    with sqlite3.connect(db_path) as conn:
        last = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        record = conn.execute("SELECT record_id FROM audit_events WHERE seq = ?", (last,))
        record_id = record.fetchone()[0]
    # Remove the last event and undo its change, so records and events agree again.
    _sql(db_path, "DELETE FROM audit_events WHERE seq = ?", last)
    _sql(
        db_path,
        "UPDATE session_records SET ended_at = NULL, end_reason = '' WHERE id = ?",
        record_id,
    )
    assert _verify(db_path) == f"events {last} to {last} are missing"


def test_a_checkpoint_not_signed_by_this_server_is_named(db_path):
    with sqlite3.connect(db_path) as conn:
        seq = conn.execute("SELECT max(seq) FROM audit_checkpoints").fetchone()[0]
    _sql(db_path, "UPDATE audit_checkpoints SET signature = 'AAAA' WHERE seq = ?", seq)
    assert _verify(db_path) == f"checkpoint {seq} is not signed by this server"


def test_purging_keeps_the_chain_verifiable_and_cutting_its_start_is_caught(tmp_path):
    path = tmp_path / "audit.db"
    store = AuditStore(f"sqlite:///{path}", signing_key=KEY)
    store.open(outcome=Outcome.ACCEPTED, sharer_upn="old@contoso.example")
    _sql(path, "UPDATE audit_events SET at = '2020-01-01 00:00:00'")  # as if long ago
    _sql(path, "UPDATE session_records SET started_at = '2020-01-01 00:00:00'")
    # (That edit broke the hash of event 1, which the purge is about to remove anyway.)
    store.open(outcome=Outcome.ACCEPTED, sharer_upn="new@contoso.example")
    assert store.purge(datetime.now(UTC) - timedelta(days=30)) == 1
    assert store.verify(KEY.public_key()).problem is None
    _sql(path, "DELETE FROM audit_events WHERE seq = (SELECT min(seq) FROM audit_events)")
    assert store.verify(KEY.public_key()).problem == "event 2 is missing: the chain starts at 3"


def test_audit_verify_on_the_command_line_after_a_real_session(tmp_path):
    with in_process_server(tmp_path) as server:
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
    ok = subprocess.run([*command, str(server.data_dir)], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("audit ok:"), ok.stderr
    _sql(server.data_dir / "helpline.db", "UPDATE session_records SET used_chat = 0")
    broken = subprocess.run([*command, str(server.data_dir)], capture_output=True, text=True)
    assert broken.returncode == 1 and "used_chat differs from its events" in broken.stderr
    assert "Traceback" not in broken.stderr
