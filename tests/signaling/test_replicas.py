"""Two replicas with Redis and PostgreSQL act as one server: pairing across them, a code used
once, limits counted together, and a replica that dies takes only its own connections with
it. (Resume across replicas: ``test_replica_resume.py``.)"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest
from websockets.exceptions import ConnectionClosed

from common.protocol import Candidate, Consent, Control, End, RedeemCode, RequestCode, Signal
from tests.signaling.test_pairing import ALICE, BOB, CAROL
from tests.signaling.wsclient import WsClient


def _audit(server, *args):
    return server.command("audit", *args)


def _records(server) -> list[dict]:
    return [json.loads(line) for line in _audit(server, "list").stdout.splitlines()]


async def _active(helper_server, sharer_server, level="control"):
    helper = await WsClient.signed_in(helper_server, ALICE, "helper")
    await helper.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    code = await helper.recv()
    sharer = await WsClient.signed_in(sharer_server, BOB, "sharer", device="BOB-LAPTOP")
    await sharer.send(RedeemCode(code=code.code))
    identity = await sharer.recv()
    assert identity.type == "helper_identity", identity
    joined = await helper.recv()
    assert (joined.type, joined.sharer, joined.device_name) == (
        "sharer_joined",
        BOB,
        "BOB-LAPTOP",
    )
    await sharer.send(Consent(level=level))
    assert (await helper.recv()).level.value == level
    return helper, sharer


@pytest.mark.parametrize("group", ["replicas", "sqlite_replicas"])
async def test_a_helper_on_one_replica_pairs_with_a_sharer_on_the_other(group, request):
    first, second = request.getfixturevalue(group)
    helper, sharer = await _active(first, second)
    # Signaling and control cross the replicas both ways, in order.
    for n in range(5):
        await helper.send(Signal(kind="candidate", candidate=Candidate(candidate=f"candidate:{n}")))
    for n in range(5):
        assert (await sharer.recv()).candidate.candidate == f"candidate:{n}"
    await sharer.send(Signal(kind="answer", sdp="v=0"))
    assert (await helper.recv()).sdp == "v=0"
    await helper.send(Control(action="request_control"))
    assert (await sharer.recv()).action.value == "request_control"
    await sharer.send(Control(action="grant_control"))
    assert (await helper.recv()).action.value == "grant_control"
    await sharer.send(End(reason="sharer_ended"))
    assert (await helper.recv()).reason.value == "sharer_ended"
    # The sharer's connection is its own replica's again: a second redeem is judged there.
    await sharer.send(RedeemCode(code="ABCD-EFGH"))
    assert (await sharer.recv()).code.value == "invalid_code"

    [accepted] = [r for r in _records(first) if r["outcome"] == "accepted"]
    assert accepted["end_reason"] == "sharer_ended"
    assert accepted["levels_granted"] == ["control"]
    assert set(accepted["features_used"]) >= {"view", "control"}
    verdict = _audit(first, "verify")
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


async def test_a_code_is_used_once_across_replicas(replicas):
    first, second = replicas
    helper = await WsClient.signed_in(first, ALICE, "helper")
    await helper.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    code = (await helper.recv()).code
    sharers = [await WsClient.signed_in(server, BOB, "sharer") for server in (first, second)]
    await asyncio.gather(*(s.send(RedeemCode(code=code)) for s in sharers))
    answers = sorted([(await s.recv()).type for s in sharers])
    assert answers == ["error", "helper_identity"]


async def test_wrong_codes_are_counted_over_both_replicas(replicas):
    first, second = replicas
    guessers = [await WsClient.signed_in(server, CAROL, "sharer") for server in replicas]
    for n in range(5):  # five failures an account may have, spread over the replicas
        guesser = guessers[n % 2]
        await guesser.send(RedeemCode(code="ABCD-EFGH"))
        assert (await guesser.recv()).code.value == "invalid_code"
    for guesser in guessers:
        await guesser.send(RedeemCode(code="ABCD-EFGH"))
        refused = await guesser.recv()
        assert refused.code.value == "rate_limited" and refused.retry_after > 0
    # Codes live per account over both replicas too: three at most.
    helpers = [await WsClient.signed_in(s, ALICE, "helper") for s in (first, second, first)]
    for helper in helpers:
        await helper.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
        assert (await helper.recv()).type == "code"
    extra = await WsClient.signed_in(second, ALICE, "helper")
    await extra.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    assert (await extra.recv()).code.value == "rate_limited"


@pytest.fixture
def resume_wait() -> str:
    """Nobody here comes back with a resume token: the wait for one is short."""
    return "3"


async def test_the_sharers_replica_killed_mid_session(replicas):
    first, second = replicas
    helper, _sharer = await _active(first, second)
    second.proc.send_signal(signal.SIGKILL)
    second.proc.wait()
    # The session waits for the sharer's app to come back (it never does, here).
    ended = await helper.recv(timeout=30)
    assert ended.reason.value == "sharer_disconnected"
    [record] = [r for r in _records(first) if r["outcome"] == "accepted"]
    assert record["end_reason"] == "sharer_disconnected" and record["ended_at"]
    # The survivor carries on: a new session on it works.
    await helper.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    assert (await helper.recv()).type == "code"
    verdict = _audit(first, "verify")
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


async def test_the_helpers_replica_killed_mid_session(replicas):
    first, second = replicas
    _helper, sharer = await _active(first, second)
    # A second session on the same replicas, still waiting for the sharer's consent.
    asking = await WsClient.signed_in(first, ALICE, "helper")
    await asking.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    code = (await asking.recv()).code
    undecided = await WsClient.signed_in(second, BOB, "sharer")
    await undecided.send(RedeemCode(code=code))
    assert (await undecided.recv()).type == "helper_identity"
    waiting = await WsClient.signed_in(first, ALICE, "helper")
    await waiting.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    orphan = (await waiting.recv()).code
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    # The session under way: its sharer's app is sent to come back with its token (as after
    # a restart). The one waiting for consent has nothing to take on: it is over.
    with pytest.raises(ConnectionClosed) as closed_by:
        await sharer.recv(timeout=30)
    assert closed_by.value.rcvd is not None and closed_by.value.rcvd.code == 1012
    ended = await undecided.recv(timeout=30)
    assert ended.reason.value == "helper_disconnected"

    def closed() -> dict[str, dict]:
        return {r["outcome"]: r for r in _records(second) if r["ended_at"]}

    # The survivor closes the dead replica's records for it (once it sees the death): the
    # session under way as interrupted, as a restart closes it (its apps may resume it).
    for _ in range(200):
        if {"accepted", "cancelled"} <= closed().keys():
            break
        await asyncio.sleep(0.1)
    assert closed()["accepted"]["end_reason"] == "server_restart"
    assert closed()["cancelled"]["end_reason"] == "helper_disconnected"
    # A code whose helper died with its replica pairs nobody.
    other = await WsClient.signed_in(second, BOB, "sharer")
    await other.send(RedeemCode(code=orphan))
    assert (await other.recv()).code.value == "invalid_code"
    verdict = _audit(second, "verify")
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


def test_a_redis_that_cannot_be_reached_stops_the_server_with_one_line(tmp_path, dev_identity_file):
    for url, said in (
        ("redis://127.0.0.1:1/0", "cannot reach Redis at 127.0.0.1:1"),
        ("http://127.0.0.1:6379", "must be a redis://"),
    ):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "signaling",
                "--port",
                "0",
                "--data-dir",
                str(tmp_path),
                "--dev-identity",
                str(dev_identity_file),
            ],
            env={**os.environ, "HELPLINE_REDIS_URL": url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1
        assert said in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
