"""The audit report API: for verified users whose role grants ``reports``, over the device
groups that role is scoped to (``*`` for all), and every read is itself recorded."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from common.permissions import Permission
from signaling.audit.models import Outcome
from signaling.audit.recorder import AuditRecorder, AuditUnavailable
from signaling.audit.store import AuditFilter
from signaling.identity.auth import Authenticator
from signaling.identity.rbac import Account, scopes_for


def audit_router(recorder: AuditRecorder, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1/audit", tags=["audit"])
    auditor = auth.requiring(Permission.REPORTS)

    @router.get("/sessions")
    async def sessions(
        reader: Annotated[Account, Depends(auditor)],
        since: datetime | None = None,
        until: datetime | None = None,
        helper: str | None = None,
        sharer: str | None = None,
        outcome: Outcome | None = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> dict[str, Any]:
        scopes = scopes_for(reader, Permission.REPORTS, auth.directory)
        where = AuditFilter(since, until, helper, sharer, outcome, limit, scopes)
        try:
            return {"sessions": await recorder.read_by(reader.upn, where)}
        except AuditUnavailable as exc:
            # An unrecorded read is no read: the auditor is told why, in one line.
            raise HTTPException(503, "the audit cannot be written right now") from exc

    return router
