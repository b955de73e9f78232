"""What the HTTP routes, the agent's websocket and the hub ask of devices, with the rules:
scope (a role whose scopes meet the device's groups), permissions, device signatures, and the
push of a ready action to a connected agent (here, or through ``pushes`` at the replica the
agent is connected to).

Storage calls run in a worker thread; a storage failure is ``DevicesUnavailable`` (told to
callers as "try later"), never a half-done change: each store call is one transaction.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from common.devices.actions import (
    SERVER_SIDE,
    ActionRecord,
    ActionRequest,
    DiagnosticsReport,
)
from common.devices.agent_protocol import (
    ActionAck,
    ActionUpdate,
    CheckedIn,
    CheckIn,
    Deliver,
    HelpWanted,
    Retire,
)
from common.devices.records import (
    DeviceRecord,
    DeviceStatus,
    EnrollRequest,
    EnrollResponse,
)
from common.devices.signing import (
    DeviceSignatureError,
    SignedEnvelope,
    verify_enroll_request,
    verify_envelope,
    verify_live_help_proof,
)
from common.permissions import Permission
from signaling.devices.pushes import DevicePushes
from signaling.devices.rules import RefusalKind, Refused
from signaling.devices.store import DeviceFilter, DeviceStore, StoredDevice
from signaling.identity.directory import DevicePolicy, Directory
from signaling.identity.rbac import Account, permissions_over
from signaling.state.attempts import Attempts, MemoryAttempts

T = TypeVar("T")
log = logging.getLogger(__name__)
NORMAL_CLOSE = 1000


class DevicesUnavailable(Exception):
    """The device tables cannot be read or written right now."""


class DeviceRefused(Exception):
    """A device's signature, age, nonce or enrolment is not acceptable; safe to send back."""


class AgentLink(Protocol):
    """A connected agent, as the service needs it: something to send to and to close."""

    async def send(
        self, message: CheckedIn | Deliver | ActionAck | Retire | HelpWanted
    ) -> None: ...

    async def close(self, code: int) -> None: ...


@dataclass(frozen=True)
class EnrolmentLimits:
    """From ``ServerSettings``: devices an account without ``actions`` may hold, and every
    account's enrolments a minute (counted where the redeem attempts are)."""

    max_devices_per_account: int = 5
    per_minute: int = 10
    attempts: Attempts = field(default_factory=MemoryAttempts)  # Redis with replicas


