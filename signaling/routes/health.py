from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response


def health_router(
    signing_key_b64: str,
    dev_identity: bool,
    audit_writable: Callable[[], bool],
    cut_off: Callable[[], bool] = lambda: False,
) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz")
    async def healthz(response: Response) -> dict[str, Any]:
        """200 while sessions can be recorded; 503 (and why) while the audit cannot be written,
        so a load balancer or a person sees at once why new sessions are refused."""
        if cut_off():
            # A replica the others have given up: a load balancer sends the next one elsewhere.
            response.status_code = 503
            return {"status": "redis_unavailable", "dev_identity": dev_identity}
        if audit_writable():
            return {"status": "ok", "dev_identity": dev_identity}
        response.status_code = 503
        return {"status": "audit_unavailable", "dev_identity": dev_identity}

    @router.get("/v1/server-key")
    async def server_key() -> dict[str, str]:
        """The Ed25519 key that signs identity cards, for apps that pin it out of band."""
        return {"algorithm": "Ed25519", "public_key": signing_key_b64}

    return router
