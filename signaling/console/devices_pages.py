"""``/console/devices``, actions and approvals: what ``DeviceService`` allows, as pages.

Every rule (scope over the device's groups, the ``actions`` permission, naming the device for
what cannot be undone, a second person for a wipe, never one's own approval) is the service's
and the store's; a refusal comes back as a page with their reason.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from common.devices.actions import (
    FINAL_STATES,
    KEEPS_USER_DATA,
    NEEDS_CONFIRMATION,
    ActionKind,
    ActionRecord,
    ActionRequest,
    ActionState,
)
from common.devices.records import DeviceRecord, DeviceStatus
from common.permissions import Permission, offered_levels
from common.validation import first_error
from signaling.console.answers import answering, checked
from signaling.console.context import Console, PageRefused, SignedIn
from signaling.console.diagnostics import latest_report_action
from signaling.console.help_page import help_context
from signaling.devices.store import DeviceFilter


def _text(form: Any, name: str, limit: int = 256) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _back(form: Any, default: str) -> str:
    """Where a form returns to: a console page only, never another site."""
    target = _text(form, "back", 512)
    return target if target.startswith("/console/") and "//" not in target else default


class DeviceFilters:
    """The devices list's filters: the service's own (name, group, OS, status) and those that
    look at what it returns (online, enrolled since, last check-in older than N days)."""

    def __init__(self, params: Any) -> None:
        self.values = {k: str(params.get(k, "")).strip()[:100] for k in (
            "name", "group", "os", "status", "online", "enrolled_since", "stale_days")}  # fmt: skip
        self.problems: list[str] = []
        self.status: DeviceStatus | None = None
        if self.values["status"]:
            try:
                self.status = DeviceStatus(self.values["status"])
            except ValueError:
                self.problems.append("status is enrolled or retired")
        self.since: datetime | None = None
        if self.values["enrolled_since"]:
            try:
                since = datetime.fromisoformat(self.values["enrolled_since"])
                self.since = since if since.tzinfo else since.replace(tzinfo=UTC)
            except ValueError:
                self.problems.append("enrolled since is not an ISO 8601 date")
        stale = self.values["stale_days"]
        self.stale_days = int(stale) if stale.isdigit() else None
        if stale and self.stale_days is None:
            self.problems.append("last check-in older than takes a number of days")

    def service_filter(self) -> DeviceFilter:
        v = self.values
        return DeviceFilter(name=v["name"] or None, group=v["group"] or None,
                            os=v["os"] or None, status=self.status)  # fmt: skip

    def keeps(self, device: DeviceRecord, now: datetime) -> bool:
        online = self.values["online"]
        if online in ("online", "offline") and device.online != (online == "online"):
            return False
        if self.since is not None and device.enrolled_at < self.since:
            return False
        if self.stale_days is not None:
            cutoff = now - timedelta(days=self.stale_days)
            if device.last_check_in is not None and device.last_check_in >= cutoff:
                return False
        return True


def _action_request(form: Any) -> ActionRequest:
    kind = _text(form, "action")
    try:
        action = ActionKind(kind)
    except ValueError as exc:
        raise PageRefused(422, f"{kind[:40]!r} is not an action") from exc
    fields: dict[str, Any] = {"action": action, "confirm": _text(form, "confirm") or None}
    if action is ActionKind.RENAME:
        fields["new_name"] = _text(form, "new_name", 200) or None
    if action in KEEPS_USER_DATA:
        fields["keep_user_data"] = _text(form, "keep_user_data") in ("on", "true", "1", "yes")
    try:
        return ActionRequest.model_validate(fields)
    except ValidationError as exc:
        raise PageRefused(422, f"the request cannot be made: {first_error(exc)}") from exc


def _requested(record: ActionRecord) -> str:
    what = f"{record.action.value} requested for {record.device_name}: {record.state.value}"
    if record.needs_approval and record.approved_by is None:
        what += ", waiting for a second person with the actions permission to approve it"
    return what


def devices_router(console: Console) -> APIRouter:
    router = APIRouter(prefix="/console")
    service = console.devices

    async def device_and_actions(who: SignedIn, device_id: str) -> dict[str, Any]:
        with answering():
            device = await service.device(who.account, device_id)
            actions = await service.actions_of(who.account, device_id)
        granted = service.permissions_on(who.account, device)
        return {
            "device": device,
            "actions": list(reversed(actions)),
            "open": any(a.state not in FINAL_STATES for a in actions),
            "may_act": Permission.ACTIONS in granted,
            "may_help": bool(offered_levels(granted)),
            "granted": sorted(p.value for p in granted),
        }

    @router.get("/devices")
    async def devices(request: Request) -> Response:
        who = console.signed_in(request)
        filters = DeviceFilters(request.query_params)
        with answering():
            found = await service.devices(who.account, filters.service_filter())
        now = datetime.now(UTC)
        return console.render(
            request, "devices.html", who.session,
            devices=[d for d in found if filters.keeps(d, now)],
            filters=filters.values, problems=filters.problems,
        )  # fmt: skip

    @router.get("/devices/{device_id}")
    async def device(request: Request, device_id: str) -> Response:
        who = console.signed_in(request)
        shown = await device_and_actions(who, checked(device_id, "device"))
        report, report_problem = None, ""
        report_action = latest_report_action(shown["actions"])
        if report_action is not None:
            try:
                with answering():
                    report = await service.report(who.account, report_action.id)
            except PageRefused as exc:
                report_problem = exc.reason
        return console.render(
            request, "device.html", who.session, **shown,
            report=report, report_action=report_action, report_problem=report_problem,
            **help_context(console, who, shown["device"].id, shown["device"].name),
            kinds=[k.value for k in ActionKind],
            confirm_kinds=sorted(k.value for k in NEEDS_CONFIRMATION),
        )  # fmt: skip

    @router.get("/devices/{device_id}/actions")
    async def actions_fragment(request: Request, device_id: str) -> Response:
        """The action history alone: the device page polls it while an action is open."""
        who = console.signed_in(request)
        shown = await device_and_actions(who, checked(device_id, "device"))
        return console.render(request, "_actions.html", who.session, **shown)

    @router.post("/devices/{device_id}/actions")
    async def request_action(request: Request, device_id: str) -> Response:
        who = await console.changing(request)
        wanted = _action_request(await request.form())
        with answering():
            record = await service.request(who.account, checked(device_id, "device"), wanted)
        who.session.flash.append(_requested(record))
        target = "/console/devices" if record.action is ActionKind.DELETE else (
            f"/console/devices/{device_id}")  # fmt: skip
        return RedirectResponse(target, status_code=303)

    @router.post("/actions/{action_id}/approve")
    async def approve(request: Request, action_id: str) -> Response:
        who = await console.changing(request)
        with answering():
            record = await service.approve(who.account, checked(action_id, "action"))
        who.session.flash.append(f"{record.action.value} of {record.device_name} approved")
        return RedirectResponse(_back(await request.form(), "/console/approvals"), 303)

    @router.post("/actions/{action_id}/cancel")
    async def cancel(request: Request, action_id: str) -> Response:
        who = await console.changing(request)
        with answering():
            record = await service.cancel(who.account, checked(action_id, "action"))
        who.session.flash.append(f"{record.action.value} of {record.device_name} cancelled")
        return RedirectResponse(_back(await request.form(), "/console/approvals"), 303)

    @router.get("/actions/{action_id}/report.json")
    async def report_json(request: Request, action_id: str) -> Response:
        who = console.signed_in(request)
        with answering():
            report = await service.report(who.account, checked(action_id, "action"))
        return JSONResponse(
            report.model_dump(mode="json"),
            headers={"Content-Disposition": f'attachment; filename="diagnostics-{action_id}.json"'},
        )

    @router.get("/approvals")
    async def approvals(request: Request) -> Response:
        who = console.signed_in(request)
        console.require(who.account, Permission.ACTIONS, "approvals")
        mine = who.account.upn.lower()
        to_approve: list[ActionRecord] = []
        waiting: list[ActionRecord] = []
        with answering():
            for device in await service.devices(who.account, DeviceFilter()):
                if Permission.ACTIONS not in service.permissions_on(who.account, device):
                    continue
                for action in await service.actions_of(who.account, device.id):
                    if not (action.needs_approval and action.approved_by is None
                            and action.state is ActionState.PENDING):  # fmt: skip
                        continue
                    (waiting if action.requested_by == mine else to_approve).append(action)
        return console.render(
            request, "approvals.html", who.session, to_approve=to_approve, waiting=waiting
        )

    return router
