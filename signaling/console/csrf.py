"""CSRF: every state-changing console request carries its session's token, as the form field
``csrf_token`` or (htmx) the header ``X-CSRF-Token``; the SameSite=Strict cookie is the first
wall, this is the second (older browsers, same-site subdomains)."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from signaling.console.session_store import ConsoleSession

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


async def presented_token(request: Request) -> str:
    header = request.headers.get(HEADER)
    if header:
        return header
    form = await request.form()
    value = form.get(FIELD)
    return value if isinstance(value, str) else ""


def matches(session: ConsoleSession, presented: str) -> bool:
    return bool(presented) and hmac.compare_digest(session.csrf.encode(), presented.encode())
