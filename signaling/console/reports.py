"""The sessions report: its filters (from the query string), its rows as people read them
(names beside UPNs, the role and device group that allowed the session) and its CSV.

Rows come from ``AuditRecorder.read_by`` with the reader's ``reports`` scopes, exactly as the
JSON API's, so every page and every export is itself a recorded read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from common.permissions import Feature
from signaling.audit.models import Outcome
from signaling.audit.recorder import AuditRecorder
from signaling.audit.store import AuditFilter
from signaling.identity.directory import Directory
from signaling.identity.rbac import roles_over

PAGE_SIZE = 50
EXPORT_CHUNK = 5000  # the API's largest page
CSV_COLUMNS = (
    "record_id", "helper_upn", "helper_name", "sharer_upn", "sharer_name", "device",
    "device_id", "device_proven", "started_at", "consent_at", "ended_at", "duration_seconds",
    "levels", "features", "outcome", "end_reason", "role", "device_group", "attempts",
)  # fmt: skip
TEXT_FILTERS = ("helper", "sharer", "device")


def _when(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SessionFilters:
    since: datetime | None = None
    until: datetime | None = None
    helper: str | None = None
    sharer: str | None = None
    device: str | None = None
    outcome: Outcome | None = None
    feature: Feature | None = None
    order: str | None = None  # "oldest" first; newest first otherwise
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> tuple[SessionFilters, list[str]]:
        """The filters asked for, and a sentence for each that could not be read (left out)."""
        problems: list[str] = []
        found: dict[str, Any] = {}
        for name in ("since", "until"):
            if text := params.get(name, "").strip():
                try:
                    found[name] = _when(text)
                except ValueError:
                    problems.append(f"{name} is not an ISO 8601 date or time: {text[:40]}")
        for name in TEXT_FILTERS:
            if text := params.get(name, "").strip()[:256]:
                found[name] = text
        for name, kind in (("outcome", Outcome), ("feature", Feature)):
            if text := params.get(name, "").strip():
                try:
                    found[name] = kind(text)
                except ValueError:
                    problems.append(f"{name} {text[:40]!r} is not one of "
                                    f"{', '.join(m.value for m in kind)}")  # fmt: skip
        if params.get("order", "").strip() == "oldest":
            found["order"] = "oldest"
        page = params.get("page", "1").strip()
        found["page"] = int(page) if page.isdigit() and 0 < int(page) < 1_000_000 else 1
        return cls(**found), problems

    def audit_filter(self, scopes: frozenset[str], *, offset: int, limit: int) -> AuditFilter:
        return AuditFilter(
            since=self.since, until=self.until, helper=self.helper, sharer=self.sharer,
            outcome=self.outcome, limit=limit, scopes=scopes, device=self.device,
            feature=self.feature, offset=offset, oldest_first=self.order == "oldest",
        )  # fmt: skip

    def query(self, **changes: Any) -> str:
        """These filters as a query string, with ``changes`` (another page)."""
        values = replace(self, **changes)
        pairs = {
            name: value.isoformat() if isinstance(value, datetime) else str(value)
            for name, value in vars(values).items()
            if value is not None and not (name == "page" and value == 1)
        }
        return urlencode(pairs)

    def form_value(self, name: str) -> str:
        value = getattr(self, name)
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, datetime) else str(value)


def _duration(row: Mapping[str, Any]) -> int | None:
    if not row.get("ended_at"):
        return None
    return max(0, int((_when(row["ended_at"]) - _when(row["started_at"])).total_seconds()))


def readable(row: Mapping[str, Any], directory: Directory | None) -> dict[str, Any]:
    """A record with what people need beside it: names from the directory, the duration,
    and the helper's roles covering the device's groups (as the directory is now)."""
    helper = directory.by_upn(row["helper_upn"]) if directory and row["helper_upn"] else None
    sharer = directory.by_upn(row["sharer_upn"]) if directory and row["sharer_upn"] else None
    groups = list(row.get("sharer_groups") or [])
    roles = roles_over(helper, frozenset(groups), directory) if helper and directory else []
    return {
        **row,
        "helper_name": helper.name if helper else "",
        "sharer_name": sharer.name if sharer else "",
        "duration_seconds": _duration(row),
        "role": " ".join(roles),
        "device_group": " ".join(groups),
    }


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(row: Mapping[str, Any]) -> list[str]:
    values = {
        **row,
        "record_id": row["id"],
        "device": row["device_name"],
        "device_proven": "yes" if row["device_enrolled"] else "no",
        "levels": ";".join(row["levels_granted"]),
        "features": ";".join(row["features_used"]),
    }
    return [_cell(values.get(column)) for column in CSV_COLUMNS]


async def csv_lines(
    recorder: AuditRecorder,
    reader: str,
    filters: SessionFilters,
    scopes: frozenset[str],
    directory: Directory | None,
) -> AsyncIterator[str]:
    """The export, a chunk at a time (each a recorded read), so 100,000 rows never sit in
    memory at once."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    offset = 0
    while True:
        where = filters.audit_filter(scopes, offset=offset, limit=EXPORT_CHUNK)
        rows = await recorder.read_by(reader, where)
        for row in rows:
            writer.writerow(csv_row(readable(row, directory)))
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if len(rows) < EXPORT_CHUNK:
            return
        offset += EXPORT_CHUNK
