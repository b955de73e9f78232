"""Audit records: written with the right fields, readable by auditors only, purged when old."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx

from common.protocol import Consent, Control, End, RedeemCode, ReportFeature
from devtools.server import start_server
from signaling.audit.store import AuditFilter, AuditStore
from signaling.database.schema import open_database
from tests.signaling.test_pairing import _pair
from tests.signaling.wsclient import WsClient


def _api(server, token=None, **params):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(server.url + "/v1/audit/sessions", headers=headers, params=params)


async def _wait_closed(server, predicate):
    for _ in range(100):
        rows = _api(server, server.token_for("dana@contoso.example")).json()["sessions"]
        if rows and predicate(rows):
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"audit not as expected: {rows}")


async def test_a_session_is_recorded_with_levels_features_and_reason(signaling_server):
    helper, sharer, _ = await _pair(signaling_server)
    await sharer.recv()
    await helper.recv()
    await sharer.send(Consent(level="view"))
    await helper.recv()
    await helper.send(ReportFeature(feature="chat"))
    await sharer.send(Control(action="grant_control"))
    await helper.recv()
    await sharer.send(End())
    await helper.recv()
    rows = await _wait_closed(signaling_server, lambda r: r[0]["ended_at"] is not None)
    row = rows[0]
    assert row["helper_upn"] == "alice@contoso.example"
    assert row["sharer_upn"] == "bob@contoso.example"
    assert row["device_name"] == "BOB-LAPTOP"
    assert row["helper_oid"] and row["sharer_oid"]
    assert row["levels_granted"] == ["view", "control"]
    assert set(row["features_used"]) == {"view", "chat", "control"}
    assert row["outcome"] == "accepted" and row["end_reason"] == "sharer_ended"
    assert row["consent_at"] and row["started_at"] <= row["consent_at"] <= row["ended_at"]


async def test_an_app_that_gave_up_on_its_peer_says_so_to_the_other_side_and_the_audit(
    signaling_server,
):
    """A sharer whose heartbeat found the helper frozen ends with peer_timeout: the helper is
    told that, as its peer's goodbye says, so its exit status does not depend on which of the
    two it reads first; a reason that is another side's to give is not taken from it."""
    helper, sharer, _ = await _pair(signaling_server)
    await sharer.recv()
    await helper.recv()
    await sharer.send(Consent(level="view"))
    await helper.recv()
    await sharer.send(End(reason="peer_timeout"))
    assert (await helper.recv()).reason.value == "peer_timeout"
    rows = await _wait_closed(signaling_server, lambda r: r[0]["ended_at"] is not None)
    assert rows[0]["end_reason"] == "peer_timeout"

    helper, sharer, _ = await _pair(signaling_server)
    await sharer.recv()
    await helper.recv()
    await sharer.send(Consent(level="view"))
    await helper.recv()
    await sharer.send(End(reason="declined"))
    assert (await helper.recv()).reason.value == "sharer_ended"


async def test_failures_are_audited_and_the_api_filters(signaling_server):
    sharer = await WsClient.signed_in(signaling_server, "bob@contoso.example", "sharer")
    await sharer.send(RedeemCode(code="ABCD-EFGH"))
    await sharer.recv()
    _helper, carol, _ = await _pair(signaling_server, sharer_upn="carol@contoso.example")
    await carol.recv()
    dana = signaling_server.token_for("dana@contoso.example")
    everything = _api(signaling_server, dana).json()["sessions"]
    assert {r["outcome"] for r in everything} == {"invalid_code", "out_of_scope"}
    failed = _api(signaling_server, dana, outcome="invalid_code").json()["sessions"]
    assert [r["sharer_upn"] for r in failed] == ["bob@contoso.example"]
    assert failed[0]["helper_upn"] == ""
    scoped = _api(signaling_server, dana, helper="alice@contoso.example").json()["sessions"]
    assert [r["outcome"] for r in scoped] == ["out_of_scope"]
    by_sharer = _api(signaling_server, dana, sharer="carol@contoso.example").json()["sessions"]
    assert len(by_sharer) == 1
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _api(signaling_server, dana, since=future).json()["sessions"] == []
    assert len(_api(signaling_server, dana, until=future).json()["sessions"]) == 2
    # Nothing secret is stored: no code, no token.
    text = json.dumps(everything)
    assert "ABCD" not in text and "eyJ" not in text


def test_the_api_needs_a_verified_token_with_reports(signaling_server):
    assert _api(signaling_server).status_code == 401
    assert _api(signaling_server, "forged.token.here").status_code == 401
    bob = signaling_server.token_for("bob@contoso.example")
    assert _api(signaling_server, bob).status_code == 403
    alice = signaling_server.token_for("alice@contoso.example")
    assert _api(signaling_server, alice).status_code == 403
    dana = signaling_server.token_for("dana@contoso.example")
    assert _api(signaling_server, dana).status_code == 200


def test_old_records_are_purged_at_start_up(database_url, tmp_path, dev_identity_file):
    store = AuditStore(open_database(database_url))
    now = datetime.now(UTC)
    store.open(started_at=now - timedelta(days=31), sharer_upn="old@contoso.example")
    store.open(started_at=now - timedelta(days=29), sharer_upn="new@contoso.example")
    store.engine.dispose()
    env = {"HELPLINE_DATABASE_URL": database_url}
    server = start_server(dev_identity_file, tmp_path / "data", env=env)
    try:
        rows = store.query(AuditFilter())
        assert [r["sharer_upn"] for r in rows] == ["new@contoso.example"]
    finally:
        server.stop()
        store.engine.dispose()


def test_retention_is_configurable(tmp_path, dev_identity_file):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = AuditStore(open_database(f"sqlite:///{data_dir / 'helpline.db'}"))
    store.open(started_at=datetime.now(UTC) - timedelta(days=3), sharer_upn="x@contoso.example")
    store.engine.dispose()
    server = start_server(dev_identity_file, data_dir, env={"HELPLINE_AUDIT_RETENTION_DAYS": "2"})
    try:
        assert store.query(AuditFilter()) == []
    finally:
        server.stop()


def test_the_database_uses_wal(tmp_path):
    store = AuditStore(open_database(f"sqlite:///{tmp_path / 'a.db'}"))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


async def test_audit_list_on_the_command_line(signaling_server):
    sharer = await WsClient.signed_in(signaling_server, "bob@contoso.example", "sharer")
    await sharer.send(RedeemCode(code="ABCD-EFGH"))
    # The refusal is written before it is answered, so the row is there now.
    assert (await sharer.recv()).code.value == "invalid_code"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "signaling",
            "audit",
            "list",
            "--data-dir",
            str(signaling_server.data_dir),
            "--outcome",
            "invalid_code",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["sharer_upn"] for r in rows] == ["bob@contoso.example"]


async def test_the_data_folder_and_its_files_are_private(tmp_path, dev_identity_file):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    (data_dir / "helpline.db").touch(mode=0o644)  # as an older version left it
    server = start_server(dev_identity_file, data_dir)
    try:
        _helper, sharer, _ = await _pair(server)  # writes the audit (and its WAL)
        await sharer.recv()
        files = sorted(p.name for p in data_dir.iterdir())
        assert {"helpline.db", "helpline.db-wal", "card-signing-key.pem"} <= set(files)
        assert data_dir.stat().st_mode & 0o777 == 0o700
        assert {name: (data_dir / name).stat().st_mode & 0o777 for name in files} == {
            name: 0o600 for name in files
        }
    finally:
        server.stop()
