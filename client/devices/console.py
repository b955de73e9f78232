"""The helper's devices view without its widgets: sign in once, search, act, read reports.

The Qt window only shows what these calls return; every decision (what matches a search,
what the server refused) is made here or by the server, so it is tested without a screen.
"""

from __future__ import annotations

from typing import Any

from client.devices.api import DeviceApi
from client.settings import AppSettings
from client.signin import sign_in
from common.devices.actions import ActionRecord, ActionRequest
from common.devices.records import DeviceRecord


def matches(device: DeviceRecord, search: str) -> bool:
    """A search matches the name, owner, OS or a group, case aside; empty matches all."""
    wanted = search.strip().casefold()
    fields = [device.id, device.name, device.owner, device.os, device.os_version, *device.groups]
    return not wanted or any(wanted in field.casefold() for field in fields)


class DeviceConsole:
    def __init__(self, settings: AppSettings) -> None:
        self.settings = settings
        self._api: DeviceApi | None = None

    async def _signed_in(self) -> DeviceApi:
        if self._api is None:
            self._api = DeviceApi(self.settings, await sign_in(self.settings, interactive=True))
        return self._api

    async def devices(self, search: str = "") -> list[DeviceRecord]:
        found = await (await self._signed_in()).devices()
        return sorted((d for d in found if matches(d, search)), key=lambda d: d.name.casefold())

    async def actions(self, device_id: str) -> list[ActionRecord]:
        found = await (await self._signed_in()).device_actions(device_id)
        return sorted(found, key=lambda a: a.requested_at, reverse=True)

    async def request(self, device_id: str, request: ActionRequest) -> ActionRecord:
        return await (await self._signed_in()).request_action(device_id, request)

    async def cancel(self, action_id: str) -> ActionRecord:
        return await (await self._signed_in()).cancel(action_id)

    async def approve(self, action_id: str) -> ActionRecord:
        return await (await self._signed_in()).approve(action_id)

    async def report(self, action_id: str) -> dict[str, Any]:
        return await (await self._signed_in()).report(action_id)
