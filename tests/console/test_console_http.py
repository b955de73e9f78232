"""The console's rules over HTTP, against the whole server app in process: sign-in and
sessions, cookies, CSRF, headers, scopes, the CSV, actions and approvals."""

from __future__ import annotations

import csv
import io

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from common.devices.signing import enroll_request
from common.protocol import AcceptHelp, Consent, End, RequestHelp
from signaling.audit.store import AuditStore
from signaling.console import sessions_pages
from signaling.console.headers import CONTENT_SECURITY_POLICY
from signaling.console.reports import CSV_COLUMNS
from signaling.database.schema import open_database
from tests.console.people import ALICE, BOB, CAROL, DANA, ERIN, FRANK, FRED, VIC, ConsoleUser, pair
from tests.console.people import DIRECTORY as CONSOLE_DIRECTORY
from tests.signaling.device_peers import awaiting_help, enrolled
from tests.signaling.inprocess import in_process_server

REQUIRED_CSV = (
    "helper_upn",
    "helper_name",
    "sharer_upn",
    "sharer_name",
    "device",
    "started_at",
    "ended_at",
    "levels",
    "features",
    "outcome",
    "end_reason",
    "role",
    "device_group",
)
PAGES = (
    "/console/sessions",
    "/console/sessions.csv",
    "/console/devices",
    "/console/approvals",
    "/console/roles",
    "/console/audit",
)


def enroll(server, owner: str, name: str) -> str:
    body = enroll_request(Ed25519PrivateKey.generate(), name=name, os="Linux", os_version="6.1")
    response = server.client.post(
        "/v1/devices/enroll",
        json=body.model_dump(mode="json"),
        headers={"Authorization": f"Bearer {server.token_for(owner)}"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["device"]["id"])


def api_sessions(server, upn: str, **params: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {server.token_for(upn)}"}
    response = server.client.get("/v1/audit/sessions", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["sessions"])


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.text)))


def test_signed_out_pages_redirect_to_the_sign_in_and_the_export_answers_401(person):
    nobody = person()
    assert nobody.get("/console/").headers["location"] == "/console/login"
    for page in PAGES:
        answer = nobody.get(page)
        if page.endswith(".csv"):
            assert answer.status_code == 401
        else:
            assert (answer.status_code, answer.headers["location"]) == (303, "/console/login")
    refused = nobody.post("/console/devices/abc/actions", action="lock")
    assert refused.headers["location"] == "/console/login"


def test_every_console_response_carries_the_security_headers(person):
    dana = person()
    answers = [
        dana.get("/console/login"),
        dana.get("/console/static/console.css"),
        dana.get("/console/static/htmx.min.js"),
        dana.get("/console/static/nothing"),
    ]
    dana.sign_in(DANA)
    answers += [
        dana.get("/console/sessions"),
        dana.get("/console/sessions.csv"),
        dana.get("/console/sessions/" + "0" * 32),
        dana.get("/console/approvals"),
    ]
    assert {a.status_code for a in answers} == {200, 403, 404}
    for answer in answers:
        policy = answer.headers["content-security-policy"]
        assert policy == CONTENT_SECURITY_POLICY
        script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
    # The API is not the console's: its answers are left as they were.
    assert "content-security-policy" not in dana.get("/healthz").headers


def test_pages_have_no_inline_script_or_style(person):
    dana = person().sign_in(DANA)
    for page in ("/console/sessions", "/console/roles", "/console/audit"):
        text = dana.get(page).text
        assert "<script>" not in text and "<style" not in text and " style=" not in text
        assert " on" + "click=" not in text


def test_the_session_cookie_is_http_only_strict_and_secure_under_tls(tmp_path, person):
    signed = person()
    signed.get("/console/login")
    cookie = signed.post("/console/login", user=DANA).headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    (tmp_path / "tls").mkdir()
    with in_process_server(
        tmp_path / "tls", CONSOLE_DIRECTORY.read_text(), public_url="https://localhost"
    ) as tls:
        first = ConsoleUser(tls.client).get("/console/login").headers["set-cookie"]
        assert "Secure" in first and "HttpOnly" in first


