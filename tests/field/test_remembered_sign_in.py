"""The Entra ID sign-in is remembered across starts, through MSAL's real code path.

The development provider serves the OpenID endpoints MSAL needs (discovery, device code,
token, refresh) over the server's TLS with the test's CA; nothing of MSAL is mocked. The
person's part of a device-code sign-in (typing the code into the provider's page) is the
provider's approval endpoint.
"""

from __future__ import annotations

import os
import re
import ssl
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from devtools.headless import HeadlessApp
from devtools.waiting import wait_until

HELPER = "alice@contoso.example"


def entra_env(server, app_home: Path, cache: str = "plaintext") -> dict[str, str]:
    return {
        "HELPLINE_ENTRA_CLIENT_ID": "helpline-helper-app",
        "HELPLINE_ENTRA_TENANT_ID": "contoso.example",
        "HELPLINE_ENTRA_SCOPE": "api://helpline/.default",
        "HELPLINE_ENTRA_AUTHORITY": server.url + "/dev-idp/v2.0",
        "HELPLINE_TOKEN_CACHE": cache,
        "HELPLINE_CA_FILE": str(server.ca_file),
    }


def start_helper(server, env: dict[str, str]) -> HeadlessApp:
    return HeadlessApp("helper_app", "--server", server.url, env=env)


def device_code(app: HeadlessApp) -> str:
    """The code the device-code sign-in asks the person to enter, from the app's stderr."""
    found = wait_until(
        lambda: re.search(r"enter the code ([A-Z0-9]{8})", "".join(app.stderr)),
        "the device-code instructions",
    )
    return found.group(1)


def approve(server, user_code: str, upn: str = HELPER) -> None:
    verify = ssl.create_default_context(cafile=str(server.ca_file))
    response = httpx.post(
        server.url + "/dev-idp/v2.0/device/approve",
        json={"user_code": user_code, "upn": upn},
        verify=verify,
        timeout=10,
    )
    assert response.status_code == 204, response.text


def test_one_sign_in_serves_the_next_start_until_sign_out(tls_server, app_folders):
    env = entra_env(tls_server, app_folders)
    first = start_helper(tls_server, env)
    try:
        approve(tls_server, device_code(first))
        assert first.wait_for("signed_in")["user"] == HELPER
        first.wait_for("code")
    finally:
        first.close()
    cache = app_folders / "data" / "helpline" / "entra-token-cache.bin"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700

    again = start_helper(tls_server, env)
    try:
        assert again.wait_for("signed_in")["user"] == HELPER
        again.wait_for("code")
        assert "enter the code" not in "".join(again.stderr)
    finally:
        again.close()

    signed_out = subprocess.run(
        [sys.executable, "-m", "helper_app", "sign-out"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert signed_out.returncode == 0, signed_out.stderr
    assert signed_out.stdout.strip() == "helpline-helper: signed out (1 account forgotten)"

    after = start_helper(tls_server, env)
    try:
        approve(tls_server, device_code(after))
        assert after.wait_for("signed_in")["user"] == HELPER
    finally:
        after.close()


def test_without_a_secret_store_the_sign_in_refuses_unless_told_to_use_a_file(
    tls_server, app_folders
):
    app = start_helper(tls_server, entra_env(tls_server, app_folders, cache="secure"))
    error = app.wait_for("error")
    assert "no secure store for the remembered sign-in" in error["message"]
    assert "HELPLINE_TOKEN_CACHE=plaintext" in error["message"]
    assert app.close() != 0
    assert "Traceback" not in "".join(app.stderr)
    assert not (app_folders / "data" / "helpline" / "entra-token-cache.bin").exists()


def test_a_device_code_nobody_approved_gets_no_token(tls_server):
    verify = ssl.create_default_context(cafile=str(tls_server.ca_file))
    base = tls_server.url + "/dev-idp/v2.0/oauth2"
    flow = httpx.post(
        base + "/devicecode", data={"client_id": "app", "scope": "s"}, verify=verify
    ).json()
    pending = httpx.post(
        base + "/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "client_id": "app",
            "device_code": flow["device_code"],
        },
        verify=verify,
    )
    assert pending.status_code == 400 and pending.json()["error"] == "authorization_pending"
    stolen = httpx.post(
        base + "/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "client_id": "another-app",
            "device_code": flow["device_code"],
        },
        verify=verify,
    )
    assert stolen.json()["error"] == "expired_token"
    forged = httpx.post(
        base + "/token",
        data={"grant_type": "refresh_token", "client_id": "app", "refresh_token": "guess"},
        verify=verify,
    )
    assert forged.json()["error"] == "invalid_grant"
