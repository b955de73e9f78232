"""Token to account, one path for the websocket and every HTTP route.

A bearer token is validated (signature, issuer, audience, expiry, tenant) and joined with
the directory's roles; HTTP routes take the result as a FastAPI dependency, the websocket
calls :meth:`Authenticator.account` with the token from its ``hello``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Header, HTTPException

from common.permissions import Permission
from signaling.identity.directory import Directory
from signaling.identity.rbac import Account, account_for
from signaling.identity.tokens import TokenError, TokenValidator

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class Authenticator:
    def __init__(self, validator: TokenValidator, directory: Directory | None) -> None:
        self._validator = validator
        self.directory = directory

    async def account(self, token: str) -> Account:
        """The verified account behind ``token``; raises ``TokenError`` otherwise."""
        principal = await self._validator.validate(token)
        return account_for(principal, self.directory)

    def signed_in(self) -> Callable[..., Awaitable[Account]]:
        """A FastAPI dependency: the caller's account, whatever its roles (the route checks
        them against what it touches, such as a device's groups)."""
        return self.requiring(None)

    def requiring(self, permission: Permission | None) -> Callable[..., Awaitable[Account]]:
        """A FastAPI dependency: the caller's account, if its role grants ``permission``."""

        async def dependency(authorization: Annotated[str | None, Header()] = None) -> Account:
            scheme, _, token = (authorization or "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise HTTPException(401, "a bearer token is required", _CHALLENGE)
            try:
                account = await self.account(token.strip())
            except TokenError as exc:
                raise HTTPException(401, exc.message, _CHALLENGE) from exc
            if permission is not None and permission not in account.permissions:
                raise HTTPException(403, f"your role does not grant {permission.value}")
            return account

        return dependency
