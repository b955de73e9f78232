"""The console's Entra sign-in (authorisation code with PKCE) against a test provider shaped
like Entra, the server in process: the token it hands back goes through the same validator
as the apps' tokens, and only the browser that started a sign-in can finish it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from signaling.app import create_app
from signaling.console.context import COOKIE
from signaling.identity.directory import load_directory
from signaling.settings import ServerSettings
from tests.console.oidc_idp import TestIdentityProvider
from tests.console.people import DANA, DIRECTORY, VIC

TENANT = "11111111-2222-3333-4444-555555555555"
AUDIENCE = "api://helpline-test"


@pytest.fixture
def idp():
    provider = TestIdentityProvider(TENANT, AUDIENCE)
    yield provider
    provider.stop()


@pytest.fixture
def console(idp, tmp_path):
    settings = ServerSettings(
        data_dir=tmp_path / "data", entra_tenant_id=TENANT, entra_audience=AUDIENCE,
        entra_authority=idp.url, directory_file=DIRECTORY, console_client_id="console-app",
        jwks_min_refresh_seconds=0,
    )  # fmt: skip
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as client:
        yield client


def as_user(idp, upn: str) -> None:
    directory = load_directory(DIRECTORY)
    user = directory.by_upn(upn)
    assert user is not None
    idp.user = {"oid": directory.oid_of(user), "upn": user.upn, "name": user.name}


def start(console) -> str:
    """Begin a sign-in; the provider's answer: the callback path with its code and state."""
    page = console.get("/console/login")
    assert page.status_code == 200 and "/console/auth/start" in page.text
    begun = console.get("/console/auth/start", follow_redirects=False)
    assert begun.status_code == 303
    asked = parse_qs(urlsplit(begun.headers["location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["response_type"] == ["code"]
    assert "api://helpline-test/.default" in asked["scope"][0]
    back = httpx.get(begun.headers["location"], follow_redirects=False)
    assert back.status_code == 302
    where = urlsplit(back.headers["location"])
    return f"{where.path}?{where.query}"


def test_an_entra_sign_in_with_pkce_gives_a_console_session(idp, console):
    as_user(idp, DANA)
    callback = start(console)
    done = console.get(callback)
    assert done.status_code == 200 and 'http-equiv="refresh"' in done.text
    assert "SameSite=strict" in done.headers["set-cookie"]
    assert idp.token_requests[-1]["code_verifier"]  # PKCE: the verifier went with the code
    sessions = console.get("/console/sessions", follow_redirects=False)
    assert sessions.status_code == 200 and "Dana Auditor" in sessions.text


def test_the_roles_come_from_the_directory_for_the_entra_user(idp, console):
    as_user(idp, VIC)
    console.get(start(console))
    assert console.get("/console/sessions").status_code == 403  # a viewer: no reports


def test_a_sign_in_finishes_only_once_and_only_in_the_browser_that_started_it(idp, console):
    as_user(idp, DANA)
    callback = start(console)
    console.cookies.clear()  # another browser: it has not got the sign-in's binding cookie
    stranger = console.get(callback)
    assert stranger.status_code == 403 and "not started here" in stranger.text
    assert COOKIE not in console.cookies
    again = start(console)
    assert console.get(again).status_code == 200
    replayed = console.get(again)  # the same code and state once more
    assert replayed.status_code == 403


def test_a_refusal_from_the_provider_is_a_page_not_a_traceback(console):
    refused = console.get("/console/auth/callback", params={"error": "access_denied"})
    assert refused.status_code == 403 and "access_denied" in refused.text


def test_the_development_sign_in_is_off_with_entra(console):
    assert console.post("/console/login", data={"user": DANA}).status_code == 404