def test_sign_in_needs_its_csrf_token_and_a_known_user(person):
    stranger = person()
    stranger.get("/console/login")
    assert stranger.post("/console/login", csrf=False, user=DANA).status_code == 403
    refused = stranger.post("/console/login", user="mallory@contoso.example")
    assert refused.status_code == 403 and "no such development user" in refused.text
    assert stranger.get("/console/sessions").status_code == 303  # still signed out


def test_the_session_id_changes_at_sign_in(person):
    dana = person()
    dana.get("/console/login")
    before = dana.cookie
    dana.post("/console/login", user=DANA)
    assert dana.cookie != before
    planted = ConsoleUser(dana.client)
    planted.cookie = before  # an id fixed before sign-in is worth nothing after
    assert planted.get("/console/sessions").status_code == 303


def test_sign_out_ends_the_session_on_the_server(person):
    dana = person().sign_in(DANA)
    kept = dana.cookie
    assert dana.get("/console/sessions").status_code == 200
    out = dana.post("/console/logout")
    assert (out.status_code, out.headers["location"]) == (303, "/console/login")
    replay = ConsoleUser(dana.client)
    replay.cookie = kept  # the old cookie, kept by someone
    assert replay.get("/console/sessions").headers["location"] == "/console/login"


def test_the_development_sign_in_is_loopback_only(server):
    page = server.client.get("/console/login", headers={"host": "console.attacker.example"})
    assert page.status_code == 403
    assert "local only" in page.text


def test_a_post_without_its_csrf_token_or_with_another_sessions_is_refused(server, person):
    device = enroll(server, BOB, "BOB-LAPTOP")
    erin, frank = person().sign_in(ERIN), person().sign_in(FRANK)
    erin.get(f"/console/devices/{device}")
    frank.get(f"/console/devices/{device}")
    assert (
        erin.post(f"/console/devices/{device}/actions", csrf=False, action="sync").status_code
        == 403
    )
    theirs = erin.post(
        f"/console/devices/{device}/actions", csrf=False, action="sync", csrf_token=frank.csrf
    )
    assert theirs.status_code == 403 and "CSRF" in theirs.text
    header = erin.request(
        "POST",
        f"/console/devices/{device}/actions",
        data={"action": "sync"},
        headers={"X-CSRF-Token": erin.csrf},
    )
    assert header.status_code == 303
    assert erin.post("/console/logout", csrf=False).status_code == 403
    actions = server.client.get(
        f"/v1/devices/{device}/actions",
        headers={"Authorization": f"Bearer {server.token_for(ERIN)}"},
    )
    assert [a["action"] for a in actions.json()["actions"]] == ["sync"]  # only the one with it


def test_auditors_see_records_within_their_scopes_on_the_page_and_in_the_csv(server, person):
    pair(server, ALICE, BOB)  # finance: accepted
    pair(server, ALICE, CAROL)  # hr: refused as out of alice's scope, recorded all the same
    dana, fred = person().sign_in(DANA), person().sign_in(FRED)
    assert {r["sharer_upn"] for r in csv_rows(dana.get("/console/sessions.csv"))} == {BOB, CAROL}
    assert [r["sharer_upn"] for r in csv_rows(fred.get("/console/sessions.csv"))] == [BOB]
    page = fred.get("/console/sessions").text
    assert "Bob Example" in page and CAROL not in page
    carol_record = next(r["id"] for r in api_sessions(server, DANA) if r["sharer_upn"] == CAROL)
    refused = fred.get(f"/console/sessions/{carol_record}")
    assert refused.status_code == 403 and "outside the scopes" in refused.text
    assert dana.get(f"/console/sessions/{carol_record}").status_code == 200


