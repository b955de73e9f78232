"""The peer-to-peer half of a session: one RTCPeerConnection, two data channels, a heartbeat.

Both engines own one. ICE consent freshness notices a dead peer only after about 30 s, so
a heartbeat on the control channel does it within ``heartbeat_timeout`` seconds instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence

from aiortc import RTCDataChannel, RTCPeerConnection

from client.ice import is_relayed, rtc_configuration
from client.settings import AppSettings
from common.peer_messages import (
    Heartbeat,
    HeartbeatAck,
    PeerMessage,
    PeerMessageError,
    encode_peer_message,
    parse_peer_message,
)
from common.protocol import EndReason, IceServer

log = logging.getLogger(__name__)

CONTROL_LABEL = "control"
INPUT_LABEL = "input"


class PeerLink:
    def __init__(
        self,
        settings: AppSettings,
        *,
        on_message: Callable[[PeerMessage], None],
        on_input: Callable[[str | bytes], None],
        on_connected: Callable[[], None],
        on_lost: Callable[[EndReason], None],
        ice_servers: Sequence[IceServer],
    ) -> None:
        self._settings = settings
        self._on_message = on_message
        self._on_input = on_input
        self._on_connected = on_connected
        self._on_lost = on_lost
        self.pc = RTCPeerConnection(rtc_configuration(ice_servers, settings.ice_policy))
        self.control: RTCDataChannel | None = None
        self.input: RTCDataChannel | None = None
        self.rtt_ms: float | None = None
        self.unknown_messages = 0
        self._last_heard = time.monotonic()
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._connected = False
        self._closed = False
        self.pc.on("connectionstatechange", self._on_state_change)
        self.pc.on("datachannel", self.attach_channel)

    @property
    def relayed(self) -> bool:
        return is_relayed(self.pc)

    def create_channels(self) -> None:
        """The offering side (the helper) opens both channels."""
        self.attach_channel(self.pc.createDataChannel(CONTROL_LABEL, ordered=True))
        self.attach_channel(self.pc.createDataChannel(INPUT_LABEL, ordered=True))

    def attach_channel(self, channel: RTCDataChannel) -> None:
        if channel.label == CONTROL_LABEL and self.control is None:
            self.control = channel
            channel.on("message", self._on_control_raw)
            channel.on("open", self._maybe_connected)
            if channel.readyState == "open":
                self._maybe_connected()
        elif channel.label == INPUT_LABEL and self.input is None:
            self.input = channel
            channel.on("message", self._on_input)
            channel.on("open", self._maybe_connected)
            if channel.readyState == "open":
                self._maybe_connected()
        else:
            log.warning("unexpected data channel refused")
            channel.close()

    def send(self, message: PeerMessage) -> bool:
        if self.control is None or self.control.readyState != "open":
            return False
        self.control.send(encode_peer_message(message))
        return True

    def send_input(self, raw: str) -> bool:
        if self.input is None or self.input.readyState != "open":
            return False
        self.input.send(raw)
        return True

    async def close(self) -> None:
        self._closed = True
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
        await self.pc.close()

    def _on_state_change(self) -> None:
        state = self.pc.connectionState
        log.info("peer connection state %s", state)
        if state == "connected":
            self._maybe_connected()
        elif state == "failed" and not self._closed:
            self._on_lost(EndReason.CONNECTION_FAILED)

    def _maybe_connected(self) -> None:
        if self._connected or self.pc.connectionState != "connected":
            return
        # Connected means usable: both channels open, so no first command is lost.
        channels = (self.control, self.input)
        if any(c is None or c.readyState != "open" for c in channels):
            return
        self._connected = True
        self._last_heard = time.monotonic()
        self._heartbeat_task = asyncio.ensure_future(self._heartbeat())
        self._on_connected()

    def _on_control_raw(self, raw: str | bytes) -> None:
        self._last_heard = time.monotonic()
        try:
            message = parse_peer_message(raw)
        except PeerMessageError as exc:
            self.unknown_messages += 1
            log.warning("control message refused: %s", exc.reason)
            return
        if isinstance(message, Heartbeat):
            self.send(HeartbeatAck(seq=message.seq, sent_ms=message.sent_ms))
        elif isinstance(message, HeartbeatAck):
            self.rtt_ms = max(0.0, _now_ms() - message.sent_ms)
        else:
            self._on_message(message)

    async def _heartbeat(self) -> None:
        seq = 0
        interval = self._settings.heartbeat_interval
        while not self._closed:
            self.send(Heartbeat(seq=seq, sent_ms=_now_ms()))
            seq += 1
            await asyncio.sleep(interval)
            if time.monotonic() - self._last_heard > self._settings.heartbeat_timeout:
                log.warning("peer silent for %.1f s", time.monotonic() - self._last_heard)
                self._on_lost(EndReason.PEER_TIMEOUT)
                return


def _now_ms() -> float:
    return time.monotonic() * 1000.0
