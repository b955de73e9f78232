"""Flooding the audit: one signed-in connection guessing codes as fast as it can, and a disk
filling up under the audit.

Every guess is refused and counted, but after the first few in a window the refusals of an
account, or of a connection, are summed in memory and written as one count: the chain does
not grow by an event a guess. A disk running low is said (log and ``/healthz``) long before
the last guard refuses new sessions.
"""

from __future__ import annotations

import sqlite3

import httpx

from common.protocol import (
    CodeIssued,
    Error,
    ErrorCode,
    RedeemCode,
    RequestCode,
    encode_message,
    parse_message,
)
from devtools.server import DEV_DIRECTORY, start_server
from tests.adversarial.attacker import Attacker
from tests.figures import record

GUESSES = 1000
# What the first few refusals of each window write at once, the summary rows they open and
# the counts written later, with room to spare: far below one a guess.
EVENTS_AT_MOST = 20


def test_one_connection_guessing_fast_writes_a_few_events_not_one_a_guess(proxied_server):
    server = proxied_server
    guesser = Attacker(server, "bob@contoso.example", "sharer", "10.66.0.9")
    wrong = encode_message(RedeemCode(code="ABCD-EFGH"))
    for _ in range(GUESSES):
        guesser.ws.send(wrong)
    replies = guesser.drain()
    assert len(replies) == GUESSES
    assert all(isinstance(r, Error) for r in replies)
    codes = {r.code for r in replies if isinstance(r, Error)}
    assert codes == {ErrorCode.INVALID_CODE, ErrorCode.RATE_LIMITED}
    guesser.close()
    server.stop()  # what was summed in memory is written on the way out

    with sqlite3.connect(server.data_dir / "helpline.db") as db:
        [(events,)] = db.execute("SELECT count(*) FROM audit_events")
        [(attempts,)] = db.execute(
            "SELECT sum(attempts) FROM session_records "
            "WHERE outcome IN ('invalid_code', 'rate_limited')"
        )
    assert attempts == GUESSES, "every refused guess is counted"
    assert events <= EVENTS_AT_MOST, f"{events} events for {GUESSES} guesses"
    record("flood", guesses=GUESSES, counted=attempts, events=events)


def test_a_disk_running_low_is_said_long_before_new_sessions_are_refused(tmp_path):
    # Thresholds above any real disk's free space: "low" and "full" at once, here and now.
    huge = str(2**40)
    low = start_server(DEV_DIRECTORY, tmp_path / "low", env={"HELPLINE_AUDIT_DISK_WARN_MIB": huge})
    try:
        health = httpx.get(low.url + "/healthz", timeout=10)
        assert health.status_code == 200, "low is a warning: sessions still run"
        assert health.json()["disk"]["state"] == "low"
        assert health.json()["disk"]["free_mib"] > 0
        helper = Attacker(low, "alice@contoso.example", "helper", "10.1.0.1")
        (issued,) = helper.exchange(encode_message(RequestCode()))
        assert isinstance(issued, CodeIssued)
        helper.close()
    finally:
        low.stop()
    assert "audit disk low" in low.log_path.read_text()

    full = start_server(
        DEV_DIRECTORY,
        tmp_path / "full",
        env={"HELPLINE_AUDIT_DISK_WARN_MIB": huge, "HELPLINE_AUDIT_DISK_REFUSE_MIB": huge},
    )
    try:
        health = httpx.get(full.url + "/healthz", timeout=10)
        assert health.status_code == 503
        assert health.json()["status"] == "audit_disk_full"
        helper = Attacker(full, "alice@contoso.example", "helper", "10.1.0.1")
        helper.ws.send(encode_message(RequestCode()))  # (the storage error is code internal)
        refused = parse_message(helper.ws.recv(30))
        assert isinstance(refused, Error) and "cannot record sessions" in refused.message
        helper.close()
    finally:
        full.stop()
    assert "audit disk full" in full.log_path.read_text()
