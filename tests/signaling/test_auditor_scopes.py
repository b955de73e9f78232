"""An auditor reads only the device groups of the roles that grant them ``reports``, in the
API and in the console alike: not the scopes of their other roles, and nothing at all when
their reports role has no scope."""

from __future__ import annotations

import pytest

from signaling.audit.store import AuditStore
from signaling.database.schema import open_database
from tests.console.people import ConsoleUser, pair
from tests.signaling.inprocess import in_process_server

ALICE, BOB, CAROL, MIA, NORA, OLGA = (
    f"{name}@contoso.example" for name in ("alice", "bob", "carol", "mia", "nora", "olga")
)

# Mia audits finance and helps hr; Nora's reports role has no scope; Olga's reports role has
# none either, and another role of hers covers every group for viewing only.
DIRECTORY = """
tenant = "contoso.example"
verified_domains = ["contoso.example"]

[roles.operator]
permissions = ["view", "control", "chat"]
scopes = ["finance", "hr"]

[roles.finance-auditor]
permissions = ["reports"]
scopes = ["finance"]

[roles.hr-helper]
permissions = ["view", "control"]
scopes = ["hr"]

[roles.unscoped-auditor]
permissions = ["reports"]
scopes = []

[roles.viewer-of-everything]
permissions = ["view"]
scopes = ["*"]

[[users]]
upn = "alice@contoso.example"
name = "Alice Example"
roles = ["operator"]

[[users]]
upn = "mia@contoso.example"
name = "Mia Mixed"
roles = ["finance-auditor", "hr-helper"]

[[users]]
upn = "nora@contoso.example"
name = "Nora Unscoped"
roles = ["unscoped-auditor"]

[[users]]
upn = "olga@contoso.example"
name = "Olga Unscoped"
roles = ["unscoped-auditor", "viewer-of-everything"]

[[users]]
upn = "bob@contoso.example"
name = "Bob Example"
groups = ["finance"]

[[users]]
upn = "carol@contoso.example"
name = "Carol Example"
groups = ["hr"]
"""


@pytest.fixture
def server(tmp_path):
    with in_process_server(tmp_path, DIRECTORY) as running:
        pair(running, ALICE, BOB)  # finance
        pair(running, ALICE, CAROL)  # hr
        yield running


def _api(server, upn: str) -> list[str]:
    headers = {"Authorization": f"Bearer {server.token_for(upn)}"}
    response = server.client.get("/v1/audit/sessions", headers=headers)
    assert response.status_code == 200, response.text
    return sorted(row["sharer_upn"] for row in response.json()["sessions"])


def _record_ids(server) -> dict[str, str]:
    """Every record's id by sharer, read straight from the database (no auditor's read)."""
    return {row["sharer_upn"]: row["id"] for row in server.audit()}


def _console(server, upn: str) -> tuple[str, str]:
    person = ConsoleUser(server.client).sign_in(upn)
    page = person.get("/console/sessions")
    export = person.get("/console/sessions.csv")
    assert page.status_code == 200 and export.status_code == 200
    return page.text, export.text


def _record_page(server, upn: str, record_id: str) -> int:
    return ConsoleUser(server.client).sign_in(upn).get(f"/console/sessions/{record_id}").status_code


def test_an_auditor_sees_only_the_scopes_of_the_roles_that_grant_reports(server):
    ids = _record_ids(server)
    assert set(ids) == {BOB, CAROL}
    assert _api(server, MIA) == [BOB]
    page, export = _console(server, MIA)
    assert BOB in page and CAROL not in page
    assert BOB in export and CAROL not in export
    assert _record_page(server, MIA, ids[BOB]) == 200
    assert _record_page(server, MIA, ids[CAROL]) == 403
    store = AuditStore(open_database(server.settings.db_url))
    try:
        assert {tuple(r["filter"]["scopes"]) for r in store.reads(10)} == {("finance",)}
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("auditor", [NORA, OLGA])
def test_a_reports_role_without_scopes_sees_no_record(server, auditor):
    ids = _record_ids(server)
    assert _api(server, auditor) == []
    page, export = _console(server, auditor)
    assert BOB not in page and CAROL not in page
    assert export.count("\n") == 1, export  # the header row only
    for record_id in ids.values():
        assert _record_page(server, auditor, record_id) == 403
