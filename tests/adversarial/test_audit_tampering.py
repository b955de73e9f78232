"""Rewriting the audit as someone who holds the database file but not the server's key.

The server runs as a real process and stops; the attacker then edits its SQLite file with
nothing but ``sqlite3`` and the chain's published formula (a SHA-256 of the previous hash and
the event, which is all a reader of the source learns), and ``helpline-signaling audit
verify`` must refuse every result. Each edit was an attack that verify answered "ok" before.
"""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.protocol import CodeIssued, Consent, End, RedeemCode, RequestCode, encode_message
from devtools.server import DEV_DIRECTORY, ServerProcess, start_server
from signaling.audit.anchor import AnchorFile
from tests.adversarial.attacker import Attacker

SESSIONS = 6
# A checkpoint every few events, so a short chain has several scheduled ones.
ENV = {"HELPLINE_AUDIT_CHECKPOINT_EVERY": "5", "HELPLINE_TRUSTED_PROXIES": '["127.0.0.1"]'}


def _session(server: ServerProcess, sharer_upn: str) -> None:
    helper = Attacker(server, "alice@contoso.example", "helper", "10.1.0.1")
    (issued,) = helper.exchange(encode_message(RequestCode()))
    assert isinstance(issued, CodeIssued)
    sharer = Attacker(server, sharer_upn, "sharer", "10.1.0.2")
    sharer.exchange(encode_message(RedeemCode(code=issued.code)))
    sharer.exchange(encode_message(Consent(level="view")))
    sharer.exchange(encode_message(End()))
    helper.close()
    sharer.close()


@pytest.fixture
def audited(tmp_path) -> Path:
    """The data folder of a server that ran a few sessions and stopped."""
    server = start_server(DEV_DIRECTORY, tmp_path / "data", env=ENV)
    try:
        for _ in range(SESSIONS):
            _session(server, "bob@contoso.example")
    finally:
        server.stop()
    return server.data_dir


def _verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signaling", "audit", "verify", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
    )


def _db(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / "helpline.db", isolation_level=None)


def _plain_at(stored: str) -> str:
    """How the chain writes an event's time (ISO 8601 in UTC), from SQLite's text."""
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).isoformat()


