"""The development identity provider: Entra-shaped tokens for the directory's users.

Enabled only by ``--dev-identity``. Its tokens carry Entra's v2 claims and are checked by
the same :class:`~signaling.identity.tokens.TokenValidator` as real ones.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from signaling.identity.directory import Directory
from signaling.identity.jwks import JwksError

TOKEN_LIFETIME_SECONDS = 3600
KEY_ID = "helpline-dev-1"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class TokenRequest(BaseModel):
    upn: str = Field(min_length=1, max_length=256)


class DevIdentityProvider:
    def __init__(
        self,
        directory: Directory,
        key: rsa.RSAPrivateKey,
        *,
        issuer: str,
        audience: str,
        allowed_hosts: frozenset[str] = LOOPBACK_HOSTS,
    ) -> None:
        self.directory = directory
        self._key = key
        self.issuer = issuer
        self.audience = audience
        self._allowed_hosts = allowed_hosts

    @property
    def signing_key(self) -> rsa.RSAPrivateKey:
        return self._key

    key_id = KEY_ID

    def issue(self, upn: str, *, lifetime: int = TOKEN_LIFETIME_SECONDS) -> str | None:
        user = self.directory.by_upn(upn)
        if user is None:
            return None
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "tid": self.directory.tenant,
            "oid": self.directory.oid_of(user),
            "preferred_username": user.upn,
            "name": user.name,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "ver": "2.0",
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KEY_ID})

    def serves(self, request: Request) -> bool:
        """A web page in the developer's browser could reach us through DNS rebinding, with
        its own name in Host; only loopback names (or the configured public one) get tokens."""
        return (request.url.hostname or "").lower() in self._allowed_hosts

    async def loopback_only(self, request: Request) -> None:
        if not self.serves(request):
            raise HTTPException(status_code=403, detail="the development provider is local only")

    async def key_for(self, kid: str) -> Any:
        """The provider's own public key, in process: the same validator checks it."""
        if kid != KEY_ID:
            raise JwksError("unknown signing key")
        return self._key.public_key()

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    def router(self) -> APIRouter:
        router = APIRouter(
            prefix="/dev-idp",
            tags=["development identity provider"],
            dependencies=[Depends(self.loopback_only)],
        )

        @router.get("/jwks.json")
        async def jwks() -> dict[str, Any]:
            return self.jwks()

        @router.get("/users")
        async def users() -> dict[str, Any]:
            return {
                "users": [
                    {"upn": u.upn, "name": u.name, "company": u.company, "job_title": u.job_title}
                    for u in self.directory.users
                ]
            }

        @router.post("/token")
        async def token(request: TokenRequest) -> dict[str, Any]:
            issued = self.issue(request.upn)
            if issued is None:
                raise HTTPException(status_code=404, detail="no such development user")
            return {
                "access_token": issued,
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME_SECONDS,
            }

        return router
