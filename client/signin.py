"""Getting a bearer token for the Helpline API.

Two ways, one result: the development identity provider (only when the server runs with
``--dev-identity``) or Microsoft Entra ID through MSAL. The server validates both the same way.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx

from client.entra_app import DeviceCodePrompt, TokenStoreError, entra_app
from client.settings import AppSettings
from client.transport_security import (
    InsecureServerError,
    client_tls,
    explain_tls_failure,
    require_safe_for_token,
)


class SignInError(Exception):
    """Sign-in failed; the message is fit to show a person."""


def _unreachable(server: str, exc: httpx.HTTPError) -> SignInError:
    return SignInError(explain_tls_failure(exc) or f"cannot reach the server at {server}")


async def dev_users(server: str, ca_file: Path | None = None) -> list[dict[str, Any]]:
    """The development directory, for a user picker."""
    try:
        async with httpx.AsyncClient(timeout=10, verify=client_tls(ca_file)) as client:
            response = await client.get(server.rstrip("/") + "/dev-idp/users")
    except httpx.HTTPError as exc:
        raise _unreachable(server, exc) from exc
    if response.status_code == 404:
        raise SignInError("this server does not run the development identity provider")
    if response.status_code != 200:
        raise SignInError(f"the server refused the user list ({response.status_code})")
    users: list[dict[str, Any]] = response.json().get("users", [])
    return users


async def dev_token(server: str, upn: str, ca_file: Path | None = None) -> str:
    """A token for a development user, issued by the server's development provider."""
    try:
        async with httpx.AsyncClient(timeout=10, verify=client_tls(ca_file)) as client:
            response = await client.post(server.rstrip("/") + "/dev-idp/token", json={"upn": upn})
    except httpx.HTTPError as exc:
        raise _unreachable(server, exc) from exc
    if response.status_code == 404:
        raise SignInError(f"no development user {upn!r} on this server")
    if response.status_code != 200:
        raise SignInError(f"the server refused to sign in {upn!r} ({response.status_code})")
    token = response.json().get("access_token")
    if not isinstance(token, str) or not token:
        raise SignInError("the server sent no token")
    return token


async def entra_token(
    settings: AppSettings, *, interactive: bool, prompt: DeviceCodePrompt | None = None
) -> str:
    """Sign in with Entra ID: the remembered account first, then the system browser when
    interactive, else the device-code flow, whose instructions go to ``prompt``."""
    if not (settings.entra_client_id and settings.entra_tenant_id and settings.entra_scope):
        raise SignInError(
            "Entra ID sign-in needs HELPLINE_ENTRA_CLIENT_ID, HELPLINE_ENTRA_TENANT_ID and "
            "HELPLINE_ENTRA_SCOPE (or --user with a development server)"
        )
    try:
        return await asyncio.to_thread(
            _entra_token_blocking, settings, interactive, prompt or _print_device_code
        )
    except TokenStoreError as exc:
        raise SignInError(str(exc)) from exc
    except (OSError, ValueError) as exc:  # requests' errors are OSErrors; discovery ValueError
        raise SignInError(f"cannot sign in with Entra ID: {exc}") from exc


def _print_device_code(message: str, url: str, user_code: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _entra_token_blocking(
    settings: AppSettings, interactive: bool, prompt: DeviceCodePrompt
) -> str:
    app = entra_app(settings)
    scopes = [settings.entra_scope or ""]
    result: dict[str, Any] | None = None
    accounts = app.get_accounts()
    if accounts:
        result = app.acquire_token_silent(scopes, account=accounts[0])
    if not result and interactive:
        result = app.acquire_token_interactive(scopes)
    if not result:
        flow = app.initiate_device_flow(scopes=scopes)
        if "user_code" not in flow:
            raise SignInError("Entra ID refused to start the device-code sign-in")
        prompt(str(flow["message"]), str(flow["verification_uri"]), str(flow["user_code"]))
        result = app.acquire_token_by_device_flow(flow)
    token = (result or {}).get("access_token")
    if not isinstance(token, str):
        raise SignInError((result or {}).get("error_description") or "Entra ID sign-in failed")
    return token


def sign_out(settings: AppSettings) -> int:
    """Forget every remembered Entra ID account; the number forgotten."""
    if not settings.entra_client_id:
        return 0
    try:
        app = entra_app(settings)
    except TokenStoreError as exc:
        raise SignInError(str(exc)) from exc
    accounts = app.get_accounts()
    for account in accounts:
        app.remove_account(account)
    return len(accounts)


async def sign_in(
    settings: AppSettings, *, interactive: bool, prompt: DeviceCodePrompt | None = None
) -> str:
    try:
        # Before any token exists: the development one would come back over the same link.
        require_safe_for_token(settings.server)
        client_tls(settings.ca_file)
    except InsecureServerError as exc:
        raise SignInError(str(exc)) from exc
    if settings.user:
        return await dev_token(settings.server, settings.user, settings.ca_file)
    return await entra_token(settings, interactive=interactive, prompt=prompt)
