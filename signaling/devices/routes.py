"""``/v1/devices``: enrolment, the device list, actions, approval and diagnostics reports.

Every route takes a bearer token; what the caller may see or do is decided by
``DeviceService`` against the device's groups, and a refusal is JSON ``{detail}``.
(No postponed annotations here: FastAPI reads the route signatures, which name ``Caller``,
an alias local to ``devices_router``.)
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse

from common.devices.actions import ActionRecord, ActionRequest
from common.devices.records import DeviceRecord, DeviceStatus, EnrollRequest, EnrollResponse
from signaling.devices.rules import RefusalKind, Refused
from signaling.devices.service import DeviceService, DevicesUnavailable
from signaling.devices.store import DeviceFilter
from signaling.identity.auth import Authenticator
from signaling.identity.rbac import Account

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Filter = Annotated[str | None, Query(max_length=256)]
# The one place a refusal becomes an HTTP status.
HTTP_STATUS: dict[RefusalKind, int] = {
    RefusalKind.NOT_FOUND: 404,
    RefusalKind.FORBIDDEN: 403,
    RefusalKind.CONFLICT: 409,
    RefusalKind.UNCONFIRMED: 422,
    RefusalKind.INVALID: 422,
    RefusalKind.LIMITED: 429,
}


@asynccontextmanager
async def _answering() -> AsyncIterator[None]:
    """Refusals and storage trouble become HTTP answers, never a traceback."""
    try:
        yield
    except Refused as exc:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        raise HTTPException(HTTP_STATUS[exc.kind], exc.message, headers=headers) from exc
    except DevicesUnavailable as exc:
        raise HTTPException(503, "device records cannot be read or written right now") from exc


def devices_router(service: DeviceService, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1/devices", tags=["devices"])
    Caller = Annotated[Account, Depends(auth.signed_in())]

    @router.post("/enroll", status_code=201)
    async def enroll(caller: Caller, body: EnrollRequest) -> EnrollResponse:
        async with _answering():
            return await service.enroll(caller, body)

    @router.get("")
    async def devices(
        caller: Caller,
        name: Filter = None,
        owner: Filter = None,
        group: Filter = None,
        os: Filter = None,
        status: DeviceStatus | None = None,
    ) -> dict[str, list[DeviceRecord]]:
        where = DeviceFilter(name=name, owner=owner, group=group, os=os, status=status)
        async with _answering():
            return {"devices": await service.devices(caller, where)}

    # Action routes come before /{device_id}: device ids are hex and never "actions".
    @router.get("/actions/{action_id}")
    async def action(caller: Caller, action_id: Id) -> ActionRecord:
        async with _answering():
            return await service.action(caller, action_id)

    @router.post("/actions/{action_id}/cancel")
    async def cancel(caller: Caller, action_id: Id) -> ActionRecord:
        async with _answering():
            return await service.cancel(caller, action_id)

    @router.post("/actions/{action_id}/approve")
    async def approve(caller: Caller, action_id: Id) -> ActionRecord:
        async with _answering():
            return await service.approve(caller, action_id)

    @router.get("/actions/{action_id}/report")
    async def report(caller: Caller, action_id: Id) -> JSONResponse:
        async with _answering():
            found = await service.report(caller, action_id)
        return JSONResponse(
            found.model_dump(mode="json"),
            headers={"Content-Disposition": f'attachment; filename="diagnostics-{action_id}.json"'},
        )

    @router.get("/{device_id}")
    async def device(caller: Caller, device_id: Id) -> DeviceRecord:
        async with _answering():
            return await service.device(caller, device_id)

    @router.get("/{device_id}/actions")
    async def actions(caller: Caller, device_id: Id) -> dict[str, Any]:
        async with _answering():
            return {"actions": await service.actions_of(caller, device_id)}

    @router.post("/{device_id}/actions", status_code=201)
    async def request(caller: Caller, device_id: Id, body: ActionRequest) -> ActionRecord:
        async with _answering():
            return await service.request(caller, device_id, body)

    return router
