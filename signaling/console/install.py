"""Puts the console into the server's app: its routes, its static files (read once, served
from the package: nothing is fetched from anywhere else), its refusal pages, its headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from signaling.console.audit_page import audit_router
from signaling.console.context import Console, PageRefused, SignedOut
from signaling.console.devices_pages import devices_router
from signaling.console.headers import PREFIX, ConsoleHeaders
from signaling.console.help_page import help_router
from signaling.console.roles_page import roles_router
from signaling.console.sessions_pages import sessions_router
from signaling.console.signin import signin_router

STATIC = Path(__file__).with_name("static")
STATIC_TYPES = {
    "console.css": "text/css; charset=utf-8",
    "htmx.min.js": "text/javascript; charset=utf-8",
    "htmx.LICENSE": "text/plain; charset=utf-8",
}


def install_console(app: FastAPI, console: Console) -> None:
    files = {name: (STATIC / name).read_bytes() for name in STATIC_TYPES}

    @app.get(f"{PREFIX}/static/{{name}}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in files:
            return Response("no such file\n", 404, media_type="text/plain")
        return Response(files[name], media_type=STATIC_TYPES[name],
                        headers={"Cache-Control": "max-age=3600"})  # fmt: skip

    for router in (
        signin_router,
        sessions_router,
        devices_router,
        help_router,
        roles_router,
        audit_router,
    ):
        app.include_router(router(console), include_in_schema=False)

    async def signed_out(request: Request, _: Exception) -> Response:
        if request.headers.get("hx-request"):  # htmx: the whole page goes to the sign-in
            return Response(status_code=401, headers={"HX-Redirect": "/console/login"})
        return RedirectResponse("/console/login", status_code=303)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRefused)  # registered for PageRefused only
        session = console.session_of(request)
        return console.render(
            request, "refused.html", session, exc.status, status=exc.status, reason=exc.reason
        )

    async def invalid(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith(PREFIX + "/"):
            assert isinstance(exc, RequestValidationError)
            return await request_validation_exception_handler(request, exc)
        return await refused(request, PageRefused(400, "this address has a part the console "
                                                  "cannot read"))  # fmt: skip

    app.add_exception_handler(SignedOut, signed_out)
    app.add_exception_handler(PageRefused, refused)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_middleware(ConsoleHeaders)
