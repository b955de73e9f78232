"""Bounds on connections, before and after the websocket upgrade.

Before the upgrade uvicorn keeps a connection that has sent half a request, or nothing, for
ever; a few thousand such sockets from one client use up the file descriptors and nothing
answers any more. So a connection must send a whole request line and headers within a time
limit, and while it has not, it counts against a per-address and a total budget. When a
budget is full the *oldest* waiting connection is closed, not the newcomer: a flood of silent
sockets can then never keep a real request (a health check, a sign-in) out.

After the upgrade, open websockets are counted per address and in total; past either limit a
new one is refused with 1013 (try again later). The per-address limit is high on purpose: a
whole office behind one NAT address must fit. Both websocket endpoints (the apps' and the
device agents') admit through :func:`admitted`, with the same :class:`SocketRules`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import h11
from fastapi import WebSocket
from uvicorn.protocols.http.h11_impl import H11Protocol

from signaling.turn import IceServerIssuer

log = logging.getLogger(__name__)


def valid_address(text: str | None) -> str:
    """The text if it is an IP address (as forwarded headers may say anything), else ""."""
    try:
        return str(ipaddress.ip_address(text or ""))
    except ValueError:
        return ""


class WaitingRoom:
    """Connections that have not sent a whole request yet, oldest first."""

    def __init__(self, *, per_address: int, total: int, request_timeout: float) -> None:
        self.per_address = per_address
        self.total = total
        self.request_timeout = request_timeout
        self._all: OrderedDict[GuardedH11Protocol, str] = OrderedDict()
        self._by_address: dict[str, OrderedDict[GuardedH11Protocol, None]] = {}

    def enter(self, conn: GuardedH11Protocol, address: str) -> None:
        same = self._by_address.setdefault(address, OrderedDict())
        while len(same) >= self.per_address:
            self._evict(next(iter(same)))
        while len(self._all) >= self.total:
            self._evict(next(iter(self._all)))
        self._all[conn] = address
        same[conn] = None

    def leave(self, conn: GuardedH11Protocol) -> None:
        address = self._all.pop(conn, None)
        if address is None:
            return
        same = self._by_address.get(address)
        if same is not None:
            same.pop(conn, None)
            if not same:
                del self._by_address[address]

    def __len__(self) -> int:
        return len(self._all)

    def _evict(self, conn: GuardedH11Protocol) -> None:
        self.leave(conn)
        conn.close_waiting()


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, with a deadline and a budget until a request arrives."""

    def __init__(self, *args: Any, room: WaitingRoom, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._room = room
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait_for_request()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._request_arrived()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._wait_for_request()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._request_arrived()
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._request_arrived()
        super().connection_lost(exc)

    def close_waiting(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def _wait_for_request(self) -> None:
        if self._deadline is not None:
            return
        address = self.client[0] if self.client else ""
        self._room.enter(self, address)
        self._deadline = self.loop.call_later(self._room.request_timeout, self._too_slow)

    def _request_arrived(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._room.leave(self)

    def _too_slow(self) -> None:
        self._deadline = None
        self._room.leave(self)
        self.close_waiting()


class WebSocketBudget:
    """Open websockets per address and in total."""

    def __init__(self, *, per_address: int, total: int) -> None:
        self.per_address = per_address
        self.total = total
        self._by_address: dict[str, int] = {}
        self._open = 0

    @contextmanager
    def hold(self, address: str) -> Iterator[bool]:
        """Yields whether this websocket may stay; counts it while it does."""
        if self._open >= self.total or self._by_address.get(address, 0) >= self.per_address:
            yield False
            return
        self._open += 1
        self._by_address[address] = self._by_address.get(address, 0) + 1
        try:
            yield True
        finally:
            self._open -= 1
            left = self._by_address[address] - 1
            if left:
                self._by_address[address] = left
            else:
                del self._by_address[address]


POLICY_VIOLATION = 1008
SERVICE_RESTART = 1012
TRY_AGAIN_LATER = 1013


@dataclass(frozen=True)
class SocketRules:
    allowed_origins: list[str]
    hello_timeout_seconds: float
    budget: WebSocketBudget
    # The organisation's STUN/TURN servers, with TURN credentials made per user.
    ice: IceServerIssuer


@asynccontextmanager
async def admitted(ws: WebSocket, rules: SocketRules) -> AsyncIterator[str | None]:
    """Accept the websocket and yield the client's address, or refuse it and yield None:
    a foreign origin, or too many websockets open (counted while the caller holds it)."""
    origin = ws.headers.get("origin")
    if origin is not None and origin not in rules.allowed_origins:
        # Browsers always send Origin; desktop apps don't. Refuse cross-site pages.
        log.warning("websocket from a foreign origin refused")
        await ws.close(code=POLICY_VIOLATION)
        yield None
        return
    address = valid_address(ws.client.host if ws.client else None)
    with rules.budget.hold(address) as has_room:
        if not has_room:
            log.warning("websocket refused: too many open")
            await ws.close(code=TRY_AGAIN_LATER)
            yield None
            return
        await ws.accept()
        yield address
