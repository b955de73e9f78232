"""Signing in to the console with Entra ID: OpenID Connect's authorisation code flow with PKCE.

The browser goes to Entra's authorize endpoint with a fresh ``state`` and an S256 code
challenge; Entra sends it back to ``/console/auth/callback`` with a code, which the server
exchanges (with the verifier) for an access token for the Helpline API. That token is then
checked by the same ``TokenValidator`` as the apps' tokens: the console trusts nothing the
browser says about who it is.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

STATE_SECONDS = 600.0
MAX_PENDING = 10_000


class SignInFailed(Exception):
    """The identity provider's answer cannot be used; the message is safe to show."""


@dataclass(frozen=True)
class EntraConsoleClient:
    """The console's app registration and where Entra answers (a test IdP in tests)."""

    authority: str  # https://login.microsoftonline.com/<tenant>
    client_id: str
    redirect_uri: str
    scope: str  # "openid profile <audience>/.default"
    client_secret: str | None = None

    @property
    def authorize_url(self) -> str:
        return f"{self.authority}/oauth2/v2.0/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.authority}/oauth2/v2.0/token"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcSignIn:
    """Sign-ins under way, by ``state``: each is used once and lasts ten minutes."""

    def __init__(
        self, client: EntraConsoleClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self._clock = clock
        self._pending: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def begin(self) -> tuple[str, str]:
        """A new sign-in: its ``state`` (for the browser's binding cookie too) and the URL to
        send the browser to."""
        now = self._clock()
        for state, (_, at) in list(self._pending.items()):
            if now - at > STATE_SECONDS:
                del self._pending[state]
        while len(self._pending) >= MAX_PENDING:
            self._pending.popitem(last=False)
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)
        self._pending[state] = (verifier, now)
        query = urlencode(
            {
                "client_id": self.client.client_id,
                "response_type": "code",
                "response_mode": "query",
                "redirect_uri": self.client.redirect_uri,
                "scope": self.client.scope,
                "state": state,
                "code_challenge": _challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        return state, f"{self.client.authorize_url}?{query}"

    async def finish(self, state: str, bound_state: str | None, code: str) -> str:
        """The access token for the code Entra sent back, once per ``state``; the browser
        that started the sign-in must be the one finishing it (``bound_state``, its cookie)."""
        pending = self._pending.pop(state, None)
        if pending is None or not bound_state or not secrets.compare_digest(state, bound_state):
            raise SignInFailed("this sign-in was not started here or has expired; start again")
        verifier, at = pending
        if self._clock() - at > STATE_SECONDS:
            raise SignInFailed("this sign-in took too long; start again")
        form = {
            "grant_type": "authorization_code",
            "client_id": self.client.client_id,
            "code": code,
            "redirect_uri": self.client.redirect_uri,
            "code_verifier": verifier,
            "scope": self.client.scope,
        }
        if self.client.client_secret:
            form["client_secret"] = self.client.client_secret
        try:
            async with httpx.AsyncClient(timeout=15) as http:
                answer = await http.post(self.client.token_url, data=form)
        except httpx.HTTPError as exc:
            why = type(exc).__name__
            raise SignInFailed(f"the identity provider cannot be reached ({why})") from exc
        try:
            body = answer.json()
        except ValueError:
            body = {}
        token = body.get("access_token") if isinstance(body, dict) else None
        if answer.status_code != 200 or not isinstance(token, str):
            error = body.get("error") if isinstance(body, dict) else None
            why = str(error or answer.status_code)[:80]
            raise SignInFailed(f"the identity provider refused the sign-in ({why})")
        return token
