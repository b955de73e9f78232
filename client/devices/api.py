"""The ``/v1/devices`` HTTP API as the apps call it: typed answers, one-line errors.

Every answer is validated into the contract's models here, so the command line and the
views never see raw JSON, and every failure becomes an :class:`ApiError` whose message can be
shown as it is. The bearer token is sent only over what :func:`require_safe_for_token` allows.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from client.settings import AppSettings
from client.transport_security import (
    InsecureServerError,
    client_tls,
    explain_tls_failure,
    require_safe_for_token,
)
from common.devices.actions import ActionRecord, ActionRequest
from common.devices.records import DeviceRecord, EnrollRequest, EnrollResponse

T = TypeVar("T")


class ApiError(Exception):
    """``status`` is the HTTP status, 0 when the server could not be reached."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    @property
    def refused(self) -> bool:
        """The server said no: not signed in, no permission, out of scope (a device one may not
        see is "not found"), a state that does not allow it, a bad request."""
        return self.status in (400, 401, 403, 404, 409, 422)


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list) and detail:  # FastAPI's validation errors
        first = detail[0]
        detail = f"{'.'.join(str(p) for p in first.get('loc', [])[1:])}: {first.get('msg')}"
    return str(detail)[:300] if detail else f"HTTP {response.status_code}"


class DeviceApi:
    def __init__(self, settings: AppSettings, token: str) -> None:
        self._base = settings.server
        self._ca_file = settings.ca_file
        self._token = token

    async def _call(
        self, method: str, path: str, answer: type[T] | TypeAdapter[T], body: BaseModel | None
    ) -> T:
        try:
            require_safe_for_token(self._base)
            async with httpx.AsyncClient(timeout=30, verify=client_tls(self._ca_file)) as client:
                response = await client.request(
                    method,
                    self._base + path,
                    content=body.model_dump_json(exclude_none=True) if body else None,
                    headers={
                        "Authorization": f"Bearer {self._token}",
                        "Content-Type": "application/json",
                    },
                )
        except InsecureServerError as exc:
            raise ApiError(str(exc)) from exc
        except httpx.HTTPError as exc:
            reason = explain_tls_failure(exc) or f"cannot reach the server at {self._base}"
            raise ApiError(reason) from exc
        if response.status_code // 100 != 2:
            raise ApiError(_detail(response), response.status_code)
        adapter = answer if isinstance(answer, TypeAdapter) else TypeAdapter(answer)
        try:
            return adapter.validate_json(response.content)
        except ValidationError as exc:
            raise ApiError(f"the server's answer was not understood ({path})") from exc

    async def enroll(self, request: EnrollRequest) -> EnrollResponse:
        return await self._call("POST", "/v1/devices/enroll", EnrollResponse, request)

    async def devices(self) -> list[DeviceRecord]:
        return (await self._call("GET", "/v1/devices", _DeviceList, None)).devices

    async def request_action(self, device_id: str, request: ActionRequest) -> ActionRecord:
        path = f"/v1/devices/{quote(device_id, safe='')}/actions"
        return await self._call("POST", path, ActionRecord, request)

    async def device_actions(self, device_id: str) -> list[ActionRecord]:
        path = f"/v1/devices/{quote(device_id, safe='')}/actions"
        return (await self._call("GET", path, _ActionList, None)).actions

    async def action(self, action_id: str) -> ActionRecord:
        return await self._call("GET", _action_path(action_id), ActionRecord, None)

    async def approve(self, action_id: str) -> ActionRecord:
        return await self._call("POST", _action_path(action_id, "approve"), ActionRecord, None)

    async def cancel(self, action_id: str) -> ActionRecord:
        return await self._call("POST", _action_path(action_id, "cancel"), ActionRecord, None)

    async def report(self, action_id: str) -> dict[str, Any]:
        return await self._call("GET", _action_path(action_id, "report"), dict[str, Any], None)


def _action_path(action_id: str, verb: str = "") -> str:
    path = f"/v1/devices/actions/{quote(action_id, safe='')}"
    return f"{path}/{verb}" if verb else path


class _DeviceList(BaseModel):
    devices: list[DeviceRecord]


class _ActionList(BaseModel):
    actions: list[ActionRecord]
