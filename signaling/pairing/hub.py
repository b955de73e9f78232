"""The server's pairing rules: codes, scope, consent and relay, one message at a time.

Every rule a client could try to break is checked here, against the session's explicit
state; a message that breaks one gets an ``error`` and changes nothing. What happened goes
to the audit recorder; how a card looks is ``cards``' business.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from common.devices.records import DeviceSummary
from common.identity_card import CardSigner
from common.logging_setup import bind_log_context
from common.permissions import (
    ConsentChoice,
    ConsentLevel,
    ConsentOutcome,
    Feature,
    Permission,
    in_effect,
    offerable,
)
from common.permissions import offered_levels as levels_for
from common.protocol import (
    AcceptHelp,
    Active,
    Allow,
    AwaitHelp,
    CodeIssued,
    Consent,
    ConsentResult,
    Control,
    ControlAction,
    End,
    Ended,
    EndingSoon,
    EndReason,
    Error,
    ErrorCode,
    FileOutcome,
    HelpAwaited,
    HelperIdentity,
    HelpOffered,
    HelpRequested,
    Message,
    PeerRole,
    RedeemCode,
    ReportFeature,
    ReportFile,
    RequestCode,
    RequestHelp,
    Resume,
    SharerJoined,
    Signal,
)
from signaling.audit.models import Outcome
from signaling.audit.recorder import AuditRecorder, AuditUnavailable
from signaling.connection import Connection
from signaling.identity.cards import card_for
from signaling.identity.directory import Directory
from signaling.identity.rbac import permissions_over
from signaling.pairing.device_help import WITHDRAWN, DeviceHelp, HelpRefused, HelpState
from signaling.pairing.redeem_limiter import LimitScope, Lockout, RedeemLimiter
from signaling.pairing.remote import ReplicaLink
from signaling.pairing.resume import Resumer
from signaling.pairing.resume_tokens import ResumeRefused, ResumeTokens
from signaling.pairing.session_limits import SessionClock, SessionPolicy
from signaling.pairing.sessions import PairingSession, ServerSessionState
from signaling.state.codes import CodeStore

log = logging.getLogger(__name__)

_S = ServerSessionState
# What an app may say about why it ends its own session, beyond "ended": it lost its peer.
# Anything else it states (another side's reason, the server's) is not its to claim.
SELF_REPORTED_FAILURES = frozenset({EndReason.PEER_TIMEOUT, EndReason.CONNECTION_FAILED})
INVALID_CODE_MESSAGE = "That code is not valid. Check it with your helper, or ask for a new one."
LOCKOUT_MESSAGES = {
    LimitScope.ACCOUNT: "Too many wrong codes from your account. To stop guessing, codes are "
    "not checked for a while: try again in {seconds} seconds.",
    LimitScope.ADDRESS: "Too many wrong codes from your network. To stop guessing, codes are "
    "not checked for a while: try again in {seconds} seconds.",
}
UNENROLLED_SHARER = (
    "This device is not enrolled, and your organisation gives live help only to enrolled "
    "devices. Enrol it (helpline-sharer enroll), or contact your IT department."
)
UNENROLLED_HELPER = "that user's device is not enrolled, and only enrolled devices get help"
HELP_NOT_OPEN = (
    "That help request is no longer open: it was answered, withdrawn, or it expired. Ask "
    "your helper to try again."
)
# What a side reports it used; the server checks each against what is in effect.
REPORTED_FEATURES: dict[Feature, Permission | None] = {
    Feature.CHAT: Permission.CHAT,
    Feature.CLIPBOARD: Permission.CLIPBOARD,
    Feature.FILES: Permission.FILES,
    Feature.SNAPSHOT: None,  # the organisation's policy decides (HELPLINE_ALLOW_SNAPSHOTS)
}
# Messages that show someone is doing something in an active session (the idle timer).
ACTIVITY = (Active, Allow, Control, ReportFeature, ReportFile)
# File records one session may add to the audit: a sharer's reports cannot become a flood.
MAX_FILE_RECORDS = 1000
SHARER_ACTIONS = {
    ControlAction.GRANT_CONTROL,
    ControlAction.REVOKE_CONTROL,
    ControlAction.DENY_CONTROL,
}


STORAGE_ERROR = Error(
    code=ErrorCode.INTERNAL,
    message="The server cannot record sessions right now (its storage is full or read-only). "
    "Try again later, or tell your IT department.",
)


class Refused(Exception):
    def __init__(self, code: ErrorCode, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.error = Error(code=code, message=message, retry_after=retry_after)


class Hub:
    def __init__(
        self,
        *,
        directory: Directory | None,
        signer: CardSigner,
        codes: CodeStore,
        limiter: RedeemLimiter,
        audit: AuditRecorder,
        max_codes_per_account: int,
        resume_tokens: ResumeTokens,
        resume_wait_seconds: float,
        link: ReplicaLink | None = None,
        policy: SessionPolicy | None = None,
        device_help: DeviceHelp | None = None,
        help_request_seconds: float = 60.0,
    ) -> None:
        """``link`` reaches the other replicas (``HELPLINE_REDIS_URL``); None: one process.
        ``device_help``: help on enrolled devices (none: only codes); a device has
        ``help_request_seconds`` to answer a request."""
        self._policy = policy or SessionPolicy()
        self._help = device_help
        self._help_seconds = help_request_seconds
        self._directory = directory
        self._signer = signer
        self._codes = codes
        self._limiter = limiter
        self._audit = audit
        self._max_codes = max_codes_per_account
        self._tasks: set[asyncio.Future[None]] = set()
        self._sessions: dict[str, PairingSession] = {}
        if device_help is not None:
            device_help.bind(self._sessions)
        self._resumer = Resumer(
            resume_tokens,
            audit,
            directory,
            self._sessions,
            resume_wait_seconds,
            clock_for=self._clock_for,
            rendezvous=link.rendezvous if link is not None else None,
        )
        self._link = link

    async def handle(self, conn: Connection, message: Message) -> None:
        if conn.home is not None and self._link is not None:
            # Its session lives on another replica: the rules are applied there.
            self._link.forward(conn, message)
            return
        await self._guarded(conn, self._route(conn, message))

    async def join(self, conn: Connection, session_id: str) -> None:
        """A sharer on another replica redeemed the code of a session held here."""
        await self._guarded(conn, self._join(conn, session_id))

    def connected(self, conn: Connection) -> None:
        """A websocket signed in (the console's help requests go to helper apps)."""
        if self._help is not None:
            self._help.signed_in(conn)

    async def _guarded(self, conn: Connection, job: Awaitable[None]) -> None:
        try:
            await job
        except Refused as refused:
            await conn.send(refused.error)
        except AuditUnavailable:
            # Nothing that must be recorded happens unrecorded; the state did not move.
            await conn.send(STORAGE_ERROR)

    async def _route(self, conn: Connection, message: Message) -> None:
        session = self._session_of(conn)
        if isinstance(message, ACTIVITY) and session is not None and session.clock is not None:
            if session.state is _S.ACTIVE:
                session.clock.activity()
        if isinstance(message, Active):
            return
        if isinstance(message, RequestCode):
            await self._request_code(conn, message)
        elif isinstance(message, RedeemCode):
            await self._redeem(conn, message)
        elif isinstance(message, RequestHelp):
            await self._request_help(conn, message)
        elif isinstance(message, AwaitHelp):
            await self._await_help(conn)
        elif isinstance(message, AcceptHelp):
            await self._accept_help(conn, message)
        elif isinstance(message, Consent):
            await self._consent(conn, message)
        elif isinstance(message, Allow):
            await self._allow(conn, message)
        elif isinstance(message, Signal):
            await self._relay(conn, message)
        elif isinstance(message, Control):
            await self._control(conn, message)
        elif isinstance(message, ReportFeature):
            await self._feature(conn, message)
        elif isinstance(message, ReportFile):
            await self._file(conn, message)
        elif isinstance(message, End):
            await self._end_by(conn, message.reason)
        elif isinstance(message, Resume):
            await self._resume(conn, message)
        else:
            raise Refused(ErrorCode.UNKNOWN_TYPE, f"{message.type} is not sent by apps")

    # ---- pairing -------------------------------------------------------------------

    def _may_start(self, conn: Connection) -> None:
        """A helper may begin a session now: by a code, or by a help request."""
        self._require_role(conn, PeerRole.HELPER)
        self._accepting()
        self._audit.require_room()  # no session begins that the audit may not record
        if not conn.account.permissions & {Permission.VIEW, Permission.CONTROL}:
            raise Refused(ErrorCode.FORBIDDEN, "your role does not allow helping anyone")
        under_way = self._session_of(conn)
        if under_way is not None and under_way.state is not _S.WAITING_FOR_SHARER:
            raise Refused(ErrorCode.WRONG_STATE, "a session is already under way")

    def _replace_session(self, conn: Connection, session: PairingSession) -> None:
        """The helper's new session replaces one still waiting (its code, its request)."""
        replaced = self._session_of(conn)
        if replaced is not None:
            self._sessions.pop(replaced.id, None)
            replaced.stop_expiry()
            self._moved(replaced, HelpState.ENDED, WITHDRAWN)
        self._sessions[session.id] = session
        conn.session_id = session.id

    async def _request_code(self, conn: Connection, message: RequestCode) -> None:
        self._may_start(conn)
        # Counted and issued in one step (a new code replaces this connection's own).
        session_id = uuid.uuid4().hex
        pending = await self._codes.issue(
            conn.id, session_id, conn.account.key, cap=self._max_codes
        )
        if pending is None:
            raise Refused(
                ErrorCode.RATE_LIMITED,
                f"you already have {self._max_codes} codes waiting; use or cancel one first",
            )
        session = PairingSession(
            id=session_id, helper=conn, dtls_fingerprint=message.dtls_fingerprint
        )
        self._replace_session(conn, session)
        delay = (pending.expires_at - datetime.now(UTC)).total_seconds()
        session.expiry = asyncio.get_running_loop().call_later(
            max(0.0, delay), self._spawn, self._unanswered, session
        )
        bind_log_context(session=session.id)
        log.info("code issued")
        await conn.send(
            CodeIssued(
                code=pending.display,
                expires_at=pending.expires_at,
                session_id=session.id,
            )
        )

    async def _redeem(self, conn: Connection, message: RedeemCode) -> None:
        self._require_role(conn, PeerRole.SHARER)
        self._accepting()
        if self._session_of(conn) is not None:
            raise Refused(ErrorCode.WRONG_STATE, "this connection already has a session")
        # Counted before it is compared: a burst of redeems cannot all pass a check first.
        attempt = await self._limiter.reserve(conn.account.key, conn.address)
        if isinstance(attempt, Lockout):
            await self._audit.refused(Outcome.RATE_LIMITED, conn)
            raise Refused(
                ErrorCode.RATE_LIMITED,
                LOCKOUT_MESSAGES[attempt.scope].format(seconds=attempt.retry_after),
                retry_after=attempt.retry_after,
            )
        pending = await self._codes.redeem(message.code)
        if pending is not None:
            await self._limiter.refund(attempt)  # a right code is not a failed attempt
        if pending is not None and self._link is not None and pending.replica != self._link.replica:
            if await self._link.join(conn, pending):
                return  # the helper's replica takes it from here
            pending = None  # that replica is gone, and its codes with it
        await self._join(conn, pending.session_id if pending else None)

    # ---- help on an enrolled device (signaling.pairing.device_help) -------------------------

    async def _request_help(self, conn: Connection, message: RequestHelp) -> None:
        self._may_start(conn)
        if self._help is None:
            raise Refused(ErrorCode.FORBIDDEN, "this server does not offer help on devices")
        try:
            device = await self._help.target(conn.account, message.device_id)
        except HelpRefused as refused:
            raise Refused(refused.code, refused.message) from refused
        await self._codes.cancel(conn.id)  # the request replaces the helper's code
        expires_at = datetime.now(UTC) + timedelta(seconds=self._help_seconds)
        session = PairingSession(
            id=uuid.uuid4().hex,
            helper=conn,
            dtls_fingerprint=message.dtls_fingerprint,
            for_device=device.id,
            expires_at=expires_at,
        )
        self._replace_session(conn, session)
        session.expiry = asyncio.get_running_loop().call_later(
            self._help_seconds, self._spawn, self._unanswered, session
        )
        bind_log_context(session=session.id)
        self._help.moved(session, HelpState.WAITING)
        await conn.send(
            HelpRequested(
                session_id=session.id, device=DeviceSummary.proven(device), expires_at=expires_at
            )
        )
        await self._help.offer(session, self._offer(session))

    def _offer(self, session: PairingSession) -> HelpOffered:
        return HelpOffered(
            session_id=session.id,
            helper_name=session.helper.account.name,
            expires_at=session.expires_at or datetime.now(UTC),
        )

    async def _await_help(self, conn: Connection) -> None:
        """A sharer on a proven device waits for help: requests already open are offered."""
        self._require_role(conn, PeerRole.SHARER)
        if self._help is None:
            raise Refused(ErrorCode.FORBIDDEN, "this server does not offer help on devices")
        if conn.device is None:
            raise Refused(
                ErrorCode.DEVICE_REFUSED,
                "only an enrolled device, proven at sign-in, can be asked for help",
            )
        self._help.listen(conn, conn.device.id)
        await conn.send(HelpAwaited(device=conn.device_summary))
        for session in list(self._sessions.values()):
            if session.for_device == conn.device.id and session.state is _S.WAITING_FOR_SHARER:
                await conn.send(self._offer(session))

    async def _accept_help(self, conn: Connection, message: AcceptHelp) -> None:
        """The device's sharer app takes the request up: it joins as after a code."""
        self._require_role(conn, PeerRole.SHARER)
        self._accepting()
        if self._session_of(conn) is not None:
            raise Refused(ErrorCode.WRONG_STATE, "this connection already has a session")
        session = self._sessions.get(message.session_id)
        if session is None or conn.device is None or session.for_device != conn.device.id:
            raise Refused(ErrorCode.INVALID_CODE, HELP_NOT_OPEN)
        await self._join(conn, session.id)

    async def _join(self, conn: Connection, session_id: str | None) -> None:
        session = self._sessions.get(session_id) if session_id else None
        if session is None or session.state is not _S.WAITING_FOR_SHARER:
            # (The attempt was counted when it was reserved, in _redeem.)
            await self._audit.refused(Outcome.INVALID_CODE, conn)
            raise Refused(ErrorCode.INVALID_CODE, INVALID_CODE_MESSAGE)
        helper = session.helper
        if conn.device is None and self._directory and not self._directory.devices.allow_unenrolled:
            await self._audit.refused(Outcome.DEVICE_REFUSED, conn, helper)
            await helper.send(Error(code=ErrorCode.DEVICE_REFUSED, message=UNENROLLED_HELPER))
            raise Refused(ErrorCode.DEVICE_REFUSED, UNENROLLED_SHARER)
        permissions = permissions_over(helper.account, conn.device_groups, self._directory)
        offered = levels_for(permissions)
        if not offered:
            await self._audit.refused(Outcome.OUT_OF_SCOPE, conn, helper)
            await helper.send(
                Error(code=ErrorCode.OUT_OF_SCOPE, message="that user is outside your scope")
            )
            # The code was spent by redeem(); the helper may ask for a new one.
            raise Refused(
                ErrorCode.OUT_OF_SCOPE,
                f"{helper.account.name} is not allowed to help you: your device is outside "
                "their support scope. Contact your IT department.",
            )
        try:
            audit_id = await self._audit.opened(helper, conn)
        except AuditUnavailable:
            await helper.send(STORAGE_ERROR)
            raise
        session.sharer, session.permissions, session.offered = conn, permissions, offered
        session.audit_id = audit_id
        conn.session_id = session.id
        session.machine.move(_S.AWAITING_CONSENT)
        self._moved(session, HelpState.AWAITING_CONSENT)
        session.clock = self._clock_for(session)
        session.clock.awaiting_consent()
        card = card_for(
            helper.account,
            session_id=session.id,
            dtls_fingerprint=session.dtls_fingerprint,
            directory=self._directory,
        )
        granted = sorted(permissions)
        await conn.send(
            HelperIdentity(
                signed_card=self._signer.sign(card), offered_levels=offered, permissions=granted
            )
        )
        await helper.send(
            SharerJoined(
                sharer=conn.account.upn,
                device_name=conn.device_name,
                device=conn.device_summary,
                permissions=granted,
                snapshots=self._policy.snapshots,
            )
        )

    async def _consent(self, conn: Connection, message: Consent) -> None:
        self._require_role(conn, PeerRole.SHARER)
        session = self._session_of(conn)
        if session is None or session.state is not _S.AWAITING_CONSENT:
            raise Refused(ErrorCode.WRONG_STATE, "there is nothing to consent to")
        if message.level is ConsentChoice.DECLINE:
            await session.helper.send(ConsentResult(level=ConsentOutcome.DECLINED))
            await self._close(
                session, EndReason.DECLINED, outcome=Outcome.DECLINED, notify=(session.helper,)
            )
            return
        level = ConsentLevel(message.level.value)
        if level not in session.offered:
            raise Refused(ErrorCode.NOT_OFFERED, f"{level.value} was not offered")
        allowed = self._choices(session, message.allow)
        if session.audit_id:
            # Recorded, or refused.
            await self._audit.consented(
                session.audit_id, level, elevation=Permission.ELEVATE in allowed
            )
        session.machine.move(_S.ACTIVE)
        self._moved(session, HelpState.ACTIVE)
        session.consented = True
        session.allowed = allowed
        if session.clock is not None:
            session.clock.consented()
        await session.helper.send(
            ConsentResult(level=ConsentOutcome(level.value), allow=sorted(allowed))
        )
        for side in (session.helper, conn):
            await self._resumer.give_token(session, side)

    @staticmethod
    def _choices(session: PairingSession, allow: list[Permission]) -> frozenset[Permission]:
        """The sharer's separate choices: only what the helper's role lets it offer."""
        choices = frozenset(allow)
        beyond = choices - set(offerable(session.permissions))
        if beyond:
            names = ", ".join(sorted(p.value for p in beyond))
            raise Refused(ErrorCode.NOT_OFFERED, f"{names} was not offered")
        return choices

    async def _allow(self, conn: Connection, message: Allow) -> None:
        """The sharer revokes a choice, or gives one back: recorded, and the helper told."""
        self._require_role(conn, PeerRole.SHARER)
        session = self._active(conn)
        allowed = self._choices(session, message.allow)
        if Permission.ELEVATE in allowed - session.allowed and session.audit_id:
            await self._audit.feature_used(session.audit_id, Feature.ELEVATION)
        session.allowed = allowed
        await session.helper.send(Allow(allow=sorted(allowed)))

    def _clock_for(self, session: PairingSession) -> SessionClock:
        async def end(reason: EndReason) -> None:
            if self._sessions.get(session.id) is session and session.state is not _S.ENDED:
                sides = tuple(c for c in (session.helper, session.sharer) if c is not None)
                await self._close(session, reason, notify=sides)

        async def warn(seconds: int) -> None:
            for side in (session.helper, session.sharer):
                if side is not None and side.session_id == session.id:
                    await side.send(EndingSoon(seconds=seconds))

        return SessionClock(self._policy.limits, end=end, warn=warn)

    # ---- after a restart (signaling.pairing.resume) ----------------------------------------

    async def _resume(self, conn: Connection, message: Resume) -> None:
        if self._session_of(conn) is not None:
            raise Refused(ErrorCode.WRONG_STATE, "this connection already has a session")
        try:
            await self._resumer.resume(conn, message.token)
        except ResumeRefused as exc:
            raise Refused(ErrorCode.RESUME_REFUSED, str(exc)) from exc
        if conn.session_id is not None:
            bind_log_context(session=conn.session_id)
            log.info("session resumed")

    # ---- during a session ----------------------------------------------------------

    async def _feature(self, conn: Connection, message: ReportFeature) -> None:
        """Chat rides the peer link, so only a report tells the server of it; what the server
        granted itself (view, control) is recorded from the grant, never from a claim."""
        session = self._active(conn)
        if message.refused:
            # The sharer refused a feature the helper tried without the permission.
            await self._refused_feature(session, message.feature)
            return
        if message.feature not in REPORTED_FEATURES:
            raise Refused(
                ErrorCode.FORBIDDEN,
                "only features on the peer link are reported; grants are recorded",
            )
        if not self._may_use(session, conn, message.feature):
            await self._refused_feature(session, message.feature)
            raise Refused(ErrorCode.FORBIDDEN, f"{message.feature.value} is not allowed here")
        if session.audit_id:
            await self._audit.feature_used(session.audit_id, message.feature)

    async def _file(self, conn: Connection, message: ReportFile) -> None:
        """A file transfer, told by the sharer (whose app enforces files and sees every
        transfer either way); a completed one only while files are in effect."""
        session = self._active(conn)
        if conn is not session.sharer:
            raise Refused(ErrorCode.FORBIDDEN, "file transfers are recorded from the sharer")
        completed = message.outcome is FileOutcome.COMPLETED
        if completed and not self._may_use(session, conn, Feature.FILES):
            await self._refused_feature(session, Feature.FILES)
            raise Refused(ErrorCode.FORBIDDEN, "files are not allowed here")
        if session.files_recorded >= MAX_FILE_RECORDS:
            raise Refused(ErrorCode.RATE_LIMITED, "this session has recorded enough files")
        session.files_recorded += 1
        if session.audit_id:
            await self._audit.file_transferred(
                session.audit_id, message.model_dump(mode="json", exclude={"type", "v"})
            )

    def _may_use(self, session: PairingSession, conn: Connection, feature: Feature) -> bool:
        if feature is Feature.SNAPSHOT:
            return self._policy.snapshots and conn is session.helper
        needed = REPORTED_FEATURES[feature]
        return needed is None or needed in in_effect(session.permissions, session.allowed)

    async def _refused_feature(self, session: PairingSession, feature: Feature) -> None:
        """Recorded once a session, so that reports of refusals cannot become a flood."""
        if session.audit_id and feature not in session.refused:
            session.refused.add(feature)
            await self._audit.feature_refused(session.audit_id, feature)

    async def _relay(self, conn: Connection, message: Signal) -> None:
        session = self._active(conn)
        other = session.other(conn)
        if other is not None:
            await other.send(message)

    async def _control(self, conn: Connection, message: Control) -> None:
        session = self._active(conn)
        action = message.action
        self._require_role(conn, PeerRole.SHARER if action in SHARER_ACTIONS else PeerRole.HELPER)
        if action in (ControlAction.REQUEST_CONTROL, ControlAction.GRANT_CONTROL):
            if ConsentLevel.CONTROL not in session.offered:
                raise Refused(ErrorCode.NOT_OFFERED, "full control is not allowed for this helper")
        if action is ControlAction.REQUEST_CONTROL:
            # One prompt at a time: a helper cannot bury the sharer in requests.
            if session.control_requested:
                raise Refused(ErrorCode.WRONG_STATE, "a control request is already waiting")
            session.control_requested = True
            if session.clock is not None:
                session.clock.control_requested(lambda: self._request_lapsed(session))
        else:
            session.control_requested = False
            if session.clock is not None:
                session.clock.control_answered()
        if action is ControlAction.GRANT_CONTROL and session.audit_id:
            await self._audit.control_granted(session.audit_id)
        other = session.other(conn)
        if other is not None:
            await other.send(message)

    async def _request_lapsed(self, session: PairingSession) -> None:
        """Nobody answered the control request in time: denied, and both sides told, so the
        helper may ask again and the sharer's prompt goes away."""
        if not session.control_requested or session.state is not _S.ACTIVE:
            return
        session.control_requested = False
        for side in (session.helper, session.sharer):
            if side is not None and side.session_id == session.id:
                await side.send(Control(action=ControlAction.DENY_CONTROL))

    async def _unanswered(self, session: PairingSession) -> None:
        """Nobody redeemed the code, or the device did not answer the help request, in time:
        the helper is told, not left waiting for nothing."""
        if session.state is _S.WAITING_FOR_SHARER and self._sessions.get(session.id) is session:
            reason = EndReason.HELP_EXPIRED if session.for_device else EndReason.CODE_EXPIRED
            await self._close(session, reason, notify=(session.helper,))

    def _spawn(
        self, job: Callable[[PairingSession], Awaitable[None]], session: PairingSession
    ) -> None:
        task = asyncio.ensure_future(job(session))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _end_by(self, conn: Connection, stated: EndReason | None) -> None:
        session = self._session_of(conn)
        if session is None or session.state is _S.ENDED:
            # A helper may drop its code; nothing else to end.
            await self._codes.cancel(conn.id)
            raise Refused(ErrorCode.WRONG_STATE, "no session to end")
        reason = EndReason.HELPER_ENDED if conn is session.helper else EndReason.SHARER_ENDED
        if stated in SELF_REPORTED_FAILURES:
            # The app gave up on its peer: the other side and the audit hear that, not "ended",
            # the same reason the peer's own goodbye carries, so it exits the same way
            # whichever of the two reaches it first.
            reason = stated
        other = session.other(conn)
        await self._close(session, reason, notify=(other,) if other else ())

    async def disconnected(self, conn: Connection, *, server_going_away: bool = False) -> None:
        """A websocket went away: its code dies, and the other side hears of it at once."""
        self._resumer.left(conn)
        if self._help is not None:
            self._help.left(conn)
        if conn.home is not None and self._link is not None:
            self._link.gone(conn)
            return
        if conn.role is PeerRole.HELPER:
            await self._codes.cancel(conn.id)
        session = self._session_of(conn)
        if session is None or session.state is _S.ENDED:
            return
        if server_going_away:
            reason = EndReason.SERVER_SHUTDOWN
        elif conn is session.helper:
            reason = EndReason.HELPER_DISCONNECTED
        else:
            reason = EndReason.SHARER_DISCONNECTED
        other = session.other(conn)
        await self._close(session, reason, notify=(other,) if other else ())

    async def shutdown(self) -> None:
        await self.end_all(EndReason.SERVER_SHUTDOWN)

    async def end_all(self, reason: EndReason) -> None:
        """End every session held here, telling both sides why."""
        for session in list(self._sessions.values()):
            if session.state is not _S.ENDED:
                targets = tuple(c for c in (session.helper, session.sharer) if c is not None)
                await self._close(session, reason, notify=targets)

    def _accepting(self) -> None:
        if self._link is not None and self._link.cut_off:
            raise Refused(
                ErrorCode.UNAVAILABLE,
                "This server has lost touch with the others of its group and takes no new "
                "sessions for now. Try again in a moment.",
            )

    # ---- helpers -------------------------------------------------------------------

    async def _close(
        self,
        session: PairingSession,
        reason: EndReason,
        *,
        notify: tuple[Connection, ...],
        outcome: Outcome | None = None,
    ) -> None:
        was_waiting = session.state is _S.WAITING_FOR_SHARER
        session.machine.move(_S.ENDED)
        self._moved(session, HelpState.ENDED, reason.value)
        session.stop_expiry()
        self._sessions.pop(session.id, None)
        await self._codes.cancel(session.helper.id)
        for conn in (session.helper, session.sharer):
            if conn is not None and conn.session_id == session.id:
                conn.session_id = None
        if session.audit_id:
            if outcome is None and not session.consented:
                outcome = Outcome.CANCELLED
            with contextlib.suppress(AuditUnavailable):
                # An end is never refused; the record is closed at the next start instead.
                await self._audit.ended(session.audit_id, reason, outcome)
        log.info(
            "session ended session=%s reason=%s waiting=%s", session.id, reason.value, was_waiting
        )
        for conn in notify:
            await conn.send(Ended(reason=reason))

    def _moved(self, session: PairingSession, state: HelpState, reason: str = "") -> None:
        if self._help is not None:
            self._help.moved(session, state, reason)

    @staticmethod
    def _require_role(conn: Connection, role: PeerRole) -> None:
        if conn.role is not role:
            raise Refused(ErrorCode.FORBIDDEN, f"only the {role.value} may send that")

    def _session_of(self, conn: Connection) -> PairingSession | None:
        """The session ``conn`` takes part in, from this hub's table of them."""
        return self._sessions.get(conn.session_id) if conn.session_id else None

    def _active(self, conn: Connection) -> PairingSession:
        session = self._session_of(conn)
        if session is None or session.state is not _S.ACTIVE:
            raise Refused(ErrorCode.WRONG_STATE, "no active session")
        return session
