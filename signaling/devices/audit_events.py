"""The one writer of device events on the audit chain. The session recorder writes what
happens in sessions; everything that happens to a device or its actions is written here, in
the store's transaction (``AuditStore.transact``), one method per kind of event.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from common.devices.actions import FINAL_STATES, ActionState
from signaling.audit.store import Note
from signaling.devices.models import Device, DeviceAction


class DeviceEventKind(StrEnum):
    ENROLLED = "device_enrolled"
    ACTION = "device_action"  # requested, approved, or moved to another state
    RENAMED = "device_renamed"
    RETIRED = "device_retired"
    DELETED = "device_deleted"


def action_facts(row: DeviceAction) -> dict[str, Any]:
    return {
        "action_id": row.id,
        "device_id": row.device_id,
        "action": row.action.value,
        "state": row.state.value,
        "parameters": row.parameters,
    }


class DeviceAuditWriter:
    def __init__(self, note: Note) -> None:
        self._write = note

    def _note(self, kind: DeviceEventKind, change: dict[str, Any]) -> None:
        self._write(kind.value, change)

    def enrolled(self, row: Device) -> None:
        self._note(DeviceEventKind.ENROLLED, {"device_id": row.id, "name": row.name,
                   "owner": row.owner, "groups": list(row.groups),
                   "public_key": row.public_key})  # fmt: skip

    def requested(self, row: DeviceAction, by: str) -> None:
        self._note(DeviceEventKind.ACTION, {**action_facts(row), "by": by, "requested": True,
                   "needs_approval": row.needs_approval})  # fmt: skip

    def approved(self, row: DeviceAction, by: str) -> None:
        self._note(DeviceEventKind.ACTION, {**action_facts(row), "approved_by": by})

    def moved(self, row: DeviceAction, previous: ActionState, by: str) -> None:
        change = {**action_facts(row), "by": by, "from": previous.value}
        if row.state in FINAL_STATES and row.result:
            change["result"] = row.result
        if row.platform_command:
            change["platform_command"] = row.platform_command
        self._note(DeviceEventKind.ACTION, change)

    def renamed(self, row: Device, new_name: str) -> None:
        self._note(DeviceEventKind.RENAMED, {"device_id": row.id, "from": row.name,
                   "to": new_name})  # fmt: skip

    def retired(self, row: Device) -> None:
        self._note(DeviceEventKind.RETIRED, {"device_id": row.id, "name": row.name})

    def deleted(self, row: Device, by: str) -> None:
        self._note(DeviceEventKind.DELETED, {"device_id": row.id, "name": row.name, "by": by})
