"""The device tables as the audit chain says they must be: every device, action and approval
re-derived from the device events (``signaling.devices.audit_events``) and compared with the
rows the server reads, so an edit of the tables by anyone but the server shows in
``audit verify``: a forged action row, an edited requester or approver, widened groups, a
deleted device brought back.

``check`` is a plug-in of ``AuditStore.verify``: it runs after the chain itself verified,
over the same snapshot. Devices and actions whose first events were purged by retention are
compared only from what is left; those from before the purge line with none are skipped, as
the chain's own records are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from signaling.audit import chain
from signaling.audit.models import AuditEvent
from signaling.audit.verify import ChainView
from signaling.devices.audit_events import DeviceEventKind
from signaling.devices.models import Device, DeviceAction

_K = DeviceEventKind
KINDS = frozenset(kind.value for kind in DeviceEventKind)
ById = dict[str, dict[str, Any]]
DEVICE_FIELDS = ("name", "owner", "groups", "status", "public_key")
ACTION_FIELDS = (
    "device_id", "action", "state", "parameters", "requested_by", "approved_by", "cancelled_by",
    "needs_approval",
)  # fmt: skip


def derive(
    events: Sequence[AuditEvent],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Devices and actions by id, as their events left them."""
    devices: dict[str, dict[str, Any]] = {}
    actions: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.kind not in _K.__members__.values():
            continue
        change = json.loads(event.change)
        kind = _K(event.kind)
        if kind is _K.ENROLLED:
            devices[change["device_id"]] = {
                "name": change["name"], "owner": change["owner"],
                "groups": sorted(change["groups"]), "status": "enrolled",
                **({"public_key": change["public_key"]} if "public_key" in change else {}),
            }  # fmt: skip
            continue
        if kind is not _K.ACTION:
            device = devices.get(change["device_id"])
            if device is not None:
                if kind is _K.RENAMED:
                    device["name"] = change["to"]
                else:
                    device["status"] = "retired" if kind is _K.RETIRED else "deleted"
            continue
        if change.get("requested"):
            actions[change["action_id"]] = {
                "device_id": change["device_id"], "action": change["action"],
                "state": change["state"], "parameters": change["parameters"],
                "requested_by": change["by"], "approved_by": None, "cancelled_by": None,
                **({"needs_approval": change["needs_approval"]}
                   if "needs_approval" in change else {}),
            }  # fmt: skip
            continue
        action = actions.get(change["action_id"])
        if action is None:  # its request was purged
            continue
        if "approved_by" in change:
            action["approved_by"] = change["approved_by"]
        action["state"] = change["state"]
        if change["state"] == "cancelled":
            action["cancelled_by"] = change["by"]
    return devices, actions


def _differs(kind: str, row_id: str, want: dict[str, Any], have: dict[str, Any]) -> str | None:
    for field in want:
        if have[field] != want[field]:
            return f"{kind} {row_id} was changed: {field} differs from its events"
    return None


def check(db: Session, events: Sequence[AuditEvent]) -> str | None:
    """The first device or action row that its events do not account for, or None."""
    purges = [json.loads(e.change) for e in events if e.kind == chain.PURGED]
    purged_before = max((p["started_before"] for p in purges), default="")
    devices, actions = derive(events)
    rows = db.scalars(select(Device).order_by(Device.enrolled_at)).all()
    for row in rows:
        want = devices.pop(row.id, None)
        if want is None:
            if chain.plain(row.enrolled_at) < purged_before:
                continue
            return f"device {row.id} was not enrolled by the server"
        have = {
            "name": row.name, "owner": row.owner, "groups": sorted(row.groups),
            "status": chain.plain(row.status), "public_key": row.public_key,
        }  # fmt: skip
        if problem := _differs("device", row.id, want, have):
            return problem
    for device_id in devices:
        return f"device {device_id} was removed from the device table"
    for action_row in db.scalars(select(DeviceAction).order_by(DeviceAction.requested_at)).all():
        wanted = actions.pop(action_row.id, None)
        if wanted is None:
            if chain.plain(action_row.requested_at) < purged_before:
                continue
            return f"device action {action_row.id} was not requested through the server"
        had = {field: chain.plain(getattr(action_row, field)) for field in ACTION_FIELDS}
        if problem := _differs("device action", action_row.id, wanted, had):
            return problem
    for action_id in actions:
        return f"device action {action_id} was removed from the action table"
    return None


def chain_check(view: ChainView) -> list[str]:
    """The device tables as one of ``audit verify``'s checks, over the same snapshot."""
    problem = check(view.db, view.events)
    return [problem] if problem else []
