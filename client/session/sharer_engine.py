"""The sharer's session: redeem a code, verify the helper, consent, share, gate input.

Nothing is shared before the sharer chooses, and the card's signature and the offer's DTLS
fingerprint must both check out before the offer is applied or the screen is captured.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from enum import Enum

from client.media.admin_prompt import AdminPromptWatch
from client.media.capture_track import ScreenCaptureTrack
from client.rate_limit import RateLimiter
from client.session.engine_base import EngineParts, SessionEngine
from client.session.errors import ClientErrorCode, EngineError
from client.session.events import (
    AllowedChanged,
    AwaitingHelp,
    ControlChanged,
    ControlRequested,
    ControlRequestLapsed,
    ErrorReported,
    FeatureRefused,
    HelperIdentityShown,
    HelpOfferedShown,
    InputBlocked,
    LinkSlowChanged,
    PauseChanged,
    SnapshotTakenShown,
)
from client.session.file_transfers import Direction, Transfer
from client.session.input_gate import Injector, InputGate
from client.session.peer_gate import FILE_DATA, PeerGate
from client.session.peer_link import FingerprintMismatch
from client.session.session_features import parse_choices
from client.session.shared_screens import SharedScreens
from client.settings import AppSettings
from common.devices.signing import SignedEnvelope
from common.identity_card import CardVerificationError, IdentityCard, verify_card
from common.peer_messages import (
    AdminPrompt,
    LinkSlow,
    Paused,
    PeerMessage,
    Resumed,
    SnapshotTaken,
    SwitchMonitor,
)
from common.permissions import (
    ConsentChoice,
    ConsentLevel,
    Feature,
    Permission,
    in_effect,
    offerable,
    offered_levels,
)
from common.protocol import (
    AcceptHelp,
    Allow,
    AwaitHelp,
    Consent,
    Control,
    ControlAction,
    EndReason,
    Error,
    ErrorCode,
    FileDirection,
    FileOutcome,
    HelpAwaited,
    HelperIdentity,
    HelpOffered,
    Message,
    PeerRole,
    RedeemCode,
    ReportFeature,
    ReportFile,
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
# Signs the live-help proof for a sign-in token when this machine is an enrolled device.
DeviceProver = Callable[[str], SignedEnvelope]
LINK_CHECK_SECONDS = 2.0
ADMIN_PROMPT_CHECK_SECONDS = 0.5


class SharerEngine(SessionEngine[SharerState]):
    role = PeerRole.SHARER
    ENDED = SharerState.ENDED
    SIGNED_IN = SharerState.SIGNED_IN
    WITH_SESSION = frozenset(
        {SharerState.AWAITING_CONSENT, SharerState.CONNECTING, SharerState.ACTIVE}
    )

    def __init__(
        self,
        settings: AppSettings,
        *,
        injector: Injector,
        track_factory: TrackFactory,
        parts: EngineParts | None = None,
        device_prover: DeviceProver | None = None,
        admin_prompts: AdminPromptWatch | None = None,
        screens: SharedScreens | None = None,
    ) -> None:
        """``admin_prompts``: where this platform has prompts the session cannot capture;
        ``screens``: this machine's monitors, for the sharer's choice and the helper's switch."""
        machine = StateMachine(SharerState.IDLE, SHARER_TRANSITIONS)
        super().__init__(settings, machine, parts or EngineParts())
        self.card: IdentityCard | None = None
        self.offered: list[ConsentLevel] = []
        self._track_factory = track_factory
        self._device_prover = device_prover
        self._admin_prompts = admin_prompts
        self.screens = screens
        self._track: ScreenCaptureTrack | None = None
        self._only_code = False
        self._awaiting_help = False
        self._flusher: asyncio.Task[None] | None = None
        self.gate = InputGate(
            injector,
            RateLimiter(
                settings.max_input_events_per_second, burst=settings.max_input_events_per_second
            ),
            self._report_blocked,
        )
        self.peer_gate = PeerGate(self._report_refused, self._tell_refused)

    def _device_proof(self, token: str) -> SignedEnvelope | None:
        return self._device_prover(token) if self._device_prover else None

    # ---- commands ------------------------------------------------------------------

    async def redeem(self, code: str, *, only_code: bool = False) -> None:
        """Ask to join the helper who read out ``code``. ``only_code``: there will be no other
        attempt (a code from the command line), so a refusal ends the run."""
        if self.state is not SharerState.SIGNED_IN:
            raise EngineError(
                ClientErrorCode.WRONG_STATE, "a code can be entered only before a session"
            )
        normalised = normalise_code(code)
        if normalised is None:
            raise EngineError(
                ClientErrorCode.INVALID_CODE,
                "that is not a security code: it has eight letters and digits",
            )
        self._require_server()
        self._only_code = only_code
        self.machine.move(SharerState.REDEEMING)
        await self.send(RedeemCode(code=normalised))

    async def await_help(self) -> None:
        """Wait for a helper to ask for this enrolled device (instead of a code): the
        request is taken up at once, and the helper's card and the choice follow as after a
        code. Only a device that proved itself at sign-in is asked."""
        if self.state is not SharerState.SIGNED_IN:
            raise EngineError(ClientErrorCode.WRONG_STATE, "help is awaited only before a session")
        if self._device_prover is None:
            raise EngineError(
                ClientErrorCode.NOT_ENROLLED,
                "this machine is not an enrolled device: enrol it (helpline-sharer enroll) "
                "to be asked for help",
            )
        self._require_server()
        self._awaiting_help = True
        await self.send(AwaitHelp())

    async def _on_help_offered(self, message: HelpOffered) -> None:
        if self.state is not SharerState.SIGNED_IN or not self._awaiting_help:
            return
        self.emit(
            HelpOfferedShown(
                helper_name=message.helper_name, expires_at=message.expires_at.isoformat()
            )
        )
        self.machine.move(SharerState.REDEEMING)
        await self.send(AcceptHelp(session_id=message.session_id))

    async def back_without_session(self) -> None:
        """Signed in again before any session: a device awaiting help says so again."""
        await super().back_without_session()
        if self._awaiting_help and self.state is SharerState.SIGNED_IN:
            await self.send(AwaitHelp())

    async def consent(
        self,
        choice: ConsentChoice,
        allow: Sequence[str] | None = None,
        monitors: object = None,
    ) -> None:
        """Answer the helper: a level, and ``allow``, the separate choices (clipboard, files,
        elevate) the sharer ticked; nothing beyond view or control unless ticked. ``monitors``
        ("all" or numbers): the screens the helper may switch among (default: the one shown)."""
        if self.state is not SharerState.AWAITING_CONSENT:
            raise EngineError(
                ClientErrorCode.WRONG_STATE, "there is no helper waiting for an answer"
            )
        if choice is ConsentChoice.CONTROL and ConsentLevel.CONTROL not in self.offered:
            raise EngineError(ClientErrorCode.NOT_OFFERED, "this helper may not take full control")
        if choice is ConsentChoice.DECLINE:
            await self.send(Consent(level=choice))
            await self.finish(EndReason.DECLINED, tell_server=False)
            return
        choices = parse_choices(allow or [], self.permissions)
        if monitors is not None:
            if self.screens is None:
                raise EngineError(ClientErrorCode.INVALID_COMMAND, "there are no monitors here")
            self.screens.allow(monitors)
        # Ready for the offer before the helper can possibly send it.
        self.machine.move(SharerState.CONNECTING)
        self.gate.set_granted(choice is ConsentChoice.CONTROL)
        self._allow_here(choices)
        await self.send(Consent(level=choice, allow=sorted(choices)))

    async def set_allowed(self, allow: Sequence[str]) -> None:
        """Change the separate choices mid-session: a revocation stops here first, then the
        server records it and tells the helper."""
        self._require_session()
        choices = parse_choices(allow, self.permissions)
        self._allow_here(choices)
        await self.send_or_keep(Allow(allow=sorted(choices)))
        self.activity.note()

    def set_monitors(self, monitors: object) -> None:
        """The sharer widens or narrows the monitors the helper may see, mid-session; a
        monitor no longer allowed stops being shown at once."""
        self._require_session()
        if self.screens is None:
            raise EngineError(ClientErrorCode.INVALID_COMMAND, "there are no monitors here")
        self.screens.allow(monitors)
        if self._track is not None:
            self.screens.switch(self.screens.current, self._track.show)
        if self.link is not None:
            self.link.send(self.screens.describe())
        self.activity.note()

    def _allow_here(self, choices: frozenset[Permission]) -> None:
        self.allowed = choices
        self.peer_gate.set_permissions(in_effect(self.permissions, choices))
        self._files_still_allowed()
        self.emit(AllowedChanged(allow=sorted(p.value for p in choices)))

    async def grant_control(self) -> None:
        self._require_session()
        if ConsentLevel.CONTROL not in self.offered:
            raise EngineError(ClientErrorCode.NOT_OFFERED, "this helper may not take full control")
        self.gate.set_granted(True)
        await self.send_or_keep(Control(action=ControlAction.GRANT_CONTROL))
        self.emit(ControlChanged(granted=True))
        self.activity.note()

    async def revoke_control(self) -> None:
        self._require_session()
        # Locally first: injection stops and held keys are released before anyone is told.
        self.gate.set_granted(False)
        await self.send_or_keep(Control(action=ControlAction.REVOKE_CONTROL))
        self.emit(ControlChanged(granted=False))
        self.activity.note()

    async def deny_control(self) -> None:
        self._require_session()
        await self.send_or_keep(Control(action=ControlAction.DENY_CONTROL))

    def set_paused(self, paused: bool) -> None:
        """Input stops and the picture goes grey here first; then the helper is told, so its
        window says so at once instead of showing the last picture until the grey frame."""
        self._require_session()
        self.gate.set_paused(paused)
        if self._track is not None:
            self._track.set_paused(paused)
        if self.link is not None:
            self.link.send(Paused() if paused else Resumed())
        self.emit(PauseChanged(paused=paused))
        self.activity.note()

    def _require_session(self) -> None:
        if self.state not in (SharerState.CONNECTING, SharerState.ACTIVE):
            raise EngineError(ClientErrorCode.WRONG_STATE, "no session in progress")

    # ---- server messages -----------------------------------------------------------

    async def _on_server_message(self, message: Message) -> None:
        if isinstance(message, HelperIdentity):
            await self._on_identity(message)
        elif isinstance(message, HelpAwaited):
            self.emit(AwaitingHelp(device_id=message.device.id, device_name=message.device.name))
        elif isinstance(message, HelpOffered):
            await self._on_help_offered(message)
        elif isinstance(message, Signal):
            await self._on_signal(message)
        elif isinstance(message, Control):
            if message.action is ControlAction.REQUEST_CONTROL:
                self.emit(ControlRequested())
            elif message.action is ControlAction.DENY_CONTROL:
                self.emit(ControlRequestLapsed())
        else:
            log.info("ignored server message %s", message.type)

    def can_carry_on(self) -> bool:
        """Before a code is entered there is nothing to lose: sign in again quietly."""
        return self.state is SharerState.SIGNED_IN or super().can_carry_on()

    def _refuses(self, message: Error) -> bool:
        return self.state is SharerState.REDEEMING and message.code in (
            ErrorCode.INVALID_CODE,
            ErrorCode.RATE_LIMITED,
            ErrorCode.OUT_OF_SCOPE,
            ErrorCode.INVALID,
            ErrorCode.FORBIDDEN,
        )

    def _error_text(self, message: Error) -> str:
        if message.code is ErrorCode.RATE_LIMITED and message.retry_after is not None:
            return rate_limited_text(message.retry_after, datetime.now().astimezone())
        return message.message

    async def _on_refused(self) -> None:
        """Back to entering a code, unless that was the only code there will be."""
        if self._only_code:
            await self.finish(None, tell_server=False)
        else:
            self.machine.move(SharerState.SIGNED_IN)

    async def _on_identity(self, message: HelperIdentity) -> None:
        if self.state is not SharerState.REDEEMING:
            return
        try:
            card = verify_card(message.signed_card, self.server_key)
        except CardVerificationError:
            # Never fall back to showing an unverified card: refuse the session.
            self.emit(
                ErrorReported(
                    code=ClientErrorCode.IDENTITY_UNVERIFIED,
                    message="the helper's identity card is not signed by this server",
                )
            )
            await self.finish(EndReason.IDENTITY_MISMATCH, tell_server=True)
            return
        self.card = card
        self.offered = list(message.offered_levels)
        self.permissions = frozenset(message.permissions)
        # Nothing consented separately is in effect before the sharer ticks it.
        self.peer_gate.set_permissions(in_effect(self.permissions, frozenset()))
        self.refusal = None
        self.machine.move(SharerState.AWAITING_CONSENT)
        self.emit(
            HelperIdentityShown(
                verified=self.trust.verified and bool(card.verified_domain),
                reason=self.trust.reason
                or ("" if card.verified_domain else "the helper's domain is not verified"),
                server_trust=self.trust.how,
                name=card.name,
                upn=card.upn,
                company=card.company,
                verified_domain=card.verified_domain,
                job_title=card.job_title,
                offered_levels=list(self.offered),
                permissions=sorted(p.value for p in self.permissions),
                choices=[p.value for p in offerable(self.permissions)],
            )
        )

    async def _on_signal(self, message: Signal) -> None:
        if message.kind is not SignalKind.OFFER or not message.sdp:
            return
        if self.state is not SharerState.CONNECTING or self.link is not None or self.card is None:
            log.warning("unexpected offer refused")
            return
        link = await self._new_link()
        try:
            await link.accept_offer(message.sdp, card_fingerprint=self.card.dtls_fingerprint)
        except FingerprintMismatch:
            self.emit(
                ErrorReported(
                    code=ClientErrorCode.IDENTITY_MISMATCH,
                    message="the connection offer does not come from the verified helper",
                )
            )
            await self.finish(EndReason.IDENTITY_MISMATCH, tell_server=True)
            return
        self._track = self._track_factory()
        if self.screens is not None:
            self._track.show(self.screens.geometry())
        if self.gate.paused:  # paused while the helper was still connecting
            self._track.set_paused(True)
        link.add_track(self._track)
        await self.send(Signal(kind=SignalKind.ANSWER, sdp=await link.create_answer()))

    # ---- peer link -----------------------------------------------------------------

    def _link_connected(self) -> None:
        self.machine.move(SharerState.ACTIVE)
        self._flusher = self.spawn(self._flush_reports())
        self.spawn(self._watch_link())
        if self._admin_prompts is not None:
            self.spawn(self._watch_admin_prompts(self._admin_prompts))
        if self.screens is not None and self.link is not None:
            self.link.send(self.screens.describe())
        if self.gate.paused and self.link is not None:
            # Paused while connecting: the helper must know before its first picture.
            self.link.send(Paused())
        self.emit(ControlChanged(granted=self.gate.granted))

    def _on_input(self, raw: str | bytes) -> None:
        self.gate.handle(raw)

    def _on_session_message(self, message: PeerMessage) -> None:
        if isinstance(message, SnapshotTaken):
            self.emit(SnapshotTakenShown(by=self.card.name if self.card else "your helper"))
        elif isinstance(message, SwitchMonitor):
            self._switch_monitor(message.index)
        else:
            super()._on_session_message(message)

    def _report_blocked(self, reason: str, count: int) -> None:
        self.emit(InputBlocked(reason=reason, count=count))

    def _peer_allowed(self, message: PeerMessage) -> bool:
        return self.peer_gate.allows(message)

    def _file_data_allowed(self) -> bool:
        return self.peer_gate.allows_type(FILE_DATA)

    def _file_finished(self, transfer: Transfer, outcome: FileOutcome) -> Awaitable[None]:
        """Every transfer, either way and however it ended, goes to the audit from the sharer:
        its name, size, SHA-256 and direction, never a byte of it."""
        if outcome is FileOutcome.COMPLETED:
            self.note_feature(Feature.FILES)
        return self._audit_soon(
            ReportFile(
                name=transfer.name,
                size=transfer.size,
                sha256=transfer.sha256,
                direction=(
                    FileDirection.TO_HELPER
                    if transfer.direction is Direction.OUT
                    else FileDirection.TO_SHARER
                ),
                outcome=outcome,
            )
        )

    def _report_refused(self, feature: str, count: int) -> None:
        self.emit(FeatureRefused(feature=feature, count=count))

    def _tell_refused(self, feature: Feature) -> None:
        """The audit hears of the first refusal of each feature, from the sharer that saw it."""
        self._audit_soon(ReportFeature(feature=feature, refused=True))

    def _permissions_now(self, permissions: frozenset[Permission]) -> None:
        """A resume with the helper's role cut: control goes first, then the rest. The server
        forgot the sharer's separate choices with its restart: they are given again, as far as
        the role still grants them."""
        self.allowed &= permissions
        self.peer_gate.set_permissions(in_effect(permissions, self.allowed))
        self._files_still_allowed()
        self.spawn(self.send_or_keep(Allow(allow=sorted(self.allowed))))
        self.offered = offered_levels(permissions)
        if ConsentLevel.CONTROL not in self.offered and self.gate.granted:
            self.gate.set_granted(False)
            self.emit(ControlChanged(granted=False))

    async def _flush_reports(self) -> None:
        while self.state is SharerState.ACTIVE:
            await asyncio.sleep(InputGate.REPORT_INTERVAL)
            self.gate.flush()
            self.peer_gate.flush()

    async def _watch_link(self) -> None:
        """Pass the helper's reported packet loss to the track, which adapts its size; say
        on both sides when the link is too slow for the picture, and when it recovers."""
        slow = False
        while self.state is SharerState.ACTIVE and self.link is not None:
            await asyncio.sleep(LINK_CHECK_SECONDS)
            if self._track is None or self.link is None:
                return
            loss = await self.link.remote_loss()
            if loss is not None:
                self._track.report_loss(loss)
            if self._track.too_slow != slow:
                slow = self._track.too_slow
                self.link.send(LinkSlow(slow=slow))
                self.emit(LinkSlowChanged.now(slow))

    def _switch_monitor(self, index: int) -> None:
        """The helper's switch, among the monitors the sharer allowed only."""
        screens, track = self.screens, self._track
        if screens is None or track is None or not screens.switch(index, track.show):
            self._report_refused("monitor", 1)
            return
        if self.link is not None:
            self.link.send(screens.describe())

    async def _watch_admin_prompts(self, watch: AdminPromptWatch) -> None:
        """Tell the helper when an administrator prompt hides the screen, and when it closes."""
        showing = False
        while self.state is SharerState.ACTIVE and self.link is not None:
            now = watch.showing()
            if now != showing:
                showing = now
                self.link.send(AdminPrompt(showing=now))
            await asyncio.sleep(ADMIN_PROMPT_CHECK_SECONDS)

    def _on_ending(self) -> None:
        self.gate.stop()
        self.gate.flush(force=True)
        self.peer_gate.flush(force=True)
        if self._flusher is not None:
            self._flusher.cancel()
        if self._track is not None:
            self._track.stop()


def rate_limited_text(retry_after: int, now: datetime) -> str:
    """Why redeeming is locked and until when, in words: the server gives only seconds."""
    until = (now + timedelta(seconds=retry_after)).strftime("%H:%M")
    minutes = max(1, round(retry_after / 60))
    wait = f"{retry_after} seconds" if retry_after < 90 else f"about {minutes} minutes"
    return (
        "Too many wrong codes were tried from your account or your network, so entering codes "
        f"is locked for a while to keep codes from being guessed. Try again in {wait} "
        f"(at {until})."
    )
