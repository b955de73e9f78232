"""Resuming a session after the server was killed: only with a token this server signed, for
the account and side it names, while the session has not really ended; and the audit says
what happened."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
from types import SimpleNamespace

import pytest

from common.protocol import (
    Consent,
    End,
    PeerRole,
    RedeemCode,
    RequestCode,
    Resume,
    Signal,
)
from devtools.server import DEV_DIRECTORY, ServerProcess, start_server
from signaling.keys import card_signing_key
from signaling.resume_tokens import ResumeRefused, ResumeTokens
from tests.signaling.test_pairing import ALICE, BOB, CAROL
from tests.signaling.wsclient import WsClient


async def _active(server: ServerProcess) -> tuple[WsClient, WsClient, str, str]:
    """A consented session; the helper's and the sharer's resume tokens."""
    helper = await WsClient.signed_in(server, ALICE, "helper")
    await helper.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    code = await helper.recv()
    sharer = await WsClient.signed_in(server, BOB, "sharer")
    await sharer.send(RedeemCode(code=code.code))
    assert (await sharer.recv()).type == "helper_identity"
    assert (await helper.recv()).type == "sharer_joined"
    await sharer.send(Consent(level="view"))
    assert (await helper.recv()).type == "consent_result"
    return helper, sharer, await helper.resume_token(), await sharer.resume_token()


def _restarted(server: ServerProcess, env: dict[str, str] | None = None) -> ServerProcess:
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    return start_server(DEV_DIRECTORY, server.data_dir, env, port=server.port)


def _audit(server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signaling", "audit", *args, "--data-dir", str(server.data_dir)],
        capture_output=True,
        text=True,
    )


@pytest.fixture
def server(tmp_path, dev_identity_file):
    running = start_server(dev_identity_file, tmp_path / "data")
    yield running
    running.stop()


async def test_both_sides_resume_and_the_record_ends_with_the_real_reason(server):
    _, _, helper_token, sharer_token = await _active(server)
    server = _restarted(server)
    try:
        helper = await WsClient.signed_in(server, ALICE, "helper")
        sharer = await WsClient.signed_in(server, BOB, "sharer")
        await helper.send(Resume(token=helper_token))
        await sharer.send(Resume(token=sharer_token))
        assert (await helper.recv()).type == "resumed"
        assert (await sharer.recv()).type == "resumed"
        # A fresh token each, and relay as before.
        assert await helper.resume_token() != helper_token
        await helper.send(Signal(kind="offer", sdp="v=0 again"))
        assert (await sharer.recv()).sdp == "v=0 again"
        await sharer.send(End())
        assert (await helper.recv()).reason.value == "sharer_ended"
        # Ended for real: the same token cannot bring it back.
        late = await WsClient.signed_in(server, BOB, "sharer")
        await late.send(Resume(token=sharer_token))
        refused = await late.recv()
        assert refused.code.value == "resume_refused" and "ended" in refused.message
    finally:
        server.stop()
    [record] = [json.loads(line) for line in _audit(server, "list").stdout.splitlines()]
    assert (record["end_reason"], record["outcome"]) == ("sharer_ended", "accepted")
    assert _audit(server, "verify").returncode == 0


async def test_a_forged_token_or_one_for_another_account_or_side_is_refused(server):
    _, _, _, sharer_token = await _active(server)
    server = _restarted(server)
    try:
        body, signature = sharer_token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["s"] = "another-session"
        forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        bob = await WsClient.signed_in(server, BOB, "sharer")
        await bob.send(Resume(token=f"{forged_body}.{signature}"))
        forged = await bob.recv()
        assert forged.code.value == "resume_refused"
        assert forged.message == "that resume token was not issued by this server"

        carol = await WsClient.signed_in(server, CAROL, "sharer")
        await carol.send(Resume(token=sharer_token))
        stolen = await carol.recv()
        assert stolen.code.value == "resume_refused"
        assert stolen.message == "that resume token belongs to another account"

        as_helper = await WsClient.signed_in(server, BOB, "helper")
        await as_helper.send(Resume(token=sharer_token))
        assert (await as_helper.recv()).code.value == "resume_refused"
        # The connection stays usable: a refusal changed nothing.
        await bob.send(End())
        assert (await bob.recv()).code.value == "wrong_state"
    finally:
        server.stop()


async def test_a_side_whose_peer_never_comes_back_is_told_the_session_is_over(server):
    _, _, helper_token, _ = await _active(server)
    server = _restarted(server, {"HELPLINE_RESUME_WAIT_SECONDS": "0.5"})
    try:
        helper = await WsClient.signed_in(server, ALICE, "helper")
        await helper.send(Resume(token=helper_token))
        ended = await helper.recv()
        assert ended.type == "ended" and ended.reason.value == "sharer_disconnected"
    finally:
        server.stop()
    # Nobody took the session back: it stays recorded as interrupted by the restart.
    [record] = [json.loads(line) for line in _audit(server, "list").stdout.splitlines()]
    assert record["end_reason"] == "server_restart"


def _conn(role: PeerRole, account: str) -> SimpleNamespace:
    return SimpleNamespace(role=role, account=SimpleNamespace(key=account))


def test_an_expired_token_is_refused(tmp_path):
    now = [1_000_000.0]
    tokens = ResumeTokens(card_signing_key(tmp_path), 3600, clock=lambda: now[0])
    bob = _conn(PeerRole.SHARER, "contoso/bob")
    token, _ = tokens.issue("session", "record", bob)  # type: ignore[arg-type]
    assert tokens.verify(token, bob).session_id == "session"  # type: ignore[arg-type]
    now[0] += 3600
    with pytest.raises(ResumeRefused, match="expired"):
        tokens.verify(token, bob)  # type: ignore[arg-type]
    other_key = ResumeTokens(card_signing_key(tmp_path / "other"), 3600, clock=lambda: now[0])
    with pytest.raises(ResumeRefused, match="not issued by this server"):
        other_key.verify(token, bob)  # type: ignore[arg-type]
