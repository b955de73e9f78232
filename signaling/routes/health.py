from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response

from signaling.audit.disk_guard import DiskReading, DiskState


def health_router(
    signing_key_b64: str,
    dev_identity: bool,
    audit_writable: Callable[[], bool],
    audit_disk: Callable[[], DiskReading],
    cut_off: Callable[[], bool] = lambda: False,
) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz")
    async def healthz(response: Response) -> dict[str, Any]:
        """200 while sessions can be recorded (``disk.state`` "low" is the early warning);
        503 (and why) while the audit cannot be written or its disk is nearly full, so a load
        balancer or a person sees at once why new sessions are refused."""
        disk = audit_disk()
        body: dict[str, Any] = {"dev_identity": dev_identity, "disk": disk.describe()}
        if cut_off():
            # A replica the others have given up: a load balancer sends the next one elsewhere.
            response.status_code = 503
            return {"status": "redis_unavailable", **body}
        if not audit_writable():
            response.status_code = 503
            return {"status": "audit_unavailable", **body}
        if disk.state is DiskState.FULL:
            response.status_code = 503
            return {"status": "audit_disk_full", **body}
        return {"status": "ok", **body}

    @router.get("/v1/server-key")
    async def server_key() -> dict[str, str]:
        """The Ed25519 key that signs identity cards, for apps that pin it out of band."""
        return {"algorithm": "Ed25519", "public_key": signing_key_b64}

    return router
