"""One signed-in participant, helper or sharer, and the session it takes part in.

The hub's rules see a ``Connection``: a websocket on this replica (``SocketConnection``), or
a participant whose websocket is on another replica (``signaling.remote.RemotePeer``),
reached through the bus. Only how a message gets there differs.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import WebSocket
from starlette.websockets import WebSocketState

from common.protocol import PeerRole, encode_message
from signaling.rbac import Account

if TYPE_CHECKING:
    from common.protocol import Message
    from signaling.sessions import PairingSession

log = logging.getLogger(__name__)


@dataclass(eq=False, kw_only=True)
class Connection:
    role: PeerRole
    account: Account
    address: str
    device_name: str = ""
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    session: PairingSession | None = None
    # The replica whose hub holds this connection's session, when it is not this one: then
    # this replica only carries the connection's messages there and back.
    home: str | None = None

    async def send(self, message: Message) -> None:
        await self.send_text(encode_message(message))

    async def send_text(self, text: str) -> None:
        raise NotImplementedError


@dataclass(eq=False, kw_only=True)
class SocketConnection(Connection):
    ws: WebSocket

    async def send_text(self, text: str) -> None:
        if self.ws.application_state is not WebSocketState.CONNECTED:
            return
        try:
            await self.ws.send_text(text)
        except (RuntimeError, OSError):
            log.info("send to a closed connection dropped")
