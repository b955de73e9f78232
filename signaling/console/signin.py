"""Signing in and out: the development sign-in (``--dev-identity``, loopback only) and the
OpenID Connect flow against Entra ID. Either ends in a token checked by the same validator as
the apps' tokens, then a new server-side session with a new id."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from signaling.console import csrf
from signaling.console.context import COOKIE, Console, PageRefused
from signaling.console.oidc import SignInFailed
from signaling.identity.rbac import Account
from signaling.identity.tokens import TokenError

LOGIN_COOKIE = "helpline_console_login"
LOGIN_PATH = "/console/auth"
HOME = "/console/sessions"


def signin_router(console: Console) -> APIRouter:
    router = APIRouter()

    def start_session(request: Request, account: Account) -> Response:
        old = request.cookies.get(COOKIE)
        if old:
            console.sessions.end(old)
        session = console.sessions.start(account)
        response = RedirectResponse(HOME, status_code=303)
        console.set_cookie(response, session)
        return response

    @router.get("/console/")
    @router.get("/console")
    async def home(request: Request) -> Response:
        session = console.session_of(request)
        signed_in = session is not None and session.account is not None
        return RedirectResponse(HOME if signed_in else "/console/login", status_code=303)

    @router.get("/console/login")
    async def login_page(request: Request) -> Response:
        session = console.session_of(request)
        if session is not None and session.account is not None:
            return RedirectResponse(HOME, status_code=303)
        dev = console.dev_idp
        if dev is not None and not dev.serves(request):
            raise PageRefused(403, "the development sign-in is local only: open the console "
                              "at a loopback address (127.0.0.1 or localhost)")  # fmt: skip
        session = session or console.sessions.start()
        users = dev.directory.users if dev is not None else []
        response = console.render(
            request, "login.html", session, users=users, oidc=console.oidc is not None
        )
        console.set_cookie(response, session)
        return response

    @router.post("/console/login")
    async def dev_sign_in(request: Request) -> Response:
        dev = console.dev_idp
        if dev is None:
            raise PageRefused(404, "the development sign-in is off: this server signs in "
                              "with Entra ID")  # fmt: skip
        if not dev.serves(request):
            raise PageRefused(403, "the development sign-in is local only")
        session = console.session_of(request)
        if session is None or not csrf.matches(session, await csrf.presented_token(request)):
            raise PageRefused(403, "the sign-in form's CSRF token is missing or expired: "
                              "reload the sign-in page")  # fmt: skip
        upn = (await request.form()).get("user")
        token = dev.issue(upn) if isinstance(upn, str) and upn else None
        if token is None:
            raise PageRefused(403, "there is no such development user")
        try:
            account = await console.auth.account(token)
        except TokenError as exc:
            raise PageRefused(403, f"the sign-in was refused: {exc.message}") from exc
        return start_session(request, account)

    @router.get("/console/auth/start")
    async def oidc_start() -> Response:
        if console.oidc is None:
            raise PageRefused(404, "this server has no Entra sign-in for the console: set "
                              "HELPLINE_CONSOLE_CLIENT_ID")  # fmt: skip
        state, url = console.oidc.begin()
        response = RedirectResponse(url, status_code=303)
        # Lax, not Strict: it must come back on Entra's cross-site redirect to the callback.
        response.set_cookie(LOGIN_COOKIE, state, max_age=600, path=LOGIN_PATH, httponly=True,
                            samesite="lax", secure=console.secure_cookies)  # fmt: skip
        return response

    @router.get("/console/auth/callback")
    async def oidc_callback(
        request: Request, code: str = "", state: str = "", error: str = ""
    ) -> Response:
        if console.oidc is None:
            raise PageRefused(404, "this server has no Entra sign-in for the console")
        if error or not code:
            why = (error or "no code")[:80]
            raise PageRefused(403, f"the identity provider did not sign you in ({why})")
        try:
            token = await console.oidc.finish(state, request.cookies.get(LOGIN_COOKIE), code)
            account = await console.auth.account(token)
        except SignInFailed as exc:
            raise PageRefused(403, str(exc)) from exc
        except TokenError as exc:
            raise PageRefused(403, f"the sign-in was refused: {exc.message}") from exc
        old = request.cookies.get(COOKIE)
        if old:
            console.sessions.end(old)
        session = console.sessions.start(account)
        # A page, not a redirect: the browser does not send a SameSite=Strict cookie on a
        # redirect that a cross-site navigation (Entra's) started; it does on this page's own.
        response = console.render(request, "signed_in.html", session)
        console.set_cookie(response, session)
        response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH)
        return response

    @router.post("/console/logout")
    async def logout(request: Request) -> Response:
        who = await console.changing(request)
        console.sessions.end(who.session.id)
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(COOKIE, path="/console")
        return response

    return router
