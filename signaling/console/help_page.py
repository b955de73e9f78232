"""Help on an enrolled device from the console: the request, and where it stands.

The console is not where a session is watched: the helper's app is. So "Start help on this
device" asks the signed-in person's own helper app (signed in as them) to make the request,
as its *Devices…* window would; the device page then follows the request, live, until the
session is under way in the app or ended. With no helper app open, or the device offline,
the page says so and what to do instead (``signaling.pairing.device_help``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from common.permissions import offered_levels
from common.protocol import ErrorCode
from signaling.console.answers import answering, checked
from signaling.console.context import Console, PageRefused, SignedIn
from signaling.pairing.device_help import WITHDRAWN, HelpProgress, HelpRefused, HelpState

REFUSAL_STATUS = {ErrorCode.INVALID: 404, ErrorCode.INTERNAL: 503}
STATE_TEXT = {
    HelpState.ASKED: "Your helper app was asked to start the request.",
    HelpState.WAITING: "{device} was asked; waiting for the person there to answer.",
    HelpState.AWAITING_CONSENT: "The person on {device} is looking at your identity card and "
    "choosing whether to let you view or control the screen.",
    HelpState.ACTIVE: "The session is under way: continue in your helper app.",
}
ENDED_TEXT = {
    "help_expired": "Nobody on {device} answered in time; the request expired.",
    "declined": "The person on {device} declined.",
    "helper_ended": "You ended the session.",
    "sharer_ended": "The person on {device} ended the session.",
    WITHDRAWN: "The request was withdrawn: your helper app asked for a code or another device.",
}


def describe(progress: HelpProgress, device: str) -> str:
    """The request's state in words, and what to do next when it is over."""
    if progress.message:
        return progress.message
    if progress.state is HelpState.ENDED:
        text = ENDED_TEXT.get(progress.reason, "The request ended ({reason}).")
        return text.format(device=device, reason=progress.reason.replace("_", " "))
    return STATE_TEXT[progress.state].format(device=device)


def help_context(console: Console, who: SignedIn, device_id: str, name: str) -> dict[str, Any]:
    """What the device page's help section shows."""
    progress = console.device_help.progress(who.account, device_id)
    return {
        "help": progress,
        "help_text": describe(progress, name) if progress else "",
        # The agent's link is the device's "online"; a sharer app waiting for help answers too.
        "reachable": console.device_help.online(device_id),
    }


def help_router(console: Console) -> APIRouter:
    router = APIRouter(prefix="/console")
    service = console.devices

    async def shown(request: Request, who: SignedIn, device_id: str) -> Response:
        with answering():
            device = await service.device(who.account, checked(device_id, "device"))
        may_help = bool(offered_levels(service.permissions_on(who.account, device)))
        return console.render(
            request, "_help.html", who.session, device=device, may_help=may_help,
            **help_context(console, who, device.id, device.name),
        )  # fmt: skip

    @router.get("/devices/{device_id}/help")
    async def help_state(request: Request, device_id: str) -> Response:
        """The help section alone: the device page polls it while a request is open."""
        return await shown(request, console.signed_in(request), device_id)

    @router.post("/devices/{device_id}/help")
    async def help_device(request: Request, device_id: str) -> Response:
        who = await console.changing(request)
        with answering():
            device = await service.device(who.account, checked(device_id, "device"))
        try:
            await console.device_help.ask_from_console(who.account, device.id)
        except HelpRefused as exc:
            raise PageRefused(REFUSAL_STATUS.get(exc.code, 403), exc.message) from exc
        # The help section says where the request stands (and polls while it is open).
        if request.headers.get("HX-Request") == "true":
            return await shown(request, who, device.id)
        return RedirectResponse(f"/console/devices/{device.id}#help", status_code=303)

    return router
