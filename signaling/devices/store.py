"""Devices and their actions in the database: every change in one transaction with its
audit event (``AuditStore.transact``, written by ``signaling.devices.audit_events``), so the
action table and the chain cannot disagree. What is allowed is ``signaling.devices.rules``,
how a row reads as a record ``signaling.devices.rows``, and the statement that lets a ready
action run ``signaling.devices.signer``.

Calls are synchronous and short; ``DeviceService`` runs them in a worker thread. State
changes are checked against ``common.devices.actions.ACTION_TRANSITIONS`` under the audit's
write lock, so two requests racing on one action cannot both move it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.devices.actions import (
    FINAL_STATES,
    SERVER_SIDE,
    ActionKind,
    ActionRecord,
    ActionRequest,
    ActionState,
    DiagnosticsReport,
)
from common.devices.agent_protocol import ActionUpdate, CheckIn
from common.devices.records import DeviceRecord, DeviceStatus, EnrollRequest
from common.devices.signing import MAX_CLOCK_SKEW_SECONDS
from signaling.audit.store import AuditStore, Note
from signaling.devices import rows, rules
from signaling.devices.audit_events import DeviceAuditWriter
from signaling.devices.models import (
    Device,
    DeviceAction,
    DeviceNonce,
    DiagnosticsReportRow,
)
from signaling.devices.rules import RefusalKind, Refused
from signaling.devices.signer import ActionSigner

_A = ActionState
NONCE_MEMORY = timedelta(seconds=2 * MAX_CLOCK_SKEW_SECONDS)
SYSTEM = "server"  # who cancels what a retire or delete left pending
DEVICE = "device"  # who moves an action the agent reported on


@dataclass(frozen=True)
class StoredDevice:
    record: DeviceRecord
    public_key: str


@dataclass(frozen=True)
class DeviceFilter:
    name: str | None = None
    owner: str | None = None
    group: str | None = None
    os: str | None = None
    status: DeviceStatus | None = None


@dataclass(frozen=True)
class UpdateOutcome:
    action: ActionRecord
    # The device's status after the update, when it changed (a retire succeeded).
    device_status: DeviceStatus | None = None


class DeviceStore:
    def __init__(self, audit: AuditStore, signer: ActionSigner) -> None:
        self._audit = audit
        self._engine = audit.engine
        self.signer = signer
        self.run = audit.run  # the same one thread: devices and the audit share the chain
        audit.retain(self._purge)  # finished actions and their reports go as sessions do

    @staticmethod
    def _purge(db: Session, older_than: datetime) -> dict[str, int]:
        """Actions finished before ``older_than`` and their reports; open ones stay."""
        old = select(DeviceAction.id).where(
            DeviceAction.state.in_(FINAL_STATES), DeviceAction.finished_at < older_than
        )
        ids = list(db.scalars(old))
        reports = db.execute(
            delete(DiagnosticsReportRow).where(DiagnosticsReportRow.action_id.in_(ids))
        )
        db.execute(delete(DeviceAction).where(DeviceAction.id.in_(ids)))
        purged_reports = int(getattr(reports, "rowcount", 0) or 0)
        return {"device_actions": len(ids), "device_reports": purged_reports}

    def note_read(self, reader: str, what: str, asked: dict[str, Any], returned: int) -> None:
        """A device listing or a report download, recorded on the chain as audit reads are."""
        self._audit.note_access(reader, what, asked, returned)

    # ---- devices -----------------------------------------------------------------------

    def enroll(
        self,
        request: EnrollRequest,
        *,
        owner: str,
        owner_oid: str,
        groups: list[str],
        cap: int | None = None,
    ) -> DeviceRecord:
        """``cap``: how many enrolled devices ``owner`` may hold, counted in the same
        transaction as the new one (under the chain's write lock), so no burst exceeds it."""

        def work(db: Session, note: Note) -> DeviceRecord:
            held = db.scalar(
                select(func.count())
                .select_from(Device)
                .where(Device.owner == owner, Device.status == DeviceStatus.ENROLLED)
            )
            rules.check_device_count(int(held or 0), cap)
            taken = db.scalar(select(Device.id).where(Device.public_key == request.public_key))
            if taken is not None:
                raise Refused(RefusalKind.CONFLICT, rules.KEY_TAKEN)
            row = Device(
                id=uuid.uuid4().hex,
                name=request.name,
                os=request.os,
                os_version=request.os_version,
                helpline_version=request.helpline_version,
                owner=owner,
                owner_oid=owner_oid,
                groups=sorted(set(groups)),
                public_key=request.public_key,
                enrolled_at=rows.now(),
                status=DeviceStatus.ENROLLED,
            )
            db.add(row)
            try:
                db.flush()
            except IntegrityError as exc:  # the same key enrolled a moment ago
                raise Refused(RefusalKind.CONFLICT, rules.KEY_TAKEN) from exc
            DeviceAuditWriter(note).enrolled(row)
            return rows.device_record(row)

        return self._audit.transact(work)

    def device(self, device_id: str) -> StoredDevice | None:
        """Any device, deleted ones too (the caller decides what to show)."""
        with Session(self._engine) as db:
            row = db.get(Device, device_id)
            return StoredDevice(rows.device_record(row), row.public_key) if row else None

    def devices(self, where: DeviceFilter) -> list[DeviceRecord]:
        statement = select(Device).where(Device.status != DeviceStatus.DELETED)
        if where.status is not None:
            statement = statement.where(Device.status == where.status)
        if where.owner:
            statement = statement.where(Device.owner == where.owner.lower())
        if where.os:
            statement = statement.where(Device.os == where.os)
        with Session(self._engine) as db:
            found = db.scalars(statement.order_by(Device.name)).all()
        records = [rows.device_record(row) for row in found]
        if where.name:
            wanted = where.name.casefold()
            records = [r for r in records if wanted in r.name.casefold()]
        if where.group:  # groups are a JSON list: checked here, the same on every database
            records = [r for r in records if where.group in r.groups]
        return records

    def remember_nonce(self, device_id: str, nonce: str) -> bool:
        """False when the device already used this nonce lately (a replay)."""

        def work(db: Session, _: Note) -> bool:
            now = rows.now()
            db.execute(delete(DeviceNonce).where(DeviceNonce.seen_at < now - NONCE_MEMORY))
            if db.get(DeviceNonce, (device_id, nonce)) is not None:
                return False
            db.add(DeviceNonce(device_id=device_id, nonce=nonce, seen_at=now))
            return True

        return self._audit.transact(work)

    def check_in(self, device_id: str, facts: CheckIn) -> DeviceRecord:
        def work(db: Session, _: Note) -> DeviceRecord:
            row = self._device_row(db, device_id)
            row.last_check_in = rows.now()
            row.os = facts.os or row.os
            row.os_version = facts.os_version or row.os_version
            row.helpline_version = facts.helpline_version or row.helpline_version
            db.flush()
            return rows.device_record(row, online=True)

        return self._audit.transact(work)

    # ---- actions -----------------------------------------------------------------------

    def request(self, device_id: str, request: ActionRequest, by: str) -> ActionRecord:
        def work(db: Session, note: Note) -> ActionRecord:
            device = self._device_row(db, device_id)
            kind = request.action
            rules.check_request(device.name, device.status, request)
            now = rows.now()
            row = DeviceAction(
                id=uuid.uuid4().hex,
                device_id=device_id,
                action=kind,
                state=_A.PENDING,
                parameters=request.parameters().model_dump(mode="json", exclude_none=True),
                requested_by=by,
                requested_at=now,
                needs_approval=rules.needs_approval(request),
                updated_at=now,
            )
            db.add(row)
            db.flush()
            if not row.needs_approval:
                row.statement = self.signer.action(row)
            DeviceAuditWriter(note).requested(row, by)
            if kind in SERVER_SIDE:
                self._delete_device(db, note, device, row, by)
            return self._record(db, row)

        return self._audit.transact(work)

    def _delete_device(
        self, db: Session, note: Note, device: Device, row: DeviceAction, by: str
    ) -> None:
        device.status = DeviceStatus.DELETED
        self._close_open(db, note, device.id, "the device was deleted", keep=row.id)
        self._move(db, note, row, _A.SUCCEEDED, by, result="device record removed; the device "
                   "retires itself when it next checks in")  # fmt: skip
        DeviceAuditWriter(note).deleted(device, by)

    def cancel(self, action_id: str, by: str) -> ActionRecord:
        def work(db: Session, note: Note) -> ActionRecord:
            row = self._action_row(db, action_id)
            rules.check_cancel(row.state)
            row.cancelled_by = by
            self._move(db, note, row, _A.CANCELLED, by)
            return self._record(db, row)

        return self._audit.transact(work)

    def approve(self, action_id: str, by: str) -> ActionRecord:
        def work(db: Session, note: Note) -> ActionRecord:
            row = self._action_row(db, action_id)
            rules.check_approval(
                row.action,
                row.state,
                needs_approval=row.needs_approval,
                approved_by=row.approved_by,
                requested_by=row.requested_by,
                by=by,
            )
            row.approved_by, row.approved_at, row.updated_at = by, rows.now(), rows.now()
            row.statement = self.signer.action(row)
            DeviceAuditWriter(note).approved(row, by)
            return self._record(db, row)

        return self._audit.transact(work)

    def action(self, action_id: str) -> ActionRecord | None:
        with Session(self._engine) as db:
            row = db.get(DeviceAction, action_id)
            return self._record(db, row) if row else None

    def actions_of(self, device_id: str) -> list[ActionRecord]:
        with Session(self._engine) as db:
            found = db.scalars(
                select(DeviceAction)
                .where(DeviceAction.device_id == device_id)
                .order_by(DeviceAction.requested_at)
            ).all()
            return [self._record(db, row) for row in found]

    def deliver(self, device_id: str, *, again: bool) -> list[ActionRecord]:
        """What to send the agent: with ``again`` (a check-in) the delivered and running ones
        first, same ids; then every ready pending one, now marked delivered, oldest first."""

        def work(db: Session, note: Note) -> list[ActionRecord]:
            found = db.scalars(
                select(DeviceAction)
                .where(DeviceAction.device_id == device_id)
                .where(DeviceAction.state.in_([_A.PENDING, _A.DELIVERED, _A.RUNNING]))
                .order_by(DeviceAction.requested_at)
            ).all()
            out = [row for row in found if again and row.state is not _A.PENDING]
            for row in found:
                ready = not row.needs_approval or row.approved_by is not None
                if row.state is _A.PENDING and ready and row.action not in SERVER_SIDE:
                    row.delivered_at = rows.now()
                    self._move(db, note, row, _A.DELIVERED, SYSTEM)
                    out.append(row)
            return [self._record(db, row) for row in out]

        return self._audit.transact(work)

    def apply_update(self, device_id: str, update: ActionUpdate) -> UpdateOutcome:
        """The agent's report; a repeat or an update that is not next changes nothing."""

        def work(db: Session, note: Note) -> UpdateOutcome:
            row = db.get(DeviceAction, update.action_id)
            if row is None or row.device_id != device_id:
                raise Refused(RefusalKind.NOT_FOUND, "no such action for this device")
            target = ActionState(update.state)
            progress_only = rules.is_progress(row.state, target)
            if not progress_only and not rules.update_applies(row.state, target):
                return UpdateOutcome(self._record(db, row))
            row.progress = update.progress or row.progress
            row.platform_command = update.platform_command or row.platform_command
            if progress_only:
                row.updated_at = rows.now()
                return UpdateOutcome(self._record(db, row))
            if update.report is not None and row.action is ActionKind.DIAGNOSTICS:
                db.merge(rows.report_row(row, update.report))
            self._move(db, note, row, target, DEVICE, result=update.result)
            status = None
            if target is _A.SUCCEEDED:
                status = self._after_success(db, note, row)
            return UpdateOutcome(self._record(db, row), status)

        return self._audit.transact(work)

    def _after_success(self, db: Session, note: Note, row: DeviceAction) -> DeviceStatus | None:
        device = self._device_row(db, row.device_id)
        if row.action is ActionKind.RENAME:
            new_name = str(row.parameters["new_name"])
            DeviceAuditWriter(note).renamed(device, new_name)
            device.name = new_name
        elif row.action is ActionKind.RETIRE:
            device.status = DeviceStatus.RETIRED
            self._close_open(db, note, device.id, "the device retired", keep=row.id)
            DeviceAuditWriter(note).retired(device)
            return DeviceStatus.RETIRED
        return None

    def report(self, action_id: str) -> DiagnosticsReport | None:
        with Session(self._engine) as db:
            row = db.get(DiagnosticsReportRow, action_id)
            if row is None:
                return None
            return rows.report_of(row)

    # ---- inside a transaction ------------------------------------------------------------

    def _close_open(self, db: Session, note: Note, device_id: str, why: str, *, keep: str) -> None:
        """A device that is gone will never run what was waiting for it: pending actions are
        cancelled, delivered and running ones failed (all but ``keep``, the one doing it)."""
        open_rows = db.scalars(
            select(DeviceAction)
            .where(DeviceAction.device_id == device_id)
            .where(DeviceAction.state.in_([_A.PENDING, _A.DELIVERED, _A.RUNNING]))
            .where(DeviceAction.id != keep)
        ).all()
        for row in open_rows:
            if row.state is _A.PENDING:
                row.cancelled_by = SYSTEM
                self._move(db, note, row, _A.CANCELLED, SYSTEM, result=why)
            else:
                self._move(db, note, row, _A.FAILED, SYSTEM, result=why)

    def _move(
        self,
        db: Session,
        note: Note,
        row: DeviceAction,
        target: ActionState,
        by: str,
        *,
        result: str = "",
    ) -> None:
        previous = row.state
        rules.check_move(previous, target)
        row.state = target
        row.updated_at = rows.now()
        if result:
            row.result = result
        if target in FINAL_STATES:
            row.finished_at = row.updated_at
        db.flush()
        DeviceAuditWriter(note).moved(row, previous, by)

    @staticmethod
    def _device_row(db: Session, device_id: str) -> Device:
        row = db.get(Device, device_id)
        if row is None or rules.device_gone(row.status):
            raise Refused(RefusalKind.NOT_FOUND, "no such device")
        return row

    @staticmethod
    def _action_row(db: Session, action_id: str) -> DeviceAction:
        row = db.get(DeviceAction, action_id)
        if row is None:
            raise Refused(RefusalKind.NOT_FOUND, "no such action")
        return row

    def _record(self, db: Session, row: DeviceAction) -> ActionRecord:
        device = db.get(Device, row.device_id)
        has_report = db.get(DiagnosticsReportRow, row.id) is not None
        return rows.action_record(row, device.name if device else "", has_report)
