"""The audit report API: only for verified users whose role grants ``reports``."""

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from common.permissions import Permission
from signaling.audit.models import Outcome
from signaling.audit.store import AuditFilter, AuditStore
from signaling.auth import Authenticator
from signaling.rbac import Account


def audit_router(store: AuditStore, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1/audit", tags=["audit"])
    auditor = auth.requiring(Permission.REPORTS)

    @router.get("/sessions")
    async def sessions(
        _auditor: Annotated[Account, Depends(auditor)],
        since: datetime | None = None,
        until: datetime | None = None,
        helper: str | None = None,
        sharer: str | None = None,
        outcome: Outcome | None = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> dict[str, Any]:
        where = AuditFilter(since, until, helper, sharer, outcome, limit)
        return {"sessions": await asyncio.to_thread(store.query, where)}

    return router
