"""Rows of the device tables as the records the API, the console and the agent see, and back.

Kept apart from the store's transactions: a row is read the same way by every query, and a
datetime SQLite handed back without its zone is put back in UTC in one place.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from common.devices.actions import ActionParameters, ActionRecord, DiagnosticsReport
from common.devices.records import DeviceRecord
from signaling.devices.models import Device, DeviceAction, DiagnosticsReportRow


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    # SQLite hands datetimes back naive; they were stored in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def device_record(row: Device, *, online: bool = False) -> DeviceRecord:
    return DeviceRecord(
        id=row.id,
        name=row.name,
        os=row.os,
        os_version=row.os_version,
        helpline_version=row.helpline_version,
        owner=row.owner,
        groups=list(row.groups),
        enrolled_at=aware(row.enrolled_at) or now(),
        last_check_in=aware(row.last_check_in),
        status=row.status,
        online=online,
    )


def action_record(row: DeviceAction, device_name: str, has_report: bool) -> ActionRecord:
    return ActionRecord(
        id=row.id,
        device=row.device_id,
        device_name=device_name,
        action=row.action,
        state=row.state,
        parameters=ActionParameters.model_validate(row.parameters),
        requested_by=row.requested_by,
        requested_at=aware(row.requested_at) or now(),
        needs_approval=row.needs_approval,
        approved_by=row.approved_by,
        approved_at=aware(row.approved_at),
        cancelled_by=row.cancelled_by,
        delivered_at=aware(row.delivered_at),
        finished_at=aware(row.finished_at),
        updated_at=aware(row.updated_at),
        progress=row.progress,
        result=row.result,
        platform_command=row.platform_command,
        has_report=has_report,
        statement=row.statement,
    )


def report_row(row: DeviceAction, report: DiagnosticsReport) -> DiagnosticsReportRow:
    return DiagnosticsReportRow(
        action_id=row.id,
        device_id=row.device_id,
        collected_at=report.collected_at,
        content=json.dumps(report.sections),
    )


def report_of(row: DiagnosticsReportRow) -> DiagnosticsReport:
    return DiagnosticsReport(
        collected_at=aware(row.collected_at) or now(),
        sections=json.loads(row.content),
    )
