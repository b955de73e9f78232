"""Entra's signing keys, fetched by ``kid`` and refetched when it rotates, at most so often.

Async, so a slow identity provider never blocks the event loop that serves everyone else.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)


class JwksError(Exception):
    pass


class JwksCache:
    def __init__(
        self,
        url: str,
        *,
        min_refresh_seconds: float = 30.0,
        max_age_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._url = url
        self._verify = verify
        self._min_refresh = min_refresh_seconds
        self._max_age = max_age_seconds
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str) -> Any:
        now = self._clock()
        if kid not in self._keys or now - self._fetched_at > self._max_age:
            async with self._lock:
                # A token with an unknown kid may mean rotation; but refetch at most so often,
                # so forged kids cannot make us hammer the provider.
                if now - self._fetched_at >= self._min_refresh or not self._keys:
                    await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise JwksError("unknown signing key")
        return key

    async def _refresh(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=10, verify=self._verify) as client:
                response = await client.get(self._url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise JwksError("cannot fetch the identity provider's keys") from exc
        keys: dict[str, Any] = {}
        for jwk in document.get("keys", []):
            kid = jwk.get("kid")
            if not kid or jwk.get("kty") != "RSA":
                continue
            try:
                keys[kid] = jwt.PyJWK.from_dict(jwk, algorithm="RS256").key
            except jwt.PyJWTError:
                log.warning("skipped an unusable key in the JWKS")
        self._keys = keys
        self._fetched_at = self._clock()
