"""``/console/sessions``: the sessions report, its CSV export and one record with its events.

Only for roles granting ``reports``, over those roles' scopes, as ``/v1/audit/sessions``.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from common.permissions import Feature, Permission
from signaling.audit.models import Outcome
from signaling.audit.recorder import AuditUnavailable
from signaling.audit.store import AuditFilter
from signaling.console.context import Console, PageRefused, SignedIn, SignedOut
from signaling.console.reports import PAGE_SIZE, SessionFilters, csv_lines, readable
from signaling.identity.rbac import scopes_for

RECORD_ID = re.compile(r"^[0-9a-f]{32}$")
REPORT_PAGE = "the sessions report"


def sessions_router(console: Console) -> APIRouter:
    router = APIRouter(prefix="/console")

    def reader(request: Request) -> tuple[SignedIn, frozenset[str]]:
        who = console.signed_in(request)
        console.require(who.account, Permission.REPORTS, REPORT_PAGE)
        return who, scopes_for(who.account, Permission.REPORTS, console.directory)

    @router.get("/sessions")
    async def sessions(request: Request) -> Response:
        who, scopes = reader(request)
        filters, problems = SessionFilters.parse(request.query_params)
        where = filters.audit_filter(
            scopes, offset=(filters.page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1
        )
        try:
            rows = await console.recorder.read_by(who.account.upn, where)
        except AuditUnavailable as exc:
            raise PageRefused(503, "the audit cannot be written right now, and a read that "
                              "is not recorded is not made: try again later") from exc  # fmt: skip
        return console.render(
            request,
            "sessions.html",
            who.session,
            rows=[readable(r, console.directory) for r in rows[:PAGE_SIZE]],
            filters=filters,
            problems=problems,
            more=len(rows) > PAGE_SIZE,
            outcomes=[o.value for o in Outcome],
            features=[f.value for f in Feature],
            scopes=sorted(scopes),
        )

    @router.get("/sessions.csv")
    async def export(request: Request) -> Response:
        try:
            who, scopes = reader(request)
        except SignedOut:
            return Response("sign in to the console first\n", 401, media_type="text/plain")
        filters, problems = SessionFilters.parse(request.query_params)
        if problems:
            return Response("; ".join(problems) + "\n", 400, media_type="text/plain")
        lines = csv_lines(console.recorder, who.account.upn, filters, scopes, console.directory)
        try:
            first = await anext(lines)  # an audit that cannot record the read answers 503 now
        except AuditUnavailable:
            return Response("the audit cannot be written right now\n", 503,
                            media_type="text/plain")  # fmt: skip

        async def body() -> Any:
            yield first
            async for chunk in lines:
                yield chunk

        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="helpline-sessions.csv"'},
        )

    @router.get("/sessions/{record_id}")
    async def record(request: Request, record_id: str) -> Response:
        who, scopes = reader(request)
        if not RECORD_ID.match(record_id):
            raise PageRefused(404, "there is no such session record")
        store = console.recorder.store
        try:
            found = await console.recorder.read_by(
                who.account.upn, AuditFilter(limit=1, scopes=scopes, record_id=record_id)
            )
            if not found:
                groups = await store.run(store.groups_of, record_id)
                if groups is None:
                    raise PageRefused(404, "there is no such session record (it may have "
                                      "been purged after the retention period)")  # fmt: skip
                raise PageRefused(403, "this session's device groups "
                                  f"({', '.join(groups) or 'none'}) are outside the scopes "
                                  "of your reports role")  # fmt: skip
            events = await store.run(store.events_of, record_id)
            verdict = await store.run(store.verify, console.verify_key)
        except AuditUnavailable as exc:
            raise PageRefused(503, "the audit cannot be written right now") from exc
        except (SQLAlchemyError, OSError) as exc:
            raise PageRefused(503, "the audit cannot be read right now") from exc
        return console.render(
            request,
            "session.html",
            who.session,
            row=readable(found[0], console.directory),
            events=events,
            verdict=verdict,
        )

    return router
