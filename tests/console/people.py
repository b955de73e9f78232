"""A person using the console over HTTP: their own cookie, the CSRF token of their last page.

Works with the in-process server's TestClient (one client, so the cookie is swapped in per
request) and with httpx against a real server process alike.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from common.protocol import Consent, RedeemCode, RequestCode
from signaling.console.context import COOKIE

DIRECTORY = Path(__file__).with_name("directory.toml")
ALICE, VIC, ERIN, FRANK, DANA, FRED, BOB, CAROL = (
    f"{n}@contoso.example"
    for n in ("alice", "vic", "erin", "frank", "dana", "fred", "bob", "carol")
)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class ConsoleUser:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.cookie = ""
        self.csrf = ""

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies.clear()
        if self.cookie:
            self.client.cookies.set(COOKIE, self.cookie, path="/console")
        response = self.client.request(method, path, follow_redirects=False, **kwargs)
        if COOKIE in response.cookies:
            self.cookie = response.cookies[COOKIE]
        found = (
            _CSRF.search(response.text)
            if "html" in response.headers.get("content-type", "")
            else None
        )
        if found:
            self.csrf = found.group(1)
        return response

    def get(self, path: str, **params: str) -> httpx.Response:
        return self.request("GET", path, params=params)

    def post(self, path: str, *, csrf: bool = True, **fields: str) -> httpx.Response:
        data = {**({"csrf_token": self.csrf} if csrf else {}), **fields}
        return self.request("POST", path, data=data)

    def sign_in(self, upn: str) -> ConsoleUser:
        assert self.get("/console/login").status_code == 200
        signed = self.post("/console/login", user=upn)
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"] == "/console/sessions"
        return self


def pair(server: Any, helper_upn: str, sharer_upn: str, consent: str | None = "view") -> None:
    """A real session attempt through the in-process server's websocket: a code, a redeem, a
    consent (or none: the attempt may be refused as out of scope)."""
    helper = server.signed_in(helper_upn, "helper")
    helper.send(RequestCode())
    code = helper.recv()
    sharer = server.signed_in(sharer_upn, "sharer", device=f"{sharer_upn[:3].upper()}-PC")
    sharer.send(RedeemCode(code=code.code))
    first = sharer.recv()
    if first.type == "helper_identity" and consent:
        assert helper.recv().type == "sharer_joined"
        sharer.send(Consent(level=consent))
        assert helper.recv().level.value == consent
