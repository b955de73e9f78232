"""``/console/audit``: the same check as ``helpline-signaling audit verify`` (the chain, every
record against its events, the checkpoints' signatures) and the last signed checkpoint."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response

from common.permissions import Permission
from signaling.console.context import Console, PageRefused


def audit_router(console: Console) -> APIRouter:
    router = APIRouter(prefix="/console")

    @router.get("/audit")
    async def audit(request: Request) -> Response:
        who = console.signed_in(request)
        console.require(who.account, Permission.REPORTS, "the audit check")
        store = console.recorder.store
        try:
            verdict = await store.run(store.verify, console.verify_key)
            checkpoint = await store.run(store.last_checkpoint)
        except (SQLAlchemyError, OSError) as exc:
            raise PageRefused(503, "the audit cannot be read right now") from exc
        return console.render(
            request, "audit.html", who.session, verdict=verdict, checkpoint=checkpoint,
            signed=console.verify_key is not None,
        )  # fmt: skip

    return router
