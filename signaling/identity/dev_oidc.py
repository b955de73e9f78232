"""The OpenID endpoints MSAL needs, served by the development identity provider.

The apps sign in to Entra ID through MSAL, and MSAL's token cache, silent refresh and
device-code flow are what a user meets every day. Entra cannot be reached from a test, so the
development provider answers the same discovery, device-code and token requests (RFC 8628,
RFC 6749 refresh) over the server's own TLS: the apps run MSAL's real code path against it,
and the access tokens it hands out are the provider's, checked by the same validator.

A person "approves" a device code on the provider's approval endpoint, naming a development
user: the development stand-in for typing the code into Microsoft's sign-in page.
"""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from signaling.identity.dev_idp import TOKEN_LIFETIME_SECONDS, DevIdentityProvider

DEVICE_CODE_SECONDS = 600
POLL_SECONDS = 1
# Refresh tokens live for the server process: the development provider keeps no database.
REFRESH_LIFETIME_SECONDS = 24 * 3600
MAX_PENDING = 1000
USER_CODE_ALPHABET = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"


@dataclass
class _DeviceCode:
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    upn: str | None = None


@dataclass(frozen=True)
class _Refresh:
    upn: str
    client_id: str
    scope: str
    expires_at: float


class Approval(BaseModel):
    user_code: str = Field(min_length=1, max_length=32)
    upn: str = Field(min_length=1, max_length=256)


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


class DevOpenIdEndpoints:
    """Discovery, device authorisation, token and approval: RFC-shaped, in memory."""

    def __init__(self, provider: DevIdentityProvider) -> None:
        self._provider = provider
        self._device_codes: dict[str, _DeviceCode] = {}
        self._refresh: dict[str, _Refresh] = {}

    @property
    def _base(self) -> str:
        return self._provider.issuer  # .../dev-idp/v2.0: MSAL checks the issuer against it

    def configuration(self) -> dict[str, Any]:
        base = self._base
        return {
            "issuer": base,
            # MSAL requires the key; the development provider signs in by device code only.
            "authorization_endpoint": f"{base}/oauth2/authorize",
            "token_endpoint": f"{base}/oauth2/token",
            "device_authorization_endpoint": f"{base}/oauth2/devicecode",
            "jwks_uri": f"{base.removesuffix('/v2.0')}/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": [
                "urn:ietf:params:oauth:grant-type:device_code",
                "refresh_token",
            ],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def _drop_expired(self, now: float) -> None:
        for table in (self._device_codes, self._refresh):
            for key in [k for k, v in table.items() if v.expires_at < now]:
                del table[key]

    def start_device_flow(self, client_id: str, scope: str) -> dict[str, Any] | JSONResponse:
        now = time.time()
        self._drop_expired(now)
        if len(self._device_codes) >= MAX_PENDING:
            return _oauth_error("slow_down", "too many sign-ins waiting", 429)
        user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
        device_code = secrets.token_urlsafe(32)
        self._device_codes[device_code] = _DeviceCode(
            user_code, client_id, scope, now + DEVICE_CODE_SECONDS
        )
        url = f"{self._base}/device"
        return {
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": url,
            "expires_in": DEVICE_CODE_SECONDS,
            "interval": POLL_SECONDS,
            "message": f"To sign in, open {url} and enter the code {user_code}.",
        }

    def approve(self, approval: Approval) -> None:
        if self._provider.directory.by_upn(approval.upn) is None:
            raise HTTPException(status_code=404, detail="no such development user")
        wanted = approval.user_code.strip().upper()
        for pending in self._device_codes.values():
            if secrets.compare_digest(pending.user_code, wanted) and pending.upn is None:
                pending.upn = approval.upn
                return
        raise HTTPException(status_code=404, detail="no sign-in waits for this code")

    def _tokens(self, upn: str, client_id: str, scope: str) -> dict[str, Any] | JSONResponse:
        access = self._provider.issue(upn)
        user = self._provider.directory.by_upn(upn)
        if access is None or user is None:
            return _oauth_error("invalid_grant", "the user is no longer in the directory")
        now = int(time.time())
        id_token = jwt.encode(
            {
                "iss": self._base,
                "aud": client_id,
                "sub": self._provider.directory.oid_of(user),
                "oid": self._provider.directory.oid_of(user),
                "tid": self._provider.directory.tenant,
                "preferred_username": user.upn,
                "name": user.name,
                "iat": now,
                "nbf": now,
                "exp": now + TOKEN_LIFETIME_SECONDS,
                "ver": "2.0",
            },
            self._provider.signing_key,
            algorithm="RS256",
            headers={"kid": self._provider.key_id},
        )
        refresh = secrets.token_urlsafe(32)
        self._refresh[refresh] = _Refresh(upn, client_id, scope, now + REFRESH_LIFETIME_SECONDS)
        return {
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "access_token": access,
            "refresh_token": refresh,
            "id_token": id_token,
        }

    def token(self, form: dict[str, str]) -> dict[str, Any] | JSONResponse:
        self._drop_expired(time.time())
        grant = form.get("grant_type", "")
        client_id = form.get("client_id", "")
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            pending = self._device_codes.get(form.get("device_code", ""))
            if pending is None or pending.client_id != client_id:
                return _oauth_error("expired_token", "the device code is unknown or expired")
            if pending.upn is None:
                return _oauth_error("authorization_pending", "the user has not signed in yet")
            del self._device_codes[form["device_code"]]
            return self._tokens(pending.upn, client_id, pending.scope)
        if grant == "refresh_token":
            held = self._refresh.pop(form.get("refresh_token", ""), None)
            if held is None or held.client_id != client_id:
                return _oauth_error("invalid_grant", "the refresh token is unknown or expired")
            return self._tokens(held.upn, client_id, held.scope)
        return _oauth_error("unsupported_grant_type", f"grant {grant[:64]!r} is not offered")

    def router(self) -> APIRouter:
        """Loopback only, like the rest of the development provider."""
        router = APIRouter(
            prefix="/dev-idp",
            tags=["development identity provider"],
            dependencies=[Depends(self._provider.loopback_only)],
        )

        @router.get("/v2.0/.well-known/openid-configuration")
        async def configuration() -> dict[str, Any]:
            return self.configuration()

        @router.post("/v2.0/oauth2/devicecode", response_model=None)
        async def device_code(
            client_id: Annotated[str, Form(max_length=256)],
            scope: Annotated[str, Form(max_length=2048)] = "",
        ) -> dict[str, Any] | JSONResponse:
            return self.start_device_flow(client_id, scope)

        @router.post("/v2.0/oauth2/token", response_model=None)
        async def token(
            grant_type: Annotated[str, Form(max_length=128)],
            client_id: Annotated[str, Form(max_length=256)] = "",
            device_code: Annotated[str, Form(max_length=256)] = "",
            refresh_token: Annotated[str, Form(max_length=256)] = "",
        ) -> dict[str, Any] | JSONResponse:
            return self.token(
                {
                    "grant_type": grant_type,
                    "client_id": client_id,
                    "device_code": device_code,
                    "refresh_token": refresh_token,
                }
            )

        @router.post("/v2.0/device/approve", status_code=204)
        async def approve(approval: Approval) -> None:
            self.approve(approval)

        return router