class DeviceService:
    def __init__(
        self,
        store: DeviceStore,
        directory: Directory | None,
        *,
        check_in_seconds: int,
        limits: EnrolmentLimits | None = None,
        pushes: DevicePushes | None = None,
    ) -> None:
        """``pushes``: the other replicas' agents (HELPLINE_REDIS_URL); None: one process."""
        self._pushes = pushes
        self._store = store
        self._directory = directory
        self.check_in_seconds = check_in_seconds
        self._limits = limits or EnrolmentLimits()
        self._links: dict[str, AgentLink] = {}

    @property
    def policy(self) -> DevicePolicy:
        return self._directory.devices if self._directory else DevicePolicy()

    async def _run(self, job: Callable[..., T], *args: object, **kwargs: object) -> T:
        try:
            return await self._store.run(job, *args, **kwargs)
        except (SQLAlchemyError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or type(exc).__name__)
            log.error("device storage failed: %s", reason)
            raise DevicesUnavailable(reason) from exc

    # ---- scope ---------------------------------------------------------------------------

    def permissions_on(self, account: Account, device: DeviceRecord) -> frozenset[Permission]:
        return permissions_over(account, frozenset(device.groups), self._directory)

    def _require(self, account: Account, device: DeviceRecord, *wanted: Permission) -> None:
        granted = self.permissions_on(account, device)
        if not granted:
            raise Refused(RefusalKind.FORBIDDEN, "this device is outside your support scope")
        if wanted and not granted & set(wanted):
            names = " or ".join(p.value for p in wanted)
            raise Refused(RefusalKind.FORBIDDEN, f"your role does not grant {names} on this device")

    async def _visible(self, account: Account, device_id: str) -> DeviceRecord:
        stored = await self._run(self._store.device, device_id)
        if stored is None or stored.record.status is DeviceStatus.DELETED:
            raise Refused(RefusalKind.NOT_FOUND, "no such device")
        self._require(account, stored.record)
        return self._online(stored.record)

    def _online(self, record: DeviceRecord) -> DeviceRecord:
        return record.model_copy(update={"online": record.id in self._links})

    # ---- people: the HTTP API ------------------------------------------------------------

    async def enroll(self, account: Account, request: EnrollRequest) -> EnrollResponse:
        try:
            verify_enroll_request(request)
        except DeviceSignatureError as exc:
            raise Refused(
                RefusalKind.INVALID, "the enrolment is not signed by the key it enrols"
            ) from exc
        limits = self._limits
        try:
            wait = await limits.attempts.reserve(f"enrol:{account.key}", limits.per_minute, 60)
        except RedisError as exc:
            log.error("enrolment limit unavailable: %s", type(exc).__name__)
            raise DevicesUnavailable(type(exc).__name__) from exc
        if isinstance(wait, int):
            raise Refused(RefusalKind.LIMITED, f"too many enrolments from your account; try "
                          f"again in {wait} s", retry_after=wait)  # fmt: skip
        groups = sorted(account.groups | set(self.policy.groups))
        admin = Permission.ACTIONS in account.permissions  # admins enrol fleets
        record = await self._run(
            self._store.enroll,
            request,
            owner=account.upn.lower(),
            owner_oid=account.principal.oid,
            groups=groups,
            cap=None if admin else limits.max_devices_per_account,
        )
        log.info("device enrolled device=%s", record.id)
        return EnrollResponse(
            device=record,
            check_in_seconds=self.check_in_seconds,
            server_key=self._store.signer.public_key_text,
        )

    async def devices(self, account: Account, where: DeviceFilter) -> list[DeviceRecord]:
        if not account.permissions:
            raise Refused(RefusalKind.FORBIDDEN, "your role does not allow seeing devices")
        records = await self._run(self._store.devices, where)
        visible = [self._online(r) for r in records if self.permissions_on(account, r)]
        asked = {k: v for k, v in dataclasses.asdict(where).items() if v is not None}
        await self._noted(account, "devices", asked, len(visible))
        return visible

    async def device(self, account: Account, device_id: str) -> DeviceRecord:
        return await self._visible(account, device_id)

    async def actions_of(self, account: Account, device_id: str) -> list[ActionRecord]:
        await self._visible(account, device_id)
        return await self._run(self._store.actions_of, device_id)

    async def action(self, account: Account, action_id: str) -> ActionRecord:
        record = await self._run(self._store.action, action_id)
        if record is None:
            raise Refused(RefusalKind.NOT_FOUND, "no such action")
        await self._visible(account, record.device)
        return record

    async def request(
        self, account: Account, device_id: str, request: ActionRequest
    ) -> ActionRecord:
        device = await self._visible(account, device_id)
        self._require(account, device, Permission.ACTIONS)
        record = await self._run(self._store.request, device_id, request, account.upn.lower())
        log.info("device action requested action=%s kind=%s", record.id, record.action.value)
        if record.action in SERVER_SIDE:
            await self._drop_link(device_id, "deleted")
        else:
            await self.push(device_id)
        return record

    async def cancel(self, account: Account, action_id: str) -> ActionRecord:
        current = await self.action(account, action_id)
        device = await self._visible(account, current.device)
        self._require(account, device, Permission.ACTIONS)
        return await self._run(self._store.cancel, action_id, account.upn.lower())

    async def approve(self, account: Account, action_id: str) -> ActionRecord:
        current = await self.action(account, action_id)
        device = await self._visible(account, current.device)
        self._require(account, device, Permission.ACTIONS)
        record = await self._run(self._store.approve, action_id, account.upn.lower())
        log.info("device action approved action=%s", record.id)
        await self.push(record.device)
        return record

    async def report(self, account: Account, action_id: str) -> DiagnosticsReport:
        current = await self.action(account, action_id)
        device = await self._visible(account, current.device)
        self._require(account, device, Permission.ACTIONS, Permission.REPORTS)
        report = await self._run(self._store.report, action_id)
        if report is None:
            raise Refused(RefusalKind.NOT_FOUND, "this action has no diagnostics report (yet)")
        asked = {"action_id": action_id, "device_id": device.id}
        await self._noted(account, "diagnostics_report", asked, 1)
        return report

    async def _noted(self, account: Account, what: str, asked: dict[str, Any], got: int) -> None:
        """A read on the chain before it is answered: one that cannot be recorded is refused
        (503), as an audit read is."""
        await self._run(self._store.note_read, account.upn.lower(), what, asked, got)

    # ---- devices: the agent's link and live help -----------------------------------------

    async def authenticate(self, envelope: SignedEnvelope) -> StoredDevice:
        """The device that signed this envelope, now, once; or DeviceRefused."""
        stored = await self._run(self._store.device, envelope.device_id)
        if stored is None:
            raise DeviceRefused("this device is not enrolled here")
        try:
            verify_envelope(envelope, stored.public_key)
        except DeviceSignatureError as exc:
            log.warning("device signature refused device=%s reason=%s", envelope.device_id, exc)
            raise DeviceRefused(str(exc)) from exc
        if not await self._run(self._store.remember_nonce, envelope.device_id, envelope.nonce):
            log.warning("device message replayed device=%s", envelope.device_id)
            raise DeviceRefused("this signed message was used before (a replay)")
        return stored

    async def prove(self, proof: SignedEnvelope, token: str) -> DeviceRecord:
        """The enrolled device behind a live-help proof; DeviceRefused otherwise."""
        stored = await self._run(self._store.device, proof.device_id)
        if stored is None or stored.record.status is not DeviceStatus.ENROLLED:
            raise DeviceRefused("this device is not enrolled here")
        try:
            verify_live_help_proof(proof, stored.public_key, token)
        except DeviceSignatureError as exc:
            log.warning("device proof refused device=%s reason=%s", proof.device_id, exc)
            raise DeviceRefused(str(exc)) from exc
        if not await self._run(self._store.remember_nonce, proof.device_id, proof.nonce):
            log.warning("device proof replayed device=%s", proof.device_id)
            raise DeviceRefused("this device proof was used before (a replay)")
        return stored.record

    async def connected(self, device_id: str, link: AgentLink) -> None:
        """One link per device: a newer connection replaces an older one."""
        old = self._links.get(device_id)
        self._links[device_id] = link
        if old is not None and old is not link:
            await old.close(NORMAL_CLOSE)

    def disconnected(self, device_id: str, link: AgentLink) -> None:
        if self._links.get(device_id) is link:
            del self._links[device_id]

    async def check_in(self, device_id: str, facts: CheckIn) -> tuple[CheckedIn, Deliver]:
        record = await self._run(self._store.check_in, device_id, facts)
        actions = await self._run(self._store.deliver, device_id, again=True)
        checked = CheckedIn(
            device=record,
            check_in_seconds=self.check_in_seconds,
            server_time=int(record.last_check_in.timestamp()) if record.last_check_in else 0,
        )
        return checked, Deliver(actions=actions)

    async def update(self, device_id: str, update: ActionUpdate) -> tuple[ActionAck, bool]:
        """The ack for an agent's update, and whether the device just retired."""
        outcome = await self._run(self._store.apply_update, device_id, update)
        ack = ActionAck(action_id=outcome.action.id, state=outcome.action.state)
        return ack, outcome.device_status is DeviceStatus.RETIRED

    async def push(self, device_id: str) -> None:
        """Send a connected agent what became ready for it; an offline one gets it later."""
        if device_id not in self._links and self._pushes is not None:
            self._pushes.announce(device_id)  # its agent may be at another replica
            return
        await self.push_here(device_id)

    async def push_here(self, device_id: str) -> None:
        link = self._links.get(device_id)
        if link is None:
            return
        actions = await self._run(self._store.deliver, device_id, again=False)
        if actions:
            await link.send(Deliver(actions=actions))

    def agent_online(self, device_id: str) -> bool:
        return device_id in self._links

    async def tell_help(self, device_id: str, helper_name: str, expires_at: datetime) -> None:
        """A connected agent tells the person someone asks to help
        (``signaling.pairing.device_help``)."""
        link = self._links.get(device_id)
        if link is not None:
            await link.send(HelpWanted(helper_name=helper_name, expires_at=expires_at))

    def retire_message(self, device_id: str, reason: Literal["deleted", "retired"]) -> Retire:
        """``retire``, signed: only this server can make its devices drop their keys."""
        return Retire(reason=reason, statement=self._store.signer.retire(device_id, reason))

    async def _drop_link(self, device_id: str, reason: Literal["deleted", "retired"]) -> None:
        if device_id not in self._links and self._pushes is not None:
            self._pushes.announce(device_id, retire=reason)
            return
        await self.retire_here(device_id, reason)

    async def retire_here(self, device_id: str, reason: Literal["deleted", "retired"]) -> None:
        """The agent connected here is told to drop its key, and its link closes."""
        link = self._links.pop(device_id, None)
        if link is not None:
            await link.send(self.retire_message(device_id, reason))
            await link.close(NORMAL_CLOSE)
