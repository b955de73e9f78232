"""Resuming a session after the server was killed: only with a token this server signed, for
the account and side it names, while the session has not really ended; and the audit says
what happened."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
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
from signaling.pairing.resume_tokens import ResumeRefused, ResumeTokens
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


def _restarted(
    server: ServerProcess, env: dict[str, str] | None = None, directory: Path = DEV_DIRECTORY
) -> ServerProcess:
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()
    return start_server(directory, server.data_dir, env, port=server.port)


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
        # Always answered: a stolen token taken (Carol waiting to resume) shows at once.
        await carol.send(RequestCode())
        stolen = await carol.recv()
        assert (stolen.type, getattr(stolen, "code", None)) == ("error", "resume_refused"), stolen
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


def test_two_tokens_issued_in_the_same_instant_differ(tmp_path):
    """A token reissued within the same second (a resume, then at once another) is a new one:
    the clock stands still here and the tokens still differ, and both verify."""
    tokens = ResumeTokens(card_signing_key(tmp_path), 3600, clock=lambda: 1_000_000.0)
    bob = _conn(PeerRole.SHARER, "contoso/bob")
    first, _ = tokens.issue("session", "record", bob)  # type: ignore[arg-type]
    second, _ = tokens.issue("session", "record", bob)  # type: ignore[arg-type]
    assert first != second
    for token in (first, second):
        assert tokens.verify(token, bob).audit_id == "record"  # type: ignore[arg-type]


# Alice operates finance and only views hr; Carol is in hr. ``CUT`` is the same directory
# once Alice's hr role is gone.
SCOPED_DIRECTORY = """
tenant = "contoso.example"
verified_domains = ["contoso.example"]

[roles.finance-operator]
permissions = ["view", "control", "chat"]
scopes = ["finance"]

[roles.hr-viewer]
permissions = ["view"]
scopes = ["hr"]

[[users]]
upn = "alice@contoso.example"
name = "Alice Example"
roles = ["finance-operator", "hr-viewer"]

[[users]]
upn = "carol@contoso.example"
name = "Carol Example"
groups = ["hr"]
"""
CUT_DIRECTORY = SCOPED_DIRECTORY.replace(
    '["finance-operator", "hr-viewer"]', '["finance-operator"]'
)


@pytest.fixture
def scoped(tmp_path) -> Iterator[tuple[ServerProcess, Path]]:
    """A server on ``SCOPED_DIRECTORY`` with a session of Alice's viewing Carol's screen."""
    directory = tmp_path / "scoped.toml"
    directory.write_text(SCOPED_DIRECTORY)
    running = start_server(directory, tmp_path / "data")
    yield running, directory
    running.stop()


async def _resumed_after_restart(
    server: ServerProcess, directory: Path
) -> tuple[ServerProcess, object, object]:
    """Alice views Carol's screen; the server is killed and restarted on ``directory``; both
    send their tokens back. The restarted server and each side's first answer."""
    helper = await WsClient.signed_in(server, ALICE, "helper")
    await helper.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    code = await helper.recv()
    sharer = await WsClient.signed_in(server, CAROL, "sharer")
    await sharer.send(RedeemCode(code=code.code))
    identity = await sharer.recv()
    assert identity.type == "helper_identity" and identity.permissions == ["view"], identity
    assert (await helper.recv()).type == "sharer_joined"
    await sharer.send(Consent(level="view"))
    assert (await helper.recv()).type == "consent_result"
    helper_token, sharer_token = await helper.resume_token(), await sharer.resume_token()
    server = _restarted(server, directory=directory)
    helper = await WsClient.signed_in(server, ALICE, "helper")
    sharer = await WsClient.signed_in(server, CAROL, "sharer")
    await helper.send(Resume(token=helper_token))
    await sharer.send(Resume(token=sharer_token))
    return server, await helper.recv(), await sharer.recv()


async def test_a_resumed_session_has_the_permissions_over_this_device_only(scoped):
    """Alice may control finance devices, but Carol's is in hr: after the restart the
    rebuilt session is view only, as it was, not everything Alice's roles hold."""
    server, directory = scoped
    server, helper_answer, sharer_answer = await _resumed_after_restart(server, directory)
    try:
        for answer in (helper_answer, sharer_answer):
            assert answer.type == "resumed", answer
            assert answer.permissions == ["view"]
    finally:
        server.stop()


async def test_a_resume_once_no_role_covers_the_device_is_refused(scoped, tmp_path):
    """Alice's hr role is gone when the server comes back: her finance role does not carry
    the session on."""
    server, _ = scoped
    cut = tmp_path / "cut.toml"
    cut.write_text(CUT_DIRECTORY)
    server, helper_answer, sharer_answer = await _resumed_after_restart(server, cut)
    try:
        for answer in (helper_answer, sharer_answer):
            assert (answer.type, answer.code.value) == ("error", "out_of_scope"), answer
    finally:
        server.stop()
