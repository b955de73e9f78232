"""A session goes on when a replica under it dies: its apps come back with their resume tokens
to whichever replicas the load balancer gives them, find each other, and carry on with the
permissions rebuilt as in a resume on one server. Three replicas on Redis and PostgreSQL, so
that the two sides come back to two different ones."""

from __future__ import annotations

import json
import signal

import pytest
from websockets.exceptions import ConnectionClosed

from common.protocol import End, Resume, Signal
from devtools.server import start_server
from tests.signaling.test_pairing import ALICE, BOB
from tests.signaling.test_replicas import _active
from tests.signaling.wsclient import WsClient

# Alice's role (helpdesk-operator in packaging/dev-identity.toml) as it is now.
OPERATOR = ["chat", "clipboard", "control", "elevate", "files", "view"]


@pytest.fixture
def three(tmp_path, dev_identity_file, replica_env):
    data_dir = tmp_path / "server-data"
    servers = [start_server(dev_identity_file, data_dir, replica_env) for _ in range(3)]
    yield servers
    for server in servers:
        server.stop()


def _kill(server) -> None:
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait()


def _records(server) -> list[dict]:
    listed = server.command("audit", "list")
    return [json.loads(line) for line in listed.stdout.splitlines()]


async def _relayed_both_ways(helper: WsClient, sharer: WsClient) -> None:
    await helper.send(Signal(kind="offer", sdp="v=0 again"))
    assert (await sharer.recv()).sdp == "v=0 again"
    await sharer.send(Signal(kind="answer", sdp="v=0 answer"))
    assert (await helper.recv()).sdp == "v=0 answer"


async def _ends_in_the_audit(server, helper: WsClient, sharer: WsClient) -> None:
    await sharer.send(End())
    assert (await helper.recv()).reason.value == "sharer_ended"
    [record] = [r for r in _records(server) if r["outcome"] == "accepted"]
    assert (record["end_reason"], record["levels_granted"]) == ("sharer_ended", ["control"])
    verdict = server.command("audit", "verify")
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


async def test_the_helpers_replica_dies_and_the_session_moves_to_where_the_helper_is_back(three):
    home, sharers_replica, spare = three
    helper, sharer = await _active(home, sharers_replica)
    helper_token, sharer_token = await helper.resume_token(), await sharer.resume_token()
    _kill(home)

    # The helper's app is back at once, at another replica than the sharer's.
    helper = await WsClient.signed_in(spare, ALICE, "helper")
    await helper.send(Resume(token=helper_token))
    # The sharer's replica sees the home die and sends its app to come back with its token.
    with pytest.raises(ConnectionClosed):
        await sharer.recv(timeout=30)
    sharer = await WsClient.signed_in(sharers_replica, BOB, "sharer", device="BOB-LAPTOP")
    await sharer.send(Resume(token=sharer_token))

    helper_back, sharer_back = await helper.recv(timeout=30), await sharer.recv(timeout=30)
    assert (helper_back.type, sharer_back.type) == ("resumed", "resumed")
    # Permissions rebuilt from the helper's role today, the same on both sides.
    assert [p.value for p in helper_back.permissions] == OPERATOR
    assert sharer_back.permissions == helper_back.permissions
    assert await sharer.resume_token() != sharer_token
    await _relayed_both_ways(helper, sharer)
    await _ends_in_the_audit(spare, helper, sharer)


async def test_the_sharers_replica_dies_and_the_sharer_takes_its_place_again(three):
    home, sharers_replica, spare = three
    helper, sharer = await _active(home, sharers_replica)
    sharer_token = await sharer.resume_token()
    _kill(sharers_replica)

    # The sharer's app is back at another replica; the helper's session waits for it.
    sharer = await WsClient.signed_in(spare, BOB, "sharer", device="BOB-LAPTOP")
    await sharer.send(Resume(token=sharer_token))
    back = await sharer.recv(timeout=30)
    assert back.type == "resumed"
    assert [p.value for p in back.permissions] == OPERATOR
    await _relayed_both_ways(helper, sharer)
    await _ends_in_the_audit(home, helper, sharer)


async def test_both_sides_come_back_to_two_replicas_at_once_and_meet_once(three):
    home, sharers_replica, spare = three
    helper, sharer = await _active(home, home)
    helper_token, sharer_token = await helper.resume_token(), await sharer.resume_token()
    _kill(home)
    helper = await WsClient.signed_in(spare, ALICE, "helper")
    sharer = await WsClient.signed_in(sharers_replica, BOB, "sharer", device="BOB-LAPTOP")
    await helper.send(Resume(token=helper_token))
    await sharer.send(Resume(token=sharer_token))
    assert (await helper.recv(timeout=30)).type == "resumed"
    assert (await sharer.recv(timeout=30)).type == "resumed"
    await _relayed_both_ways(helper, sharer)
    await _ends_in_the_audit(spare, helper, sharer)
    # Over for real: the old token takes nothing on, at any replica.
    late = await WsClient.signed_in(sharers_replica, BOB, "sharer")
    await late.send(Resume(token=sharer_token))
    refused = await late.recv()
    assert refused.code.value == "resume_refused" and "ended" in refused.message
