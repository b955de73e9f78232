"""The sessions report's query on both databases: scopes (narrowed by the groups' JSON text,
then checked exactly), the console's filters, paging and order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from common.permissions import Feature
from signaling.audit.models import SessionRecord
from signaling.audit.store import AuditFilter, AuditStore
from signaling.database.schema import open_database

GROUPS = [["finance"], ["hr"], ["fin_ance"], ["a%b"], ['quo"te'], ["finance", "hr"], []]


def test_scopes_filters_paging_and_order(database_url):
    store = AuditStore(open_database(database_url))
    start = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        ids = []
        for i, groups in enumerate(GROUPS):
            at = start + timedelta(minutes=i)
            ids.append(store.open(started_at=at, sharer_groups=groups, device_name=f"PC-{i}"))
        store.flag(ids[1], SessionRecord.used_chat)

        def found(**where):
            return [r["id"] for r in store.query(AuditFilter(**where))]

        newest_first = list(reversed(ids))
        assert found(scopes=frozenset({"finance"})) == [ids[5], ids[0]]
        assert found(scopes=frozenset({"fin_ance"})) == [ids[2]]  # _ is no wildcard
        assert found(scopes=frozenset({"a%b"})) == [ids[3]]
        assert found(scopes=frozenset({'quo"te'})) == [ids[4]]
        assert found(scopes=frozenset({"hr", "a%b"})) == [ids[5], ids[3], ids[1]]
        assert found(scopes=frozenset()) == []
        assert found(scopes=frozenset({"*"})) == newest_first
        assert found(scopes=frozenset({"finance"}), offset=1, limit=1) == [ids[0]]
        assert found(offset=2, limit=2) == newest_first[2:4]
        assert found(oldest_first=True, limit=3) == ids[:3]
        assert found(device="pc-3") == [ids[3]]
        assert found(feature=Feature.CHAT) == [ids[1]]
        assert found(record_id=ids[4]) == [ids[4]]
        assert store.groups_of(ids[5]) == ["finance", "hr"] and store.groups_of("x" * 32) is None
        assert [e["kind"] for e in store.events_of(ids[1])] == ["opened", "flag"]
    finally:
        store.engine.dispose()
