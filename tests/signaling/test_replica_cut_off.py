"""A replica cut off from the group's Redis stops acting as part of the group.

The other replicas take it for dead once its heartbeat key expires: they close its records
and drop its codes. So the cut-off replica ends its own sessions with a reason, refuses new
ones, says so on /healthz, and takes sessions again once Redis answers.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from common.protocol import RequestCode
from devtools.server import start_server
from devtools.tcp_proxy import TcpProxy
from tests.signaling.test_pairing import ALICE
from tests.signaling.test_replicas import _active
from tests.signaling.wsclient import WsClient


@pytest.fixture
def cut_replica(tmp_path, dev_identity_file, redis_server, replica_env):
    """Replica ``cut`` reaches Redis through a road the test can cut; ``whole`` directly.
    Both share one PostgreSQL audit."""
    proxy = TcpProxy("127.0.0.1", redis_server.port)
    data_dir = tmp_path / "server-data"
    through = f"redis://127.0.0.1:{proxy.port}/0"
    cut = start_server(dev_identity_file, data_dir, {**replica_env, "HELPLINE_REDIS_URL": through})
    whole = start_server(dev_identity_file, data_dir, replica_env)
    yield cut, whole, proxy
    proxy.mend()
    for server in (cut, whole):
        server.stop()
    proxy.close()


async def _health(server) -> tuple[int, str]:
    async with httpx.AsyncClient() as client:
        response = await client.get(server.url + "/healthz")
    return response.status_code, response.json()["status"]


async def _until_health(server, wanted: tuple[int, str]) -> None:
    for _ in range(400):
        if await _health(server) == wanted:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"/healthz never answered {wanted}: {await _health(server)}")


def _records(server) -> list[dict]:
    listed = server.command("audit", "list")
    return [json.loads(line) for line in listed.stdout.splitlines()]


async def test_a_replica_cut_off_from_redis_ends_its_sessions_and_takes_none_until_back(
    cut_replica,
):
    cut, whole, proxy = cut_replica
    helper, sharer = await _active(cut, cut)
    assert await _health(cut) == (200, "ok")

    proxy.cut()
    for side in (helper, sharer):
        ended = await side.recv(timeout=30)
        assert (ended.type, ended.reason.value) == ("ended", "server_cut_off")
    await _until_health(cut, (503, "redis_unavailable"))
    assert await _health(whole) == (200, "ok")

    newcomer = await WsClient.signed_in(cut, ALICE, "helper")
    await newcomer.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    refused = await newcomer.recv()
    assert (refused.type, refused.code.value) == ("error", "unavailable")
    await newcomer.close()

    # Nothing of the session stays open in the shared audit.
    [record] = _records(cut)
    assert record["ended_at"] is not None
    assert record["end_reason"] in ("server_cut_off", "helper_disconnected")

    proxy.mend()
    await _until_health(cut, (200, "ok"))
    helper_again, sharer_again = await _active(cut, whole)
    for client in (helper, sharer, helper_again, sharer_again):
        await client.close()
