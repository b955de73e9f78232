"""``/console/roles``: roles, their permissions and device groups, who holds them, and who
can help on a device. Read-only: the directory file (or Entra with it) stays the source."""

from __future__ import annotations

import re

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from common.permissions import Permission
from signaling.console.context import Console, PageRefused
from signaling.devices.service import DevicesUnavailable
from signaling.devices.store import DeviceFilter, Refused
from signaling.identity.rbac import account_for
from signaling.identity.tokens import Principal

DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def roles_router(console: Console) -> APIRouter:
    router = APIRouter(prefix="/console")

    @router.get("/roles")
    async def roles(request: Request, device: str = "") -> Response:
        who = console.signed_in(request)
        if not who.account.permissions & {Permission.REPORTS, Permission.ACTIONS}:
            raise PageRefused(403, "the roles page needs a role that grants reports or "
                              "actions; yours do not")  # fmt: skip
        directory = console.directory
        try:
            devices = await console.devices.devices(who.account, DeviceFilter())
        except Refused:
            devices = []
        except DevicesUnavailable as exc:
            raise PageRefused(503, "device records cannot be read right now") from exc
        chosen = next((d for d in devices if d.id == device), None)
        if device and (chosen is None or not DEVICE_ID.match(device)):
            raise PageRefused(404, "there is no such device in your scope")
        helpers: list[tuple[str, str, list[str]]] = []
        if chosen is not None and directory is not None:
            for user in directory.users:
                principal = Principal(directory.tenant, directory.oid_of(user), user.upn, user.name)
                granted = console.devices.permissions_on(account_for(principal, directory), chosen)
                if granted:
                    helpers.append((user.name, user.upn, sorted(p.value for p in granted)))
        holders = {
            name: [u for u in directory.users if name in u.roles] for name in directory.roles
        } if directory else {}  # fmt: skip
        return console.render(
            request, "roles.html", who.session,
            directory=directory, holders=holders, devices=devices, chosen=chosen,
            helpers=helpers,
        )  # fmt: skip

    return router
