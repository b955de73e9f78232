"""The helper's session: get a code, wait for consent, offer WebRTC, view and send input."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from enum import Enum
from typing import Any

import av
from aiortc import MediaStreamTrack, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from client.media.codecs import prefer_codecs
from client.media.jitter import use_marker_jitter_buffer
from client.session.engine_base import EngineError, SessionEngine
from client.session.fingerprint import card_fingerprint
from client.settings import AppSettings
from common.input_events import encode_input, validate_input
from common.permissions import ConsentOutcome
from common.protocol import (
    CodeIssued,
    ConsentResult,
    Control,
    ControlAction,
    EndReason,
    Message,
    PeerRole,
    RequestCode,
    SharerJoined,
    Signal,
    SignalKind,
)
from common.state_machine import StateMachine

log = logging.getLogger(__name__)


class HelperState(Enum):
    IDLE = "idle"
    SIGNED_IN = "signed_in"
    WAITING_FOR_SHARER = "waiting_for_sharer"
    AWAITING_CONSENT = "awaiting_consent"
    CONNECTING = "connecting"
    ACTIVE = "active"
    ENDED = "ended"


_E = HelperState.ENDED
HELPER_TRANSITIONS = {
    HelperState.IDLE: frozenset({HelperState.SIGNED_IN, _E}),
    HelperState.SIGNED_IN: frozenset({HelperState.WAITING_FOR_SHARER, _E}),
    HelperState.WAITING_FOR_SHARER: frozenset(
        {HelperState.WAITING_FOR_SHARER, HelperState.AWAITING_CONSENT, _E}
    ),
    HelperState.AWAITING_CONSENT: frozenset({HelperState.CONNECTING, _E}),
    HelperState.CONNECTING: frozenset({HelperState.ACTIVE, _E}),
    HelperState.ACTIVE: frozenset({_E}),
    _E: frozenset(),
}

FrameListener = Callable[[av.VideoFrame], None]


class HelperEngine(SessionEngine[HelperState]):
    role = PeerRole.HELPER
    ENDED = HelperState.ENDED
    SIGNED_IN = HelperState.SIGNED_IN

    def __init__(self, settings: AppSettings) -> None:
        super().__init__(settings, StateMachine(HelperState.IDLE, HELPER_TRANSITIONS))
        self.consent: ConsentOutcome | None = None
        self.control_granted = False
        self.frames = 0
        self.width = 0
        self.height = 0
        self.latest_frame: av.VideoFrame | None = None
        self._frame_listeners: list[FrameListener] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._fps = 0.0

    def on_frame(self, listener: FrameListener) -> None:
        """Views get each decoded frame; they must be quick (copy, then paint later)."""
        self._frame_listeners.append(listener)

    @property
    def fps(self) -> float:
        return self._fps

    # ---- commands ------------------------------------------------------------------

    async def request_code(self) -> None:
        if self.state not in (HelperState.SIGNED_IN, HelperState.WAITING_FOR_SHARER):
            raise EngineError("wrong_state", "a code can be requested only before a sharer joins")
        if self.link is None:
            link = self._new_link()
            transceiver = link.pc.addTransceiver("video", direction="recvonly")
            prefer_codecs(transceiver)
            use_marker_jitter_buffer(transceiver.receiver)
            link.create_channels()
            link.pc.on("track", self._on_track)
        assert self.link is not None
        # The card binds our DTLS certificate: its fingerprints are in any offer we make.
        offer = await self.link.pc.createOffer()
        await self.send(RequestCode(dtls_fingerprint=card_fingerprint(offer.sdp)))

    async def request_control(self) -> None:
        self._require_active()
        await self.send(Control(action=ControlAction.REQUEST_CONTROL))

    async def send_input(self, command: dict[str, Any]) -> None:
        """Validate and send; the sharer decides whether it is injected."""
        self._require_active()
        event = validate_input(command)
        assert self.link is not None
        if not self.link.send_input(encode_input(event)):
            raise EngineError("not_connected", "the input channel is not open")

    def _require_active(self) -> None:
        if self.state is not HelperState.ACTIVE:
            raise EngineError("wrong_state", "no active session")

    # ---- server messages -----------------------------------------------------------

    async def _on_server_message(self, message: Message) -> None:
        if isinstance(message, CodeIssued):
            self.machine.move(HelperState.WAITING_FOR_SHARER)
            self.emit("code", code=message.code, expires_at=message.expires_at.isoformat())
        elif isinstance(message, SharerJoined):
            self.machine.move(HelperState.AWAITING_CONSENT)
            self.emit("sharer_joined", sharer=message.sharer, device_name=message.device_name)
        elif isinstance(message, ConsentResult):
            await self._on_consent(message.level)
        elif isinstance(message, Signal) and message.kind is SignalKind.ANSWER and message.sdp:
            if self.link is not None and self.state is HelperState.CONNECTING:
                await self.link.pc.setRemoteDescription(
                    RTCSessionDescription(sdp=message.sdp, type="answer")
                )
        elif isinstance(message, Control):
            self._on_control(message.action)
        else:
            log.info("ignored server message %s", message.type)

    async def _on_consent(self, level: ConsentOutcome) -> None:
        self.consent = level
        self.emit("consent", level=level.value)
        if level is ConsentOutcome.DECLINED:
            await self._finish(EndReason.DECLINED, tell_server=False)
            return
        self.machine.move(HelperState.CONNECTING)
        self.control_granted = level is ConsentOutcome.CONTROL
        assert self.link is not None
        pc = self.link.pc
        # aiortc gathers every candidate in setLocalDescription, so the offer is complete.
        await pc.setLocalDescription(await pc.createOffer())
        await self.send(Signal(kind=SignalKind.OFFER, sdp=pc.localDescription.sdp))

    def _on_control(self, action: ControlAction) -> None:
        if action is ControlAction.GRANT_CONTROL:
            self.control_granted = True
        elif action in (ControlAction.REVOKE_CONTROL, ControlAction.DENY_CONTROL):
            self.control_granted = False
        else:
            return
        self.emit("control", granted=self.control_granted)

    # ---- media ---------------------------------------------------------------------

    def _link_connected(self) -> None:
        self.machine.move(HelperState.ACTIVE)
        if self.control_granted:
            self.emit("control", granted=True)
        self._tasks.append(self.spawn(self._stats_loop()))

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self._tasks.append(self.spawn(self._receive(track)))

    async def _receive(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.VideoFrame):
                continue
            self.frames += 1
            self.width, self.height = frame.width, frame.height
            self.latest_frame = frame
            for listener in list(self._frame_listeners):
                listener(frame)

    async def _stats_loop(self) -> None:
        last_frames, last_time = self.frames, time.monotonic()
        while self.state is HelperState.ACTIVE:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            self._fps = (self.frames - last_frames) / max(now - last_time, 1e-6)
            last_frames, last_time = self.frames, now
            rtt = self.link.rtt_ms if self.link is not None else None
            self.emit(
                "stats",
                frames=self.frames,
                fps=round(self._fps, 1),
                width=self.width,
                height=self.height,
                rtt_ms=None if rtt is None else round(rtt, 1),
                relayed=self.link is not None and self.link.relayed,
            )

    def _on_ending(self) -> None:
        for task in self._tasks:
            task.cancel()

    async def save_snapshot(self, path: str) -> dict[str, Any]:
        """Write the latest decoded frame as a PNG, so testers can see what the helper sees."""
        frame = self.latest_frame
        if frame is None:
            raise EngineError("no_frame", "no frame has arrived yet")
        await asyncio.to_thread(_write_png, frame, path)
        return {"path": path, "width": frame.width, "height": frame.height}


def _write_png(frame: av.VideoFrame, path: str) -> None:
    with contextlib.closing(av.open(path, mode="w", format="image2")) as container:
        stream = container.add_stream("png")
        stream.width, stream.height, stream.pix_fmt = frame.width, frame.height, "rgb24"
        rgb = frame.reformat(format="rgb24")
        rgb.pts = 0
        for packet in stream.encode(rgb):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