def test_the_csv_has_the_fixed_header_follows_the_filters_and_matches_the_api(server, person):
    pair(server, ALICE, BOB)
    pair(server, ALICE, BOB, consent="control")
    pair(server, ALICE, CAROL)
    dana = person().sign_in(DANA)
    export = dana.get("/console/sessions.csv")
    assert export.headers["content-type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(export.text)))
    assert tuple(header) == CSV_COLUMNS and set(REQUIRED_CSV) <= set(header)
    rows = csv_rows(export)
    api = api_sessions(server, DANA)
    assert [r["record_id"] for r in rows] == [r["id"] for r in api]
    assert [(r["sharer_upn"], r["outcome"]) for r in rows] == [
        (r["sharer_upn"], r["outcome"]) for r in api
    ]
    accepted = next(r for r in rows if r["levels"] == "control")
    assert accepted["helper_name"] == "Alice Example" and accepted["sharer_name"] == "Bob Example"
    assert accepted["role"] == "operator" and accepted["device_group"] == "finance"
    assert accepted["features"] == "view;control"
    filtered = csv_rows(dana.get("/console/sessions.csv", sharer=BOB, feature="control"))
    bobs = api_sessions(server, DANA, sharer=BOB)
    assert [r["record_id"] for r in filtered] == [
        r["id"] for r in bobs if "control" in r["features_used"]
    ]
    refused = csv_rows(dana.get("/console/sessions.csv", outcome="out_of_scope"))
    assert [r["sharer_upn"] for r in refused] == [CAROL]
    assert dana.get("/console/sessions.csv", since="last tuesday").status_code == 400


def test_the_sessions_page_filters_and_pages(server, person, monkeypatch):
    monkeypatch.setattr(sessions_pages, "PAGE_SIZE", 2)
    for _ in range(3):
        pair(server, ALICE, BOB)
    dana = person().sign_in(DANA)
    ids = [r["id"] for r in api_sessions(server, DANA)]
    first, second = dana.get("/console/sessions").text, dana.get("/console/sessions", page="2").text
    assert all(i in first for i in ids[:2]) and ids[2] not in first and 'rel="next"' in first
    assert ids[2] in second and 'rel="next"' not in second and 'rel="prev"' in second
    oldest = dana.get("/console/sessions", order="oldest").text
    assert oldest.index(ids[2]) < oldest.index(ids[1]) and ids[0] not in oldest
    assert "order=oldest&amp;page=2" in oldest  # the next page keeps the order
    assert "No session matches" in dana.get("/console/sessions", helper=CAROL).text
    wrong = dana.get("/console/sessions", until="soon", outcome="maybe")
    assert wrong.status_code == 200
    assert (
        "until is not an ISO 8601" in wrong.text
        and "outcome &#39;maybe&#39; is not one of" in wrong.text
    )


def test_every_console_read_is_recorded_in_the_audit(server, person):
    pair(server, ALICE, BOB)
    fred = person().sign_in(FRED)
    fred.get("/console/sessions", sharer=BOB)
    fred.get("/console/sessions.csv")
    store = AuditStore(open_database(server.settings.db_url))
    try:
        reads = store.reads(10)
        assert store.verify(None).ok
    finally:
        store.engine.dispose()
    assert [(r["reader"], r["returned"]) for r in reads] == [(FRED, 1), (FRED, 1)]
    assert reads[1]["filter"]["sharer"] == BOB and reads[1]["filter"]["scopes"] == ["finance"]


def test_a_record_shows_its_events_and_the_chain_check(server, person):
    pair(server, ALICE, BOB)
    dana = person().sign_in(DANA)
    record = api_sessions(server, DANA)[0]["id"]
    page = dana.get(f"/console/sessions/{record}").text
    assert "The audit chain verifies over this record" in page
    assert "opened" in page and "granted_view" in page and "outcome = accepted" in page
    assert dana.get("/console/sessions/not-a-record").status_code == 404


@pytest.mark.parametrize(
    "page", [p for p in PAGES if p != "/console/devices"] + ["/console/sessions/" + "0" * 32]
)
def test_a_viewer_is_refused_every_page_they_may_not_see_with_a_reason(person, page):
    vic = person().sign_in(VIC)
    refused = vic.get(page)
    assert refused.status_code == 403
    assert "needs a role that grants" in refused.text
    assert "Traceback" not in refused.text


def test_a_viewer_sees_devices_in_scope_but_cannot_act(server, person):
    device = enroll(server, BOB, "BOB-LAPTOP")
    enroll(server, CAROL, "CAROL-PC")
    vic = person().sign_in(VIC)
    listing = vic.get("/console/devices").text
    assert "BOB-LAPTOP" in listing and "CAROL-PC" not in listing
    page = vic.get(f"/console/devices/{device}").text
    assert "Request an action" not in page
    refused = vic.post(f"/console/devices/{device}/actions", action="lock")
    assert refused.status_code == 403 and "does not grant actions" in refused.text


def test_a_wipe_needs_the_device_name_and_a_second_person(server, person):
    device = enroll(server, BOB, "BOB-LAPTOP")
    erin, frank = person().sign_in(ERIN), person().sign_in(FRANK)
    erin.get(f"/console/devices/{device}")
    unnamed = erin.post(f"/console/devices/{device}/actions", action="wipe", confirm="bob")
    assert unnamed.status_code == 422 and "BOB-LAPTOP" in unnamed.text
    other_case = erin.post(
        f"/console/devices/{device}/actions", action="wipe", confirm="bob-laptop"
    )
    assert other_case.status_code == 422  # the exact name, not one like it
    asked = erin.post(f"/console/devices/{device}/actions", action="wipe", confirm="BOB-LAPTOP")
    assert asked.status_code == 303
    assert "waiting for a second person" in erin.get(asked.headers["location"]).text
    assert "Nothing waits for your approval" in erin.get("/console/approvals").text
    approvals = frank.get("/console/approvals").text
    assert "BOB-LAPTOP" in approvals and ERIN in approvals
    listed = server.client.get(
        f"/v1/devices/{device}/actions",
        headers={"Authorization": f"Bearer {server.token_for(ERIN)}"},
    )
    action = listed.json()["actions"][0]
    own = erin.post(f"/console/actions/{action['id']}/approve")
    assert own.status_code == 403 and "nobody approves their own request" in own.text.lower()
    approved = frank.post(f"/console/actions/{action['id']}/approve")
    assert (approved.status_code, approved.headers["location"]) == (303, "/console/approvals")
    assert f"approved by {FRANK}" in frank.get(f"/console/devices/{device}").text


def test_a_pending_action_can_be_cancelled_from_the_device_page(server, person):
    device = enroll(server, BOB, "BOB-LAPTOP")
    erin = person().sign_in(ERIN)
    erin.get(f"/console/devices/{device}")
    erin.post(f"/console/devices/{device}/actions", action="restart")
    page = erin.get(f"/console/devices/{device}").text
    assert 'hx-trigger="every 2s"' in page  # open: the history polls for its states
    action_id = page.split('/cancel"')[0].rsplit("/console/actions/", 1)[1]
    back = erin.post(f"/console/actions/{action_id}/cancel", back=f"/console/devices/{device}")
    assert back.headers["location"] == f"/console/devices/{device}"
    fragment = erin.get(f"/console/devices/{device}/actions").text
    assert 'data-state="cancelled"' in fragment and "hx-trigger" not in fragment
    elsewhere = erin.post(f"/console/actions/{action_id}/cancel", back="https://evil.example/")
    assert elsewhere.status_code == 409  # already cancelled; and never sent off-site


def test_roles_show_holders_and_who_can_help_on_a_device(server, person):
    device = enroll(server, BOB, "BOB-LAPTOP")
    erin = person().sign_in(ERIN)
    page = erin.get("/console/roles").text
    assert "finance-auditor" in page and "Fred Finance Auditor" in page
    helpers = erin.get("/console/roles", device=device).text.split("Who can help on BOB-LAPTOP")[1]
    for name in ("Alice Example", "Vic Viewer", "Frank Admin", "Dana Auditor"):
        assert name in helpers
    assert "Carol Example" not in helpers
    assert erin.get("/console/roles", device="nope").status_code == 404


def test_the_audit_page_shows_the_chain_check_and_the_last_checkpoint(server, person):
    pair(server, ALICE, BOB)
    dana = person().sign_in(DANA)
    page = dana.get("/console/audit").text
    assert "The audit chain is intact" in page


def _help_state(person: ConsoleUser, device: str) -> str:
    page = person.get(f"/console/devices/{device}/help").text
    return page.split('data-state="')[1].split('"')[0] if 'data-state="' in page else ""


def test_help_from_the_console_goes_to_the_signed_in_persons_helper_app(server, person):
    device = enrolled(server, BOB, "BOB-LAPTOP")
    sharer = awaiting_help(server, BOB, device)
    alice = person().sign_in(ALICE)
    page = alice.get(f"/console/devices/{device.id}").text
    assert "Start help on this device" in page and "BOB-LAPTOP can be asked now" in page
    # No helper app of hers is open: the page says what to do, not a dead end.
    answer = alice.post(f"/console/devices/{device.id}/help")
    assert answer.status_code == 303 and answer.headers["location"].endswith("#help")
    page = alice.get(f"/console/devices/{device.id}").text
    assert 'data-state="no_helper_app"' in page and "open Helpline (helpline-helper)" in page
    helper = server.signed_in(ALICE, "helper")
    alice.post(f"/console/devices/{device.id}/help")
    asked = helper.recv()
    assert (asked.type, asked.device_id) == ("help_asked", device.id)
    assert _help_state(alice, device.id) == "asked"
    helper.send(RequestHelp(device_id=device.id))  # what the app does when asked
    assert helper.recv().type == "help_requested"
    assert _help_state(alice, device.id) == "waiting"
    offered = sharer.recv()
    sharer.send(AcceptHelp(session_id=offered.session_id))
    assert sharer.recv().type == "helper_identity"
    assert _help_state(alice, device.id) == "awaiting_consent"
    sharer.send(Consent(level="view"))
    assert helper.recv().type == "sharer_joined"
    assert helper.recv().type == "consent_result"
    fragment = alice.get(f"/console/devices/{device.id}/help").text
    assert 'data-state="active"' in fragment and "continue in your helper app" in fragment
    assert 'hx-trigger="every 2s"' in fragment  # the page follows it without a reload
    helper.send(End())
    assert sharer.recv().type == "ended"
    fragment = alice.get(f"/console/devices/{device.id}/help").text
    assert 'data-state="ended"' in fragment and "You ended the session" in fragment
    assert "every 2s" not in fragment


def test_help_on_an_offline_device_says_so_at_once(server, person):
    device = enroll(server, BOB, "BOB-LAPTOP")
    alice = person().sign_in(ALICE)
    page = alice.get(f"/console/devices/{device}").text
    assert "Nobody on BOB-LAPTOP can answer right now" in page
    assert alice.post(f"/console/devices/{device}/help").status_code == 303
    page = alice.get(f"/console/devices/{device}").text
    assert 'data-state="device_offline"' in page and "BOB-LAPTOP is offline" in page


def test_help_is_refused_to_whoever_may_not_help_on_the_device_and_without_csrf(server, person):
    device = enroll(server, BOB, "BOB-LAPTOP")
    dana = person().sign_in(DANA)  # reports over every group, but helps nobody
    assert "you cannot help on it" in dana.get(f"/console/devices/{device}").text
    refused = dana.post(f"/console/devices/{device}/help")
    assert refused.status_code == 403 and "cannot help on it" in refused.text
    alice = person().sign_in(ALICE)
    alice.get(f"/console/devices/{device}")
    assert alice.post(f"/console/devices/{device}/help", csrf=False).status_code == 403


def test_a_signed_out_htmx_request_sends_the_whole_page_to_the_sign_in(server, person):
    device = enroll(server, BOB, "BOB-LAPTOP")
    answer = person().request(
        "GET", f"/console/devices/{device}/actions", headers={"HX-Request": "true"}
    )
    assert (answer.status_code, answer.headers["hx-redirect"]) == (401, "/console/login")