def _plain_hash(prev: str, seq: int, record_id: str, at: str, kind: str, change: str) -> str:
    body = json.dumps([seq, record_id, at, kind, change], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()


def _rehash_from(db: sqlite3.Connection, first: int) -> None:
    """Recompute every hash from event ``first`` on, marking the events as the old, unkeyed
    kind where the table says which kind an event is: the best a keyless attacker can do."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(audit_events)")}
    [(prev,)] = db.execute("SELECT hash FROM audit_events WHERE seq = ?", (first - 1,))
    rows = db.execute(
        "SELECT seq, record_id, at, kind, change FROM audit_events WHERE seq >= ? ORDER BY seq",
        (first,),
    ).fetchall()
    for seq, record_id, at, kind, change in rows:
        digest = _plain_hash(prev, seq, record_id, _plain_at(at), kind, change)
        db.execute(
            "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq)
        )
        if "keyed" in columns:
            db.execute("UPDATE audit_events SET keyed = 0 WHERE seq = ?", (seq,))
        prev = digest


def _victim(db: sqlite3.Connection) -> tuple[int, str]:
    """The third session's opening event and its record."""
    opened = db.execute(
        "SELECT seq, record_id FROM audit_events WHERE kind = 'opened' ORDER BY seq"
    ).fetchall()
    return opened[2]


def test_a_record_rewritten_with_every_hash_after_it_recomputed_is_refused(audited):
    with _db(audited) as db:
        seq, record_id = _victim(db)
        db.execute("BEGIN")
        db.execute(
            "UPDATE session_records SET sharer_upn = 'mallory@contoso.example' WHERE id = ?",
            (record_id,),
        )
        db.execute(
            "UPDATE audit_events SET change = replace(change, 'bob@contoso.example', "
            "'mallory@contoso.example') WHERE record_id = ?",
            (record_id,),
        )
        _rehash_from(db, seq)
        db.execute("DELETE FROM audit_checkpoints WHERE seq >= ?", (seq,))
        db.execute("COMMIT")
    verdict = _verify(audited)
    assert verdict.returncode == 1, verdict.stdout
    assert f"event {seq} was changed" in verdict.stderr


def test_checkpoints_removed_from_the_middle_of_the_chain_are_missed(audited):
    with _db(audited) as db:
        checkpoints = [seq for (seq,) in db.execute("SELECT seq FROM audit_checkpoints")]
        assert len(checkpoints) >= 3, checkpoints
        gone = checkpoints[1]
        db.execute("DELETE FROM audit_checkpoints WHERE seq = ?", (gone,))
    verdict = _verify(audited)
    assert verdict.returncode == 1, verdict.stdout
    assert "checkpoint" in verdict.stderr and "missing" in verdict.stderr, verdict.stderr


def test_the_end_of_the_chain_cut_with_its_checkpoints_is_refused(audited):
    """The last sessions go with their events and every checkpoint after the cut: the chain
    left is whole, but the server's data folder remembers how far it had signed."""
    with _db(audited) as db:
        seq, _ = _victim(db)
        db.execute("BEGIN")
        cut = [rid for (rid,) in db.execute(
            "SELECT DISTINCT record_id FROM audit_events WHERE seq >= ?", (seq,))]  # fmt: skip
        db.executemany("DELETE FROM session_records WHERE id = ?", [(r,) for r in cut])
        db.execute("DELETE FROM audit_events WHERE seq >= ?", (seq,))
        db.execute("DELETE FROM audit_checkpoints WHERE seq >= ?", (seq,))
        db.execute("COMMIT")
    verdict = _verify(audited)
    assert verdict.returncode == 1, verdict.stdout
    assert "cut" in verdict.stderr, verdict.stderr


def test_an_untouched_chain_says_what_it_proved_and_since_when(audited):
    verdict = _verify(audited)
    assert verdict.returncode == 0, verdict.stderr
    assert verdict.stdout.startswith("audit ok:")
    assert "keyed with the server's key from event 1" in verdict.stdout
    assert "signed up to event" in verdict.stdout


def test_the_whole_chain_rewritten_as_unkeyed_without_its_checkpoints_is_refused(audited):
    """Passing every event off as one from before the chain was keyed, from the first on."""
    with _db(audited) as db:
        db.execute("BEGIN")
        db.execute(
            "UPDATE session_records SET sharer_upn = 'mallory@contoso.example' WHERE id = ?",
            (_victim(db)[1],),
        )
        db.execute(
            "UPDATE audit_events SET change = replace(change, 'bob@contoso.example', "
            "'mallory@contoso.example') WHERE record_id = ?",
            (_victim(db)[1],),
        )
        # A stand-in event 0 whose hash is the chain's start, to rehash from event 1 on.
        db.execute(
            "INSERT INTO audit_events (seq, record_id, at, kind, change, prev_hash, hash) "
            "VALUES (0, '', '2026-01-01 00:00:00', 'x', '{}', '', ?)",
            ("0" * 64,),
        )
        _rehash_from(db, 1)
        db.execute("DELETE FROM audit_events WHERE seq = 0")
        db.execute("DELETE FROM audit_checkpoints")
        db.execute("COMMIT")
    verdict = _verify(audited)
    assert verdict.returncode == 1, verdict.stdout
    assert "differs from what this server signed" in verdict.stderr, verdict.stderr


def _anchored_head(data_dir: Path) -> int | None:
    anchor = AnchorFile(data_dir).load()
    return anchor.head if anchor is not None else None


def _last_seq(data_dir: Path) -> int:
    with _db(data_dir) as db:
        [(seq,)] = db.execute("SELECT coalesce(max(seq), 0) FROM audit_events")
    return int(seq)


def test_events_after_the_last_checkpoint_cut_are_refused(tmp_path):
    """The server is killed before it signs its newest events (the next checkpoint is due
    only after a thousand more, or an hour); the last session is then cut with its events.
    No checkpoint covered them, but the data folder saw them written."""
    env = {
        **ENV,
        "HELPLINE_AUDIT_CHECKPOINT_EVERY": "1000",
        "HELPLINE_AUDIT_CHECKPOINT_SECONDS": "3600",
    }
    server = start_server(DEV_DIRECTORY, tmp_path / "data", env=env)
    try:
        for _ in range(3):
            _session(server, "bob@contoso.example")
        # Every event the server wrote has reached the anchor (it follows each commit).
        while _anchored_head(server.data_dir) != _last_seq(server.data_dir):
            time.sleep(0.05)
    finally:
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
    before = _verify(server.data_dir)
    assert before.returncode == 0, before.stderr
    assert "not under a checkpoint yet" in before.stdout, before.stdout
    with _db(server.data_dir) as db:
        [(last_record,)] = db.execute(
            "SELECT record_id FROM audit_events WHERE kind = 'opened' ORDER BY seq DESC LIMIT 1"
        )
        [(first,)] = db.execute(
            "SELECT min(seq) FROM audit_events WHERE record_id = ?", (last_record,)
        )
        [(signed,)] = db.execute("SELECT max(seq) FROM audit_checkpoints")
        assert first > signed, "the cut is after the last checkpoint"
        db.execute("BEGIN")
        db.execute("DELETE FROM session_records WHERE id = ?", (last_record,))
        db.execute("DELETE FROM audit_events WHERE seq >= ?", (first,))
        db.execute("COMMIT")
    verdict = _verify(server.data_dir)
    assert verdict.returncode == 1, verdict.stdout
    assert "cut" in verdict.stderr and "this server wrote up to event" in verdict.stderr


def test_the_end_cut_against_an_anchor_from_before_it_kept_the_head_is_refused(audited):
    """An anchor file written before it kept the newest event still holds the last signed
    checkpoint: a chain cut before it, checkpoints and all, is refused on that alone."""
    anchor_file = AnchorFile(audited)
    kept = json.loads(anchor_file.path.read_text())
    anchor_file.path.write_text(
        json.dumps({k: v for k, v in kept.items() if k not in ("head", "head_hash")})
    )
    with _db(audited) as db:
        seq, _ = _victim(db)
        db.execute("BEGIN")
        cut = [rid for (rid,) in db.execute(
            "SELECT DISTINCT record_id FROM audit_events WHERE seq >= ?", (seq,))]  # fmt: skip
        db.executemany("DELETE FROM session_records WHERE id = ?", [(r,) for r in cut])
        db.execute("DELETE FROM audit_events WHERE seq >= ?", (seq,))
        db.execute("DELETE FROM audit_checkpoints WHERE seq >= ?", (seq,))
        db.execute("COMMIT")
    verdict = _verify(audited)
    assert verdict.returncode == 1, verdict.stdout
    assert "this server signed up to event" in verdict.stderr, verdict.stderr
