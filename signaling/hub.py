"""The server's decisions: codes, scope, consent, relay and audit, one message at a time.

Every rule a client could try to break is checked here, against the session's explicit
state; a message that breaks one gets an ``error`` and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from common.identity_card import CardSigner, IdentityCard
from common.permissions import ConsentChoice, ConsentLevel, ConsentOutcome, Feature, Permission
from common.permissions import offered_levels as levels_for
from common.protocol import (
    CodeIssued,
    Consent,
    ConsentResult,
    Control,
    ControlAction,
    End,
    Ended,
    EndReason,
    Error,
    ErrorCode,
    HelperIdentity,
    Message,
    PeerRole,
    RedeemCode,
    ReportConnected,
    ReportFeature,
    RequestCode,
    SharerJoined,
    Signal,
)
from signaling.audit.store import AuditStore
from signaling.connection import Connection
from signaling.directory import Directory
from signaling.pairing import CodeRegistry
from signaling.rbac import permissions_over
from signaling.redeem_limiter import RedeemLimiter
from signaling.sessions import PairingSession, ServerSessionState

log = logging.getLogger(__name__)

_S = ServerSessionState
INVALID_CODE_MESSAGE = "That code is not valid. Check it with your helper, or ask for a new one."
SHARER_ACTIONS = {
    ControlAction.GRANT_CONTROL,
    ControlAction.REVOKE_CONTROL,
    ControlAction.DENY_CONTROL,
}


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
        codes: CodeRegistry,
        limiter: RedeemLimiter,
        audit: AuditStore,
    ) -> None:
        self.directory = directory
        self.signer = signer
        self.codes = codes
        self.limiter = limiter
        self.audit = audit
        self.sessions: dict[str, PairingSession] = {}

    async def handle(self, conn: Connection, message: Message) -> None:
        try:
            await self._route(conn, message)
        except Refused as refused:
            await conn.send(refused.error)

    async def _route(self, conn: Connection, message: Message) -> None:
        if isinstance(message, RequestCode):
            await self._request_code(conn, message)
        elif isinstance(message, RedeemCode):
            await self._redeem(conn, message)
        elif isinstance(message, Consent):
            await self._consent(conn, message)
        elif isinstance(message, Signal):
            await self._relay(conn, message)
        elif isinstance(message, Control):
            await self._control(conn, message)
        elif isinstance(message, ReportFeature):
            session = self._active(conn)
            if session.note_feature(message.feature):
                await self._record(session, features_used=",".join(session.features))
        elif isinstance(message, ReportConnected):
            self._active(conn)
        elif isinstance(message, End):
            await self._end_by(conn)
        else:
            raise Refused(ErrorCode.UNKNOWN_TYPE, f"{message.type} is not sent by apps")

    # ---- pairing -------------------------------------------------------------------

    async def _request_code(self, conn: Connection, message: RequestCode) -> None:
        self._require_role(conn, PeerRole.HELPER)
        if not conn.account.permissions & {Permission.VIEW, Permission.CONTROL}:
            raise Refused(ErrorCode.FORBIDDEN, "your role does not allow helping anyone")
        if conn.session is not None and conn.session.state is not _S.WAITING_FOR_SHARER:
            raise Refused(ErrorCode.WRONG_STATE, "a session is already under way")
        if conn.session is not None:
            self.sessions.pop(conn.session.id, None)
        session = PairingSession(
            id=uuid.uuid4().hex, helper=conn, dtls_fingerprint=message.dtls_fingerprint
        )
        self.sessions[session.id] = session
        conn.session = session
        pending = self.codes.issue(conn.id, session.id)
        log.info("code issued helper=%s session=%s", conn.account.upn, session.id)
        await conn.send(
            CodeIssued(
                code=self.codes.display(pending),
                expires_at=pending.expires_at,
                session_id=session.id,
            )
        )

    async def _redeem(self, conn: Connection, message: RedeemCode) -> None:
        self._require_role(conn, PeerRole.SHARER)
        if conn.session is not None:
            raise Refused(ErrorCode.WRONG_STATE, "this connection already has a session")
        keys = (f"account:{conn.account.principal.tenant}/{conn.account.principal.oid}",
                f"address:{conn.address}")  # fmt: skip
        retry_after = self.limiter.retry_after(*keys)
        if retry_after is not None:
            await self._audit_failure(conn, "rate_limited")
            raise Refused(
                ErrorCode.RATE_LIMITED,
                f"Too many wrong codes. Try again in {retry_after} seconds.",
                retry_after=retry_after,
            )
        pending = self.codes.redeem(message.code)
        session = self.sessions.get(pending.session_id) if pending else None
        if session is None or session.state is not _S.WAITING_FOR_SHARER:
            self.limiter.record_failure(*keys)
            await self._audit_failure(conn, "invalid_code")
            raise Refused(ErrorCode.INVALID_CODE, INVALID_CODE_MESSAGE)
        helper = session.helper
        permissions = permissions_over(helper.account, conn.account, self.directory)
        offered = levels_for(permissions)
        if not offered:
            await self._audit_failure(conn, "out_of_scope", helper=helper)
            await helper.send(
                Error(code=ErrorCode.OUT_OF_SCOPE, message="that user is outside your scope")
            )
            # The code is spent; the helper may ask for a new one.
            self.codes.cancel(helper.id)
            raise Refused(
                ErrorCode.OUT_OF_SCOPE,
                f"{helper.account.name} is not allowed to help you: your device is outside "
                "their support scope. Contact your IT department.",
            )
        session.sharer, session.permissions, session.offered = conn, permissions, offered
        conn.session = session
        session.machine.move(_S.AWAITING_CONSENT)
        session.audit_id = await asyncio.to_thread(
            self.audit.open,
            **self._parties(helper, conn),
            outcome="pending",
        )
        card = IdentityCard(
            name=helper.account.name,
            upn=helper.account.upn,
            company=helper.account.user.company if helper.account.user else "",
            verified_domain=self.directory.verified_domain_of(helper.account.upn)
            if self.directory
            else "",
            job_title=helper.account.user.job_title if helper.account.user else "",
            tenant=helper.account.principal.tenant,
            session_id=session.id,
            dtls_fingerprint=session.dtls_fingerprint,
            issued_at=datetime.now(UTC),
        )
        await conn.send(HelperIdentity(signed_card=self.signer.sign(card), offered_levels=offered))
        await helper.send(SharerJoined(sharer=conn.account.upn, device_name=conn.device_name))

    async def _consent(self, conn: Connection, message: Consent) -> None:
        self._require_role(conn, PeerRole.SHARER)
        session = conn.session
        if session is None or session.state is not _S.AWAITING_CONSENT:
            raise Refused(ErrorCode.WRONG_STATE, "there is nothing to consent to")
        if message.level is ConsentChoice.DECLINE:
            await session.helper.send(ConsentResult(level=ConsentOutcome.DECLINED))
            await self._close(
                session, EndReason.DECLINED, outcome="declined", notify=(session.helper,)
            )
            return
        level = ConsentLevel(message.level.value)
        if level not in session.offered:
            raise Refused(ErrorCode.NOT_OFFERED, f"{level.value} was not offered")
        session.machine.move(_S.ACTIVE)
        session.note_level(level.value)
        session.note_feature(Feature.VIEW)
        if level is ConsentLevel.CONTROL:
            session.note_feature(Feature.CONTROL)
        await self._record(
            session,
            consent_at=datetime.now(UTC),
            outcome="accepted",
            levels_granted=",".join(session.levels),
            features_used=",".join(session.features),
        )
        await session.helper.send(ConsentResult(level=ConsentOutcome(level.value)))

    # ---- during a session ----------------------------------------------------------

    async def _relay(self, conn: Connection, message: Signal) -> None:
        session = self._active(conn)
        other = session.other(conn)
        if other is not None:
            await other.send(message)

    async def _control(self, conn: Connection, message: Control) -> None:
        session = self._active(conn)
        if message.action is ControlAction.REQUEST_CONTROL:
            self._require_role(conn, PeerRole.HELPER)
        elif message.action in SHARER_ACTIONS:
            self._require_role(conn, PeerRole.SHARER)
        if message.action is ControlAction.REQUEST_CONTROL or (
            message.action is ControlAction.GRANT_CONTROL
        ):
            if ConsentLevel.CONTROL not in session.offered:
                raise Refused(ErrorCode.NOT_OFFERED, "full control is not allowed for this helper")
        if message.action is ControlAction.GRANT_CONTROL:
            session.note_level(ConsentLevel.CONTROL.value)
            session.note_feature(Feature.CONTROL)
            await self._record(
                session,
                levels_granted=",".join(session.levels),
                features_used=",".join(session.features),
            )
        other = session.other(conn)
        if other is not None:
            await other.send(message)

    async def _end_by(self, conn: Connection) -> None:
        session = conn.session
        if session is None or session.state is _S.ENDED:
            # A helper may drop its code; nothing else to end.
            self.codes.cancel(conn.id)
            raise Refused(ErrorCode.WRONG_STATE, "no session to end")
        reason = EndReason.HELPER_ENDED if conn is session.helper else EndReason.SHARER_ENDED
        other = session.other(conn)
        await self._close(session, reason, notify=(other,) if other else ())

    async def disconnected(self, conn: Connection) -> None:
        """A websocket went away: its code dies, and the other side hears of it at once."""
        if conn.role is PeerRole.HELPER:
            self.codes.cancel(conn.id)
        session = conn.session
        if session is None or session.state is _S.ENDED:
            return
        reason = (
            EndReason.HELPER_DISCONNECTED
            if conn is session.helper
            else EndReason.SHARER_DISCONNECTED
        )
        other = session.other(conn)
        await self._close(session, reason, notify=(other,) if other else ())

    async def shutdown(self) -> None:
        for session in list(self.sessions.values()):
            if session.state is not _S.ENDED:
                targets = tuple(c for c in (session.helper, session.sharer) if c is not None)
                await self._close(session, EndReason.SERVER_SHUTDOWN, notify=targets)

    # ---- helpers -------------------------------------------------------------------

    async def _close(
        self,
        session: PairingSession,
        reason: EndReason,
        *,
        notify: tuple[Connection, ...],
        outcome: str | None = None,
    ) -> None:
        was_waiting = session.state is _S.WAITING_FOR_SHARER
        session.machine.move(_S.ENDED)
        self.sessions.pop(session.id, None)
        self.codes.cancel(session.helper.id)
        for conn in (session.helper, session.sharer):
            if conn is not None and conn.session is session:
                conn.session = None
        fields: dict[str, Any] = {"ended_at": datetime.now(UTC), "end_reason": reason.value}
        if outcome:
            fields["outcome"] = outcome
        elif session.audit_id and not session.levels:
            fields["outcome"] = "cancelled"
        if session.audit_id:
            await self._record(session, **fields)
        log.info(
            "session ended session=%s reason=%s waiting=%s", session.id, reason.value, was_waiting
        )
        for conn in notify:
            await conn.send(Ended(reason=reason))

    async def _record(self, session: PairingSession, **fields: Any) -> None:
        if session.audit_id:
            await asyncio.to_thread(self.audit.update, session.audit_id, **fields)

    async def _audit_failure(
        self, sharer: Connection, outcome: str, helper: Connection | None = None
    ) -> None:
        now = datetime.now(UTC)
        await asyncio.to_thread(
            self.audit.open,
            **self._parties(helper, sharer),
            outcome=outcome,
            end_reason=outcome,
            ended_at=now,
        )

    @staticmethod
    def _parties(helper: Connection | None, sharer: Connection) -> dict[str, Any]:
        return {
            "helper_upn": helper.account.upn.lower() if helper else "",
            "helper_oid": helper.account.principal.oid if helper else "",
            "sharer_upn": sharer.account.upn.lower(),
            "sharer_oid": sharer.account.principal.oid,
            "device_name": sharer.device_name,
            "source_address": sharer.address,
        }

    @staticmethod
    def _require_role(conn: Connection, role: PeerRole) -> None:
        if conn.role is not role:
            raise Refused(ErrorCode.FORBIDDEN, f"only the {role.value} may send that")

    @staticmethod
    def _active(conn: Connection) -> PairingSession:
        session = conn.session
        if session is None or session.state is not _S.ACTIVE:
            raise Refused(ErrorCode.WRONG_STATE, "no active session")
        return session
