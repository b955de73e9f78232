"""What every console page needs: the services behind it, the signed-in person, rendering,
and the refusals pages raise (turned into pages by ``signaling.console.install``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from common.permissions import Permission
from signaling.audit.recorder import AuditRecorder
from signaling.console import csrf, diagnostics
from signaling.console.oidc import OidcSignIn
from signaling.console.session_store import ConsoleSession, ConsoleSessions
from signaling.devices.service import DeviceService
from signaling.identity.auth import Authenticator
from signaling.identity.dev_idp import DevIdentityProvider
from signaling.identity.directory import Directory
from signaling.identity.rbac import Account
from signaling.pairing.device_help import DeviceHelp

COOKIE = "helpline_console"
TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
TEMPLATES.env.globals.update(
    title=diagnostics.title, shape=diagnostics.shape, plain=diagnostics.plain
)


class SignedOut(Exception):
    """No live console session: HTML pages redirect to the sign-in, exports answer 401."""


class PageRefused(Exception):
    """A page or request this person may not have; ``reason`` says why, on the page."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SignedIn(NamedTuple):
    session: ConsoleSession
    account: Account


@dataclass(frozen=True)
class Console:
    auth: Authenticator
    devices: DeviceService
    device_help: DeviceHelp
    recorder: AuditRecorder
    verify_key: Ed25519PublicKey | None
    sessions: ConsoleSessions
    dev_idp: DevIdentityProvider | None
    oidc: OidcSignIn | None
    secure_cookies: bool

    @property
    def directory(self) -> Directory | None:
        return self.auth.directory

    # ---- who is asking ---------------------------------------------------------------

    def session_of(self, request: Request) -> ConsoleSession | None:
        return self.sessions.get(request.cookies.get(COOKIE))

    def signed_in(self, request: Request) -> SignedIn:
        session = self.session_of(request)
        if session is None or session.account is None:
            raise SignedOut
        return SignedIn(session, session.account)

    async def changing(self, request: Request) -> SignedIn:
        """The signed-in person of a state-changing request whose CSRF token matches."""
        who = self.signed_in(request)
        if not csrf.matches(who.session, await csrf.presented_token(request)):
            raise PageRefused(403, "this request did not carry this session's CSRF token: "
                              "reload the page and try again")  # fmt: skip
        return who

    @staticmethod
    def require(account: Account, permission: Permission, page: str) -> None:
        if permission not in account.permissions:
            raise PageRefused(403, f"{page} needs a role that grants {permission.value}; "
                              "yours do not")  # fmt: skip

    # ---- answering -------------------------------------------------------------------

    def render(
        self,
        request: Request,
        template: str,
        session: ConsoleSession | None,
        status_code: int = 200,
        **context: Any,
    ) -> Response:
        account = session.account if session else None
        flash, session_flash = (list(session.flash), session.flash) if session else ([], None)
        if session_flash is not None:
            session_flash.clear()
        return TEMPLATES.TemplateResponse(
            request,
            template,
            {
                "me": account,
                "csrf": session.csrf if session else "",
                "flash": flash,
                "may": {p.value for p in account.permissions} if account else set(),
                **context,
            },
            status_code=status_code,
        )

    def set_cookie(self, response: Response, session: ConsoleSession) -> None:
        response.set_cookie(
            COOKIE,
            session.id,
            path="/console",
            httponly=True,
            samesite="strict",
            secure=self.secure_cookies,
        )
