"""Bearer token validation: the same path for Entra ID and the development provider.

Signature (RS256 only, key by ``kid`` from the JWKS), issuer, audience, expiry, not-before
and tenant are all checked; a user is the pair (tenant id, object id), never an e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import jwt

from common.protocol import ErrorCode
from common.text_fields import strip_invisible
from signaling.identity.jwks import JwksError

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Principal:
    tenant: str
    oid: str
    upn: str
    name: str


class KeySource(Protocol):
    """Where signing keys come from: Entra's JWKS over HTTPS, or the development provider."""

    async def key_for(self, kid: str) -> Any:
        """The public key for ``kid``; raises ``JwksError`` when there is none."""
        ...


class TokenError(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TokenValidator:
    def __init__(self, *, issuer: str, audience: str, tenant: str, jwks: KeySource) -> None:
        self._issuer = issuer
        self._audience = audience
        self._tenant = tenant
        self._jwks = jwks

    async def validate(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError(ErrorCode.INVALID_TOKEN, "the token is not a JWT") from exc
        if header.get("alg") not in ALGORITHMS:
            raise TokenError(ErrorCode.INVALID_TOKEN, "the token's algorithm is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise TokenError(ErrorCode.INVALID_TOKEN, "the token names no signing key")
        try:
            key = await self._jwks.key_for(kid)
        except JwksError as exc:
            raise TokenError(ErrorCode.INVALID_TOKEN, "the token's signing key is unknown") from exc
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "nbf", "iat", "iss", "aud", "tid", "oid"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError(ErrorCode.TOKEN_EXPIRED, "the token has expired") from exc
        except jwt.PyJWTError as exc:
            raise TokenError(ErrorCode.INVALID_TOKEN, "the token is not valid") from exc
        if claims.get("tid") != self._tenant:
            raise TokenError(ErrorCode.INVALID_TOKEN, "the token is for another tenant")
        # Names go on consent cards and into the audit: no invisible or line-breaking text.
        upn = strip_invisible(str(claims.get("preferred_username") or ""))[:256]
        return Principal(
            tenant=str(claims["tid"]),
            oid=str(claims["oid"]),
            upn=upn,
            name=strip_invisible(str(claims.get("name") or ""))[:200] or upn,
        )
