"""One signed-in participant, helper or sharer, and which session it takes part in.

The hub's rules see a ``Connection``: a websocket on this replica (``SocketConnection``), or
a participant whose websocket is on another replica (``signaling.pairing.remote.RemotePeer``),
reached through the bus. Only how a message gets there differs. A connection names its
session by id; the sessions themselves are the hub's table (``signaling.pairing.sessions``), so the
session knows its two sides and a side only which session it is in.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from common.devices.records import DeviceRecord, DeviceSummary
from common.protocol import PeerRole, encode_message
from signaling.identity.rbac import Account

if TYPE_CHECKING:
    from common.protocol import Message

log = logging.getLogger(__name__)


@dataclass(eq=False, kw_only=True)
class Connection:
    role: PeerRole
    account: Account
    address: str
    device_name: str = ""
    # The enrolled device this sharer proved it runs on (hello.device_proof), if any.
    device: DeviceRecord | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # The id of the session this connection takes part in, in its hub's table.
    session_id: str | None = None
    # The replica whose hub holds this connection's session, when it is not this one: then
    # this replica only carries the connection's messages there and back.
    home: str | None = None

    @property
    def device_groups(self) -> frozenset[str]:
        """What a helper's roles are scoped by: a proven device's groups, else the user's."""
        return frozenset(self.device.groups) if self.device else self.account.groups

    @property
    def device_summary(self) -> DeviceSummary:
        """The device as the helper is shown it: proven, or only as the sharer names it."""
        if self.device is None:
            return DeviceSummary(enrolled=False, name=self.device_name)
        return DeviceSummary.proven(self.device)

    async def send(self, message: Message) -> None:
        await self.send_text(encode_message(message))

    async def send_text(self, text: str) -> None:
        raise NotImplementedError

    async def close(self, code: int) -> None:
        """Close the websocket: its app comes back on a new one."""
        raise NotImplementedError


@dataclass(eq=False, kw_only=True)
class SocketConnection(Connection):
    ws: WebSocket

    async def send_text(self, text: str) -> None:
        if self.ws.application_state is not WebSocketState.CONNECTED:
            return
        try:
            await self.ws.send_text(text)
        except (RuntimeError, OSError, WebSocketDisconnect):
            # The peer went away between the state check and the send (both sides of a
            # session closing at once): nothing to deliver, and nothing went wrong here.
            log.info("send to a closed connection dropped")

    async def close(self, code: int) -> None:
        try:
            await self.ws.close(code=code)
        except (RuntimeError, OSError, WebSocketDisconnect):
            log.info("close of a closed connection dropped")
