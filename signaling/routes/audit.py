"""The audit report API: only for verified users whose role grants ``reports``."""

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query

from common.permissions import Permission
from signaling.audit.store import AuditFilter, AuditStore
from signaling.directory import Directory
from signaling.rbac import Account, account_for
from signaling.tokens import TokenError, TokenValidator


def audit_router(
    store: AuditStore, validator: TokenValidator, directory: Directory | None
) -> APIRouter:
    router = APIRouter(prefix="/v1/audit", tags=["audit"])

    async def reporter(authorization: Annotated[str | None, Header()] = None) -> Account:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
        try:
            principal = await validator.validate(token.strip())
        except TokenError as exc:
            raise HTTPException(401, exc.message, {"WWW-Authenticate": "Bearer"}) from exc
        account = account_for(principal, directory)
        if Permission.REPORTS not in account.permissions:
            raise HTTPException(403, "your role does not grant reports")
        return account

    @router.get("/sessions")
    async def sessions(
        _auditor: Annotated[Account, Depends(reporter)],
        since: datetime | None = None,
        until: datetime | None = None,
        helper: str | None = None,
        sharer: str | None = None,
        outcome: str | None = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> dict[str, Any]:
        where = AuditFilter(since, until, helper, sharer, outcome, limit)
        return {"sessions": await asyncio.to_thread(store.query, where)}

    return router
