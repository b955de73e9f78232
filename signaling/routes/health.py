from __future__ import annotations

from typing import Any

from fastapi import APIRouter


def health_router(signing_key_b64: str, dev_identity: bool) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "dev_identity": dev_identity}

    @router.get("/v1/server-key")
    async def server_key() -> dict[str, str]:
        """The Ed25519 key that signs identity cards, for apps that pin it out of band."""
        return {"algorithm": "Ed25519", "public_key": signing_key_b64}

    return router
