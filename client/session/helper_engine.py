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
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from client.media.aiortc_internals import decoded_frame_queue
from client.media.codecs import FULL_CHROMA_FORMAT
from client.media.picture_quality import PictureQuality
from client.session.engine_base import EngineParts, SessionEngine
from client.session.errors import ClientErrorCode, EngineError
from client.session.events import (
    AdminPromptShown,
    AllowedChanged,
    CodeIssued,
    ConsentGiven,
    ControlChanged,
    ErrorReported,
    HelpAskedShown,
    HelpRequestSent,
    LinkSlowChanged,
    MonitorsShown,
    PauseChanged,
    ServerBack,
    SharerJoined,
    Stats,
)
from client.settings import AppSettings
from common.input_events import encode_input, validate_input
from common.peer_messages import (
    AdminPrompt,
    LinkSlow,
    Monitors,
    Paused,
    PeerMessage,
    Resumed,
    SnapshotTaken,
    SwitchMonitor,
)
from common.permissions import (
    ConsentLevel,
    ConsentOutcome,
    Feature,
    Permission,
    offered_levels,
)
from common.protocol import (
    Allow,
    ConsentResult,
    Control,
    ControlAction,
    EndReason,
    Error,
    ErrorCode,
    HelpAsked,
    HelpRequested,
    Message,
    PeerRole,
    RequestCode,
    RequestHelp,
    Signal,
    SignalKind,
)
from common.protocol import CodeIssued as CodeMessage
from common.protocol import SharerJoined as SharerJoinedMessage
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
ADMIN_PROMPT_TEXT = (
    "The sharer's screen shows an administrator prompt you cannot see. Ask them to answer it; "
    "the picture comes back when it closes."
)
ADMIN_PROMPT_GONE_TEXT = "The administrator prompt has closed: you see the sharer's screen again."
SNAPSHOTS_FORBIDDEN_TEXT = "your organisation does not allow saving pictures of the sharer's screen"
NEW_CODE_TEXT = (
    "Connected to the server again. It restarted, so the code you had no longer works: "
    "give the new one instead."
)


