"""The sharer's session: redeem a code, verify the helper, consent, share, gate input.

Nothing is shared before the sharer chooses, and the card's signature and the offer's DTLS
fingerprint must both check out before a peer connection is even created.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from enum import Enum

from aiortc import RTCRtpSender, RTCSessionDescription

from client.media.capture_track import ScreenCaptureTrack
from client.media.codecs import negotiated_video_codec
from client.rate_limit import RateLimiter
from client.session.engine_base import EngineError, SessionEngine
from client.session.fingerprint import matches_card
from client.session.input_gate import Injector, InputGate
from client.settings import AppSettings
from common.identity_card import CardVerificationError, IdentityCard, verify_card
from common.permissions import ConsentChoice, ConsentLevel
from common.protocol import (
    Consent,
    Control,
    ControlAction,
    EndReason,
    Error,
    ErrorCode,
    HelperIdentity,
    Message,
    PeerRole,
    RedeemCode,
    Signal,
    SignalKind,
)
from common.security_code import normalise_code
from common.state_machine import StateMachine

log = logging.getLogger(__name__)


class SharerState(Enum):
    IDLE = "idle"
    SIGNED_IN = "signed_in"
    REDEEMING = "redeeming"
    AWAITING_CONSENT = "awaiting_consent"
    CONNECTING = "connecting"
    ACTIVE = "active"
    ENDED = "ended"


_E = SharerState.ENDED
SHARER_TRANSITIONS = {
    SharerState.IDLE: frozenset({SharerState.SIGNED_IN, _E}),
    SharerState.SIGNED_IN: frozenset({SharerState.REDEEMING, _E}),
    # A wrong code sends the sharer back to try again.
    SharerState.REDEEMING: frozenset({SharerState.SIGNED_IN, SharerState.AWAITING_CONSENT, _E}),
    SharerState.AWAITING_CONSENT: frozenset({SharerState.CONNECTING, _E}),
    SharerState.CONNECTING: frozenset({SharerState.ACTIVE, _E}),
    SharerState.ACTIVE: frozenset({_E}),
    _E: frozenset(),
}


TrackFactory = Callable[[], ScreenCaptureTrack]
LINK_CHECK_SECONDS = 2.0


class SharerEngine(SessionEngine[SharerState]):
    role = PeerRole.SHARER
    ENDED = SharerState.ENDED
    SIGNED_IN = SharerState.SIGNED_IN

    def __init__(
        self,
        settings: AppSettings,
        *,
        injector: Injector,
        track_factory: TrackFactory,
    ) -> None:
        super().__init__(settings, StateMachine(SharerState.IDLE, SHARER_TRANSITIONS))
        self.card: IdentityCard | None = None
        self.offered: list[ConsentLevel] = []
        self.paused = False
        self._track_factory = track_factory
        self._track: ScreenCaptureTrack | None = None
        self._sender: RTCRtpSender | None = None
        self._flusher: asyncio.Task[None] | None = None
        self.gate = InputGate(
            injector,
            RateLimiter(
                settings.max_input_events_per_second, burst=settings.max_input_events_per_second
            ),
            self._report_blocked,
        )

    # ---- commands ------------------------------------------------------------------

    async def redeem(self, code: str) -> None:
        if self.state is not SharerState.SIGNED_IN:
            raise EngineError("wrong_state", "a code can be entered only before a session")
        normalised = normalise_code(code)
        if normalised is None:
            raise EngineError(
                "invalid_code", "that is not a security code: it has eight letters and digits"
            )
        self.machine.move(SharerState.REDEEMING)
        await self.send(RedeemCode(code=normalised))

    async def consent(self, choice: ConsentChoice) -> None:
        if self.state is not SharerState.AWAITING_CONSENT:
            raise EngineError("wrong_state", "there is no helper waiting for an answer")
        if choice is ConsentChoice.CONTROL and ConsentLevel.CONTROL not in self.offered:
            raise EngineError("not_offered", "this helper may not take full control")
        if choice is ConsentChoice.DECLINE:
            await self.send(Consent(level=choice))
            await self._finish(EndReason.DECLINED, tell_server=False)
            return
        # Ready for the offer before the helper can possibly send it.
        self.machine.move(SharerState.CONNECTING)
        self.gate.set_granted(choice is ConsentChoice.CONTROL)
        await self.send(Consent(level=choice))

    async def grant_control(self) -> None:
        self._require_session()
        if ConsentLevel.CONTROL not in self.offered:
            raise EngineError("not_offered", "this helper may not take full control")
        self.gate.set_granted(True)
        await self.send(Control(action=ControlAction.GRANT_CONTROL))
        self.emit("control", granted=True)

    async def revoke_control(self) -> None:
        self._require_session()
        # Locally first: injection stops and held keys are released before anyone is told.
        self.gate.set_granted(False)
        await self.send(Control(action=ControlAction.REVOKE_CONTROL))
        self.emit("control", granted=False)

    async def deny_control(self) -> None:
        self._require_session()
        await self.send(Control(action=ControlAction.DENY_CONTROL))

    def set_paused(self, paused: bool) -> None:
        self._require_session()
        self.paused = paused
        self.gate.set_paused(paused)
        if self._track is not None:
            self._track.set_paused(paused)
        self.emit("paused", paused=paused)

    def _require_session(self) -> None:
        if self.state not in (SharerState.CONNECTING, SharerState.ACTIVE):
            raise EngineError("wrong_state", "no session in progress")

    # ---- server messages -----------------------------------------------------------

    async def _on_server_message(self, message: Message) -> None:
        if isinstance(message, HelperIdentity):
            await self._on_identity(message)
        elif isinstance(message, Signal):
            await self._on_signal(message)
        elif isinstance(message, Control):
            if message.action is ControlAction.REQUEST_CONTROL:
                self.emit("control_requested")
        else:
            log.info("ignored server message %s", message.type)

    async def _on_server_error(self, message: Error) -> None:
        if self.state is SharerState.REDEEMING and message.code in (
            ErrorCode.INVALID_CODE,
            ErrorCode.RATE_LIMITED,
            ErrorCode.OUT_OF_SCOPE,
            ErrorCode.INVALID,
        ):
            self.machine.move(SharerState.SIGNED_IN)

    async def _on_identity(self, message: HelperIdentity) -> None:
        if self.state is not SharerState.REDEEMING:
            return
        try:
            card = verify_card(message.signed_card, self.server_key)
        except CardVerificationError:
            # Never fall back to showing an unverified card: refuse the session.
            self.emit(
                "error",
                code="identity_unverified",
                message="the helper's identity card is not signed by this server",
            )
            await self._finish(EndReason.IDENTITY_MISMATCH, tell_server=True)
            return
        self.card = card
        self.offered = list(message.offered_levels)
        self.machine.move(SharerState.AWAITING_CONSENT)
        self.emit(
            "helper_identity",
            verified=self.trust.verified and bool(card.verified_domain),
            reason=self.trust.reason
            or ("" if card.verified_domain else "the helper's domain is not verified"),
            name=card.name,
            upn=card.upn,
            company=card.company,
            verified_domain=card.verified_domain,
            job_title=card.job_title,
            offered_levels=[level.value for level in self.offered],
        )

    async def _on_signal(self, message: Signal) -> None:
        if message.kind is not SignalKind.OFFER or not message.sdp:
            return
        if self.state is not SharerState.CONNECTING or self.link is not None:
            log.warning("unexpected offer refused")
            return
        assert self.card is not None
        if not matches_card(message.sdp, self.card.dtls_fingerprint):
            self.emit(
                "error",
                code="identity_mismatch",
                message="the connection offer does not come from the verified helper",
            )
            await self._finish(EndReason.IDENTITY_MISMATCH, tell_server=True)
            return
        link = self._new_link()
        await link.pc.setRemoteDescription(RTCSessionDescription(sdp=message.sdp, type="offer"))
        self._track = self._track_factory()
        # addTrack reuses the transceiver the offer created; the answer becomes sendonly.
        self._sender = link.pc.addTrack(self._track)
        await link.pc.setLocalDescription(await link.pc.createAnswer())
        if negotiated_video_codec(link.pc.localDescription.sdp) == "video/H264":
            self._track.encode_h264(self._sender)
        await self.send(Signal(kind=SignalKind.ANSWER, sdp=link.pc.localDescription.sdp))

    # ---- peer link -----------------------------------------------------------------

    def _link_connected(self) -> None:
        self.machine.move(SharerState.ACTIVE)
        self._flusher = self.spawn(self._flush_reports())
        self.spawn(self._watch_link())
        self.emit("control", granted=self.gate.granted)

    def _on_input(self, raw: str | bytes) -> None:
        self.gate.handle(raw)

    def _report_blocked(self, reason: str, count: int) -> None:
        self.emit("input_blocked", reason=reason, count=count)

    async def _flush_reports(self) -> None:
        while self.state is SharerState.ACTIVE:
            await asyncio.sleep(InputGate.REPORT_INTERVAL)
            self.gate.flush()

    async def _watch_link(self) -> None:
        """Pass the helper's reported packet loss to the track, which adapts its size."""
        while self.state is SharerState.ACTIVE and self._sender is not None:
            await asyncio.sleep(LINK_CHECK_SECONDS)
            if self._track is None or self._sender is None:
                return
            for stats in (await self._sender.getStats()).values():
                if stats.type == "remote-inbound-rtp":
                    # RTCP carries the lost fraction in 1/256ths.
                    self._track.report_loss(stats.fractionLost / 256)

    def _on_ending(self) -> None:
        self.gate.stop()
        self.gate.flush(force=True)
        if self._flusher is not None:
            self._flusher.cancel()
        if self._track is not None:
            self._track.stop()
