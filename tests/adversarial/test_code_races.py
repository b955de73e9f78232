"""Many connections of one account at once, on one server and on two replicas over Redis:
the wrong-code limit and the live-code cap are reserved before anything is compared or
issued, so no burst gets more than the limit through.

Every answer that is ``invalid_code`` means the typed code was really compared with the
live ones; the limit allows five per account per window, whatever the timing.
"""

from __future__ import annotations

import asyncio

from common.protocol import ErrorCode, RedeemCode, RequestCode
from tests.signaling.wsclient import WsClient

SHARER = "bob@contoso.example"
HELPER = "alice@contoso.example"
ACCOUNT_LIMIT = 5  # HELPLINE_REDEEM_MAX_FAILURES' default
CODE_CAP = 3  # HELPLINE_MAX_CODES_PER_ACCOUNT's default
CONNECTIONS = 30


async def _guesses_compared(servers: list) -> int:
    clients = [
        await WsClient.signed_in(servers[n % len(servers)], SHARER, "sharer")
        for n in range(CONNECTIONS)
    ]
    await asyncio.gather(*(c.send(RedeemCode(code="2222-2222")) for c in clients))
    answers = await asyncio.gather(*(c.recv(timeout=30) for c in clients))
    for client in clients:
        await client.close()
    codes = [a.code for a in answers]
    assert set(codes) <= {ErrorCode.INVALID_CODE, ErrorCode.RATE_LIMITED}, codes
    return codes.count(ErrorCode.INVALID_CODE)


async def _codes_issued(servers: list) -> int:
    clients = [
        await WsClient.signed_in(servers[n % len(servers)], HELPER, "helper")
        for n in range(2 * CODE_CAP)
    ]
    await asyncio.gather(*(c.send(RequestCode()) for c in clients))
    answers = await asyncio.gather(*(c.recv(timeout=30) for c in clients))
    for client in clients:
        await client.close()
    refused = [a for a in answers if a.type == "error"]
    assert all(a.code is ErrorCode.RATE_LIMITED for a in refused), refused
    return sum(1 for a in answers if a.type == "code")


async def test_thirty_connections_of_one_account_compare_at_most_five_codes(signaling_server):
    assert await _guesses_compared([signaling_server]) == ACCOUNT_LIMIT


async def test_two_replicas_compare_at_most_five_codes_for_one_account(replicas):
    assert await _guesses_compared(replicas) == ACCOUNT_LIMIT


async def test_six_code_requests_at_once_get_three_codes(signaling_server):
    assert await _codes_issued([signaling_server]) == CODE_CAP


async def test_six_code_requests_over_two_replicas_get_three_codes(replicas):
    assert await _codes_issued(replicas) == CODE_CAP