class HelperEngine(SessionEngine[HelperState]):
    role = PeerRole.HELPER
    ENDED = HelperState.ENDED
    SIGNED_IN = HelperState.SIGNED_IN
    WITH_SESSION = frozenset(
        {
            HelperState.WAITING_FOR_SHARER,
            HelperState.AWAITING_CONSENT,
            HelperState.CONNECTING,
            HelperState.ACTIVE,
        }
    )

    def __init__(self, settings: AppSettings, parts: EngineParts | None = None) -> None:
        machine = StateMachine(HelperState.IDLE, HELPER_TRANSITIONS)
        super().__init__(settings, machine, parts or EngineParts())
        self.control_granted = False
        self.frames = 0
        self.width = 0
        self.height = 0
        self.latest_frame: av.VideoFrame | None = None
        self.picture = PictureQuality()
        self._frame_listeners: list[FrameListener] = []
        # The organisation's policy, told with ``sharer_joined``.
        self.snapshots_allowed = True
        # The sharer's monitors this helper may see, as the sharer last said.
        self.monitors: Monitors | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def on_frame(self, listener: FrameListener) -> None:
        """Views get each decoded frame; they must be quick (copy, then paint later)."""
        self._frame_listeners.append(listener)

    # ---- commands ------------------------------------------------------------------

    async def request_code(self) -> None:
        if self.state not in (HelperState.SIGNED_IN, HelperState.WAITING_FOR_SHARER):
            raise EngineError(
                ClientErrorCode.WRONG_STATE, "a code can be requested only before a sharer joins"
            )
        link = self.link or await self._new_link()
        # The card binds our DTLS certificate: its fingerprints are in any offer we make.
        await self.send(RequestCode(dtls_fingerprint=await link.offer_fingerprint()))

    async def help_device(self, device_id: str) -> None:
        """Help on an enrolled device instead of giving a code: the server asks the device,
        where the person sees this helper's card and chooses, exactly as after a code. The
        request replaces a code still waiting."""
        if self.state not in (HelperState.SIGNED_IN, HelperState.WAITING_FOR_SHARER):
            raise EngineError(
                ClientErrorCode.WRONG_STATE, "help can be asked for only before a sharer joins"
            )
        request = RequestHelp(device_id=device_id)  # checked before anything is set up
        link = self.link or await self._new_link()
        fingerprint = await link.offer_fingerprint()
        await self.send(request.model_copy(update={"dtls_fingerprint": fingerprint}))

    async def _help_asked(self, device_id: str) -> None:
        """The helper asked in the console: this app, signed in as them, makes the request."""
        self.emit(HelpAskedShown(device_id=device_id))
        try:
            await self.help_device(device_id)
        except EngineError as exc:
            self.emit(ErrorReported(code=exc.code, message=exc.message))

    async def request_control(self) -> None:
        self._require_active()
        await self.send(Control(action=ControlAction.REQUEST_CONTROL))

    async def send_input(self, command: dict[str, Any]) -> None:
        """Validate and send; the sharer decides whether it is injected."""
        self._require_active()
        event = validate_input(command)
        if self.link is None or not self.link.send_input(encode_input(event)):
            raise EngineError(ClientErrorCode.NOT_CONNECTED, "the input channel is not open")
        self.activity.note()

    async def switch_monitor(self, index: int) -> None:
        """See another of the monitors the sharer allowed; ``monitors`` follows once shown."""
        self._require_active()
        if self.monitors is None or index not in [m.index for m in self.monitors.list]:
            raise EngineError(
                ClientErrorCode.NOT_OFFERED, f"the sharer does not let you see monitor {index}"
            )
        if self.link is None or not self.link.send(SwitchMonitor(index=index)):
            raise EngineError(ClientErrorCode.NOT_CONNECTED, "the session is not connected")

    def _require_active(self) -> None:
        if self.state is not HelperState.ACTIVE:
            raise EngineError(ClientErrorCode.WRONG_STATE, "no active session")

    # ---- server messages -----------------------------------------------------------

    async def _on_server_message(self, message: Message) -> None:
        if isinstance(message, CodeMessage):
            self.machine.move(HelperState.WAITING_FOR_SHARER)
            self.emit(CodeIssued(code=message.code, expires_at=message.expires_at.isoformat()))
        elif isinstance(message, HelpRequested):
            self.machine.move(HelperState.WAITING_FOR_SHARER)
            self.emit(
                HelpRequestSent(
                    device_id=message.device.id,
                    device_name=message.device.name,
                    expires_at=message.expires_at.isoformat(),
                )
            )
        elif isinstance(message, HelpAsked):
            self.spawn(self._help_asked(message.device_id))
        elif isinstance(message, SharerJoinedMessage):
            self.machine.move(HelperState.AWAITING_CONSENT)
            self.refusal = None
            self.permissions = frozenset(message.permissions)
            self.snapshots_allowed = message.snapshots
            self.emit(
                SharerJoined(
                    sharer=message.sharer,
                    device_name=message.device_name,
                    device=message.device,
                    permissions=sorted(p.value for p in self.permissions),
                )
            )
        elif isinstance(message, ConsentResult):
            self.allowed = frozenset(message.allow)
            await self._on_consent(message.level)
        elif isinstance(message, Allow):
            self.allowed = frozenset(message.allow)
            self._files_still_allowed()
            self.emit(AllowedChanged(allow=sorted(p.value for p in self.allowed)))
        elif isinstance(message, Signal) and message.kind is SignalKind.ANSWER and message.sdp:
            if self.link is not None and self.state is HelperState.CONNECTING:
                await self.link.accept_answer(message.sdp)
        elif isinstance(message, Control):
            self._on_control(message.action)
        else:
            log.info("ignored server message %s", message.type)

    def can_carry_on(self) -> bool:
        return (
            self.state
            in (
                HelperState.SIGNED_IN,
                HelperState.WAITING_FOR_SHARER,
            )
            or super().can_carry_on()
        )

    async def back_without_session(self) -> None:
        """A restarted server has forgotten our code: say so, and show a new one."""
        if self.state is not HelperState.WAITING_FOR_SHARER:
            await super().back_without_session()
            return
        self.emit(ServerBack(resumed=False, message=NEW_CODE_TEXT))
        await self.request_code()

    def _refuses(self, message: Error) -> bool:
        # Forbidden before a sharer joined: this helper may help nobody. Out of scope: the
        # code is spent. Forbidden during a session (a feature the role lacks) is only said.
        if message.code is ErrorCode.FORBIDDEN:
            return self.state in (HelperState.SIGNED_IN, HelperState.WAITING_FOR_SHARER)
        return message.code is ErrorCode.OUT_OF_SCOPE

    def _permissions_now(self, permissions: frozenset[Permission]) -> None:
        self._files_still_allowed()
        if ConsentLevel.CONTROL not in offered_levels(permissions) and self.control_granted:
            self.control_granted = False
            self.emit(ControlChanged(granted=False))

    async def _on_refused(self) -> None:
        """A helper whose role helps nobody can do nothing more; out of scope may retry."""
        if self.refusal is ErrorCode.FORBIDDEN:
            await self.finish(None, tell_server=False)

    async def _on_consent(self, level: ConsentOutcome) -> None:
        self.emit(ConsentGiven(level=level, allow=sorted(p.value for p in self.allowed)))
        if level is ConsentOutcome.DECLINED:
            await self.finish(EndReason.DECLINED, tell_server=False)
            return
        if self.link is None:
            log.warning("consent without a code of ours refused")
            return
        self.machine.move(HelperState.CONNECTING)
        self.control_granted = level is ConsentOutcome.CONTROL
        await self.send(Signal(kind=SignalKind.OFFER, sdp=await self.link.create_offer()))

    def _on_control(self, action: ControlAction) -> None:
        if action is ControlAction.GRANT_CONTROL:
            self.control_granted = True
        elif action in (ControlAction.REVOKE_CONTROL, ControlAction.DENY_CONTROL):
            self.control_granted = False
        else:
            return
        self.emit(ControlChanged(granted=self.control_granted))

    def _on_session_message(self, message: PeerMessage) -> None:
        """The sharer's pause, straight from the sharer: shown at once, before the grey frame
        that replaces the picture can arrive."""
        if isinstance(message, Paused | Resumed):
            self.emit(PauseChanged(paused=isinstance(message, Paused)))
        elif isinstance(message, LinkSlow):
            self.emit(LinkSlowChanged.now(message.slow))
        elif isinstance(message, Monitors):
            self.monitors = message
            self.emit(
                MonitorsShown.model_validate(
                    {"list": [m.model_dump() for m in message.list], "current": message.current}
                )
            )
        elif isinstance(message, AdminPrompt):
            text = ADMIN_PROMPT_TEXT if message.showing else ADMIN_PROMPT_GONE_TEXT
            self.emit(AdminPromptShown(showing=message.showing, message=text))
        else:
            super()._on_session_message(message)

    # ---- media ---------------------------------------------------------------------

    def _link_connected(self) -> None:
        self.machine.move(HelperState.ACTIVE)
        if self.control_granted:
            self.emit(ControlChanged(granted=True))
        self._tasks.append(self.spawn(self._stats_loop()))

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._tasks.append(self.spawn(self._receive(track)))

    async def _receive(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.VideoFrame):
                continue
            frame = _newest(track, frame)
            self.frames += 1
            self.width, self.height = frame.width, frame.height
            self.picture.observe(
                frame.width,
                frame.height,
                key_frame=frame.key_frame,
                at=time.monotonic(),
                full_chroma=frame.format.name == FULL_CHROMA_FORMAT,
            )
            self.latest_frame = frame
            for listener in list(self._frame_listeners):
                listener(frame)

    async def _stats_loop(self) -> None:
        last_frames, last_time = self.frames, time.monotonic()
        while self.state is HelperState.ACTIVE:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            fps = (self.frames - last_frames) / max(now - last_time, 1e-6)
            last_frames, last_time = self.frames, now
            rtt = self.link.rtt_ms if self.link is not None else None
            received = await self.link.bytes_received() if self.link is not None else None
            self.emit(
                Stats(
                    frames=self.frames,
                    fps=round(fps, 1),
                    width=self.width,
                    height=self.height,
                    rtt_ms=None if rtt is None else round(rtt, 1),
                    quality=self.picture.label,
                    scale=round(self.picture.scale, 2),
                    bytes_received=received,
                    relayed=self.link is not None and self.link.relayed,
                )
            )

    def _on_ending(self) -> None:
        for task in self._tasks:
            task.cancel()

    async def save_snapshot(self, path: str) -> dict[str, Any]:
        """Write the latest decoded frame as a PNG. The sharer is told first, and the audit
        records it: no picture of someone's screen is kept without them knowing."""
        if not self.snapshots_allowed:
            raise EngineError(ErrorCode.FORBIDDEN, SNAPSHOTS_FORBIDDEN_TEXT)
        frame = self.latest_frame
        if frame is None:
            raise EngineError(ClientErrorCode.NO_FRAME, "no frame has arrived yet")
        if self.link is None or not self.link.send(SnapshotTaken()):
            raise EngineError(
                ClientErrorCode.NOT_CONNECTED, "the sharer cannot be told, so no picture is saved"
            )
        self.note_feature(Feature.SNAPSHOT)
        await asyncio.to_thread(_write_png, frame, path)
        return {"path": path, "width": frame.width, "height": frame.height}


def _newest(track: MediaStreamTrack, frame: av.VideoFrame) -> av.VideoFrame:
    """Frames decoded while we were busy are stale: skip to the newest one.

    aiortc queues decoded frames without bound; reading its queue here keeps a slow moment
    from becoming a picture that lags further and further behind.
    """
    queue = decoded_frame_queue(track)
    while queue is not None and not queue.empty():
        newer = queue.get_nowait()
        if newer is None:  # the track ended: leave that for the next recv
            queue.put_nowait(None)
            break
        frame = newer
    return frame


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
