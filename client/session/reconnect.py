"""While the signaling server is away: how long to wait between tries, and what waits to be
said once it is back.

The peer-to-peer session does not need the server from one moment to the next, so losing it
is not the end: the engine keeps the peer link (and its heartbeat), tries again with capped,
jittered exponential backoff (so a restarted server is not hit by every app at once), and
keeps the sharer's grants and revokes, which take effect locally at once, to tell the server
after it has taken the session back.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from enum import Enum

from common.protocol import Message
from common.state_machine import StateMachine


class ServerLink(Enum):
    ONLINE = "online"
    # Lost; trying to sign in again.
    RECONNECTING = "reconnecting"
    # Signed in again and sent ``resume``: waiting for the server to take the session back.
    RESUMING = "resuming"


_L = ServerLink
SERVER_LINK_TRANSITIONS = {
    _L.ONLINE: frozenset({_L.RECONNECTING}),
    _L.RECONNECTING: frozenset({_L.ONLINE, _L.RESUMING}),
    _L.RESUMING: frozenset({_L.ONLINE, _L.RECONNECTING}),
}


def server_link_machine() -> StateMachine[ServerLink]:
    return StateMachine(_L.ONLINE, SERVER_LINK_TRANSITIONS)


def backoff(first: float, cap: float, rng: random.Random | None = None) -> Iterator[float]:
    """Delays before each try: doubling from ``first`` up to ``cap``, each between half and
    all of that, for as long as the caller keeps asking."""
    pick = rng or random.Random()
    ceiling = first
    while True:
        yield ceiling * pick.uniform(0.5, 1.0)
        ceiling = min(cap, ceiling * 2)


class Outbox:
    """Messages for the server made while it was away, sent in order once it is back."""

    def __init__(self) -> None:
        self._messages: list[Message] = []

    def put(self, message: Message) -> None:
        self._messages.append(message)

    def take(self) -> list[Message]:
        messages, self._messages = self._messages, []
        return messages

    def __len__(self) -> int:
        return len(self._messages)
