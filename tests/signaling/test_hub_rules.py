"""The hub's rules, in process: who may send what, when, and what the audit then says."""

from __future__ import annotations

import pytest

from common.protocol import (
    Consent,
    Control,
    End,
    FileDirection,
    FileOutcome,
    RedeemCode,
    ReportFeature,
    ReportFile,
    RequestCode,
    Signal,
)
from signaling.audit.store import AuditStore
from signaling.database.schema import open_database
from tests.signaling.inprocess import DIRECTORY, in_process_server

ALICE, SAM, BOB, BEA, CAROL = (
    f"{name}@contoso.example" for name in ("alice", "sam", "bob", "bea", "carol")
)


@pytest.fixture
def server(tmp_path):
    with in_process_server(tmp_path) as running:
        yield running


def _paired(server, helper_upn=ALICE, sharer_upn=BOB, consent=None):
    helper = server.signed_in(helper_upn, "helper")
    helper.send(RequestCode(dtls_fingerprint="sha-256 AA:BB"))
    code = helper.recv()
    sharer = server.signed_in(sharer_upn, "sharer", device="BOB-PC")
    sharer.send(RedeemCode(code=code.code))
    assert sharer.recv().type == "helper_identity"
    assert helper.recv().type == "sharer_joined"
    if consent:
        sharer.send(Consent(level=consent))
        assert helper.recv().level.value == consent
    return helper, sharer


def test_the_helper_cannot_consent_for_the_sharer(server):
    helper, sharer = _paired(server)
    helper.send(Consent(level="control"))
    refused = helper.recv()
    assert (refused.type, getattr(refused, "code", None)) == ("error", "forbidden"), refused
    # Nothing moved: the sharer still decides, and its choice is the one the helper hears.
    sharer.send(Consent(level="view"))
    assert helper.recv().level.value == "view"
    assert server.audit()[0]["levels_granted"] == ["view"]


@pytest.mark.parametrize("action", ["grant_control", "revoke_control", "deny_control"])
def test_only_the_sharer_grants_revokes_or_denies_control(server, action):
    helper, sharer = _paired(server, consent="view")
    helper.send(Control(action=action))
    # Always answered: if the control were taken silently, this answer would come first.
    helper.send(RequestCode())
    refused = helper.recv()
    assert (refused.type, getattr(refused, "code", None)) == ("error", "forbidden"), refused
    assert helper.recv().code.value == "wrong_state"
    # The sharer never saw it: the next thing it gets is what the helper sends next.
    helper.send(Signal(kind="offer", sdp="v=0"))
    assert sharer.recv().type == "signal"
    assert server.audit()[0]["levels_granted"] == ["view"]


def test_one_control_prompt_at_a_time(server):
    helper, sharer = _paired(server, consent="view")
    helper.send(Control(action="request_control"))
    assert sharer.recv().action.value == "request_control"
    helper.send(Control(action="request_control"))
    assert helper.recv().code.value == "wrong_state"
    sharer.send(Control(action="deny_control"))
    assert helper.recv().action.value == "deny_control"
    # Answered: the helper may ask again, and the sharer gets exactly one more prompt.
    helper.send(Control(action="request_control"))
    assert sharer.recv().action.value == "request_control"


def test_chat_needs_the_chat_permission_and_is_recorded_from_the_report(server):
    helper, sharer = _paired(server, helper_upn=SAM, consent="view")
    # Each report is followed by a message that is answered whatever happens, so a report
    # taken silently shows as the wrong first answer instead of a wait for ever.
    helper.send(ReportFeature(feature="chat"))
    helper.send(RequestCode())
    assert helper.recv().code.value == "forbidden"
    assert helper.recv().code.value == "wrong_state"
    sharer.send(ReportFeature(feature="chat"))
    sharer.send(Consent(level="view"))
    assert sharer.recv().code.value == "forbidden"
    assert sharer.recv().code.value == "wrong_state"
    sharer.send(End())
    assert helper.recv().type == "ended"
    assert server.audit()[0]["features_used"] == ["view"]

    helper, sharer = _paired(server, helper_upn=ALICE, consent="view")
    helper.send(ReportFeature(feature="chat"))
    sharer.send(End())
    assert helper.recv().type == "ended"
    assert server.audit(helper=ALICE)[0]["features_used"] == ["view", "chat"]


def test_refused_features_are_recorded_once_and_the_session_goes_on(server):
    helper, sharer = _paired(server, helper_upn=SAM, consent="view")
    for _ in range(3):
        sharer.send(ReportFeature(feature="chat", refused=True))
    helper.send(ReportFeature(feature="chat"))
    assert helper.recv().code.value == "forbidden"
    sharer.send(End())
    assert helper.recv().type == "ended", "the refusal ended nothing"
    row = server.audit()[0]
    assert row["features_used"] == ["view"] and row["features_refused"] == ["chat"]


def test_file_transfers_are_recorded_from_the_sharer_and_completed_only_while_allowed(
    server, tmp_path
):
    done = ReportFile(
        name="setup.log", size=3, sha256="0" * 64, direction="to_sharer", outcome="completed"
    )
    helper, sharer = _paired(server, consent="view")  # files not ticked
    helper.send(done)
    assert helper.recv().code.value == "forbidden"
    sharer.send(done)
    assert sharer.recv().code.value == "forbidden"
    sharer.send(done.model_copy(update={"outcome": FileOutcome.DECLINED}))
    sharer.send(End())
    assert helper.recv().type == "ended"
    row = server.audit()[0]
    assert row["features_refused"] == ["files"]
    assert [(f["name"], f["outcome"]) for f in row["files"]] == [("setup.log", "declined")]

    # A role that grants files, and a sharer who ticks it: the completed transfer is recorded.
    granting = DIRECTORY.replace(
        'permissions = ["view", "control", "chat"]',
        'permissions = ["view", "control", "chat", "files"]',
    )
    (tmp_path / "files").mkdir()
    with in_process_server(tmp_path / "files", granting) as files_server:
        helper, sharer = _paired(files_server)
        sharer.send(Consent(level="view", allow=["files"]))
        assert helper.recv().allow == ["files"]
        sharer.send(done.model_copy(update={"direction": FileDirection.TO_HELPER}))
        sharer.send(End())
        assert helper.recv().type == "ended"
        [row] = files_server.audit()
    assert row["files"] == [
        {"name": "setup.log", "size": 3, "sha256": "0" * 64, "direction": "to_helper",
         "outcome": "completed"}
    ]  # fmt: skip


def test_claims_of_control_or_elevation_are_not_recorded(server):
    helper, sharer = _paired(server, consent="view")
    for feature in ("control", "elevation", "actions"):
        helper.send(ReportFeature(feature=feature))
        assert helper.recv().code.value == "forbidden"
    sharer.send(End())
    assert helper.recv().type == "ended"
    row = server.audit()[0]
    assert row["features_used"] == ["view"] and row["levels_granted"] == ["view"]


def test_a_code_spent_on_an_out_of_scope_sharer_cannot_be_used_again(server):
    """The helper's session is still waiting, so only the code's consumption refuses Bea."""
    helper = server.signed_in(ALICE, "helper")
    helper.send(RequestCode())
    code = helper.recv()
    carol = server.signed_in(CAROL, "sharer")
    carol.send(RedeemCode(code=code.code))
    assert carol.recv().code.value == "out_of_scope"
    assert helper.recv().code.value == "out_of_scope"
    bea = server.signed_in(BEA, "sharer")
    bea.send(RedeemCode(code=code.code))
    assert bea.recv().code.value == "invalid_code"
    # A fresh code on the same, still waiting, helper connection works.
    helper.send(RequestCode())
    fresh = helper.recv()
    bea.send(RedeemCode(code=fresh.code))
    assert bea.recv().type == "helper_identity"


def test_an_account_holds_a_bounded_number_of_live_codes(server):
    helpers = [server.signed_in(ALICE, "helper") for _ in range(4)]
    for helper in helpers[:3]:
        helper.send(RequestCode())
        assert helper.recv().type == "code"
    helpers[3].send(RequestCode())
    assert helpers[3].recv().code.value == "rate_limited"
    # A new code on a connection that has one replaces it, so it is not refused.
    helpers[0].send(RequestCode())
    assert helpers[0].recv().type == "code"
    helpers[1].send(End())
    # Answered after the End on the same connection, so the code is gone by then.
    helpers[1].send(Signal(kind="offer", sdp="v=0"))
    assert helpers[1].recv().code.value == "wrong_state"
    helpers[3].send(RequestCode())
    assert helpers[3].recv().type == "code"


def test_one_persons_typos_do_not_lock_out_a_colleague_on_the_same_address(server):
    bob = server.signed_in(BOB, "sharer")
    for _ in range(5):
        bob.send(RedeemCode(code="ABCD-EFGH"))
        assert bob.recv().code.value == "invalid_code"
    bob.send(RedeemCode(code="ABCD-EFGH"))
    locked = bob.recv()
    assert locked.code.value == "rate_limited" and "your account" in locked.message
    assert str(locked.retry_after) in locked.message
    helper = server.signed_in(ALICE, "helper")
    helper.send(RequestCode())
    code = helper.recv()
    bea = server.signed_in(BEA, "sharer")
    bea.send(RedeemCode(code=code.code))
    assert bea.recv().type == "helper_identity"


def test_refused_redeems_are_summarised_not_written_one_row_each(tmp_path):
    with in_process_server(tmp_path) as server:
        bob = server.signed_in(BOB, "sharer")
        for _ in range(40):
            bob.send(RedeemCode(code="ABCD-EFGH"))
            bob.recv()
    rows = server.audit()  # after the shutdown: what was summed in memory is written too
    assert sorted((r["outcome"], r["attempts"]) for r in rows) == [
        ("invalid_code", 5),
        ("rate_limited", 35),
    ]
    assert {r["sharer_upn"] for r in rows} == {BOB}


def test_the_helper_is_told_when_its_code_expires(tmp_path):
    with in_process_server(tmp_path, code_ttl_seconds=1) as short:
        helper = short.signed_in(ALICE, "helper")
        helper.send(RequestCode())
        code = helper.recv()
        ended = helper.recv()  # arrives once the code's time is up
        assert (ended.type, ended.reason.value) == ("ended", "code_expired")
        sharer = short.signed_in(BOB, "sharer")
        sharer.send(RedeemCode(code=code.code))
        assert sharer.recv().code.value == "invalid_code"
        # The helper may ask again, and a code replaced before it expires is not reported.
        helper.send(RequestCode())
        helper.recv()
        helper.send(RequestCode())
        fresh = helper.recv()
        assert helper.recv().reason.value == "code_expired"
        helper.send(Signal(kind="offer", sdp="v=0"))
        assert helper.recv().code.value == "wrong_state", "only one expiry per live code"
        assert fresh.type == "code"


def test_when_the_audit_cannot_be_written_new_sessions_are_refused_not_unrecorded(
    server, monkeypatch, caplog
):
    from sqlalchemy.exc import OperationalError

    from signaling.audit.store import AuditStore

    real_open, real_set = AuditStore.open, AuditStore.set

    def full(*_args, **_kwargs):
        raise OperationalError("INSERT ...", {}, Exception("database or disk is full"))

    monkeypatch.setattr(AuditStore, "open", full)
    helper = server.signed_in(ALICE, "helper")
    helper.send(RequestCode())
    code = helper.recv()
    sharer = server.signed_in(BOB, "sharer")
    sharer.send(RedeemCode(code=code.code))
    refused = sharer.recv()
    assert refused.type == "error" and "storage is full or read-only" in refused.message
    assert "storage is full" in helper.recv().message
    assert "audit storage failed: database or disk is full" in caplog.text
    assert "Traceback" not in caplog.text
    health = server.client.get("/healthz")
    assert (health.status_code, health.json()["status"]) == (503, "audit_unavailable")
    # Room again: a new code pairs, and consent is refused while it cannot be recorded.
    monkeypatch.setattr(AuditStore, "open", real_open)
    helper.send(RequestCode())
    sharer.send(RedeemCode(code=helper.recv().code))
    assert sharer.recv().type == "helper_identity"
    assert helper.recv().type == "sharer_joined"
    assert server.client.get("/healthz").status_code == 200
    monkeypatch.setattr(AuditStore, "set", full)
    sharer.send(Consent(level="view"))
    assert "storage is full" in sharer.recv().message
    monkeypatch.setattr(AuditStore, "set", real_set)
    sharer.send(Consent(level="view"))
    assert helper.recv().level.value == "view"
    assert server.audit()[0]["outcome"] == "accepted"


def test_auditors_see_their_scopes_and_every_read_is_recorded(server):
    for sharer_upn in (BOB, CAROL):
        helper = server.signed_in(ALICE, "helper")
        helper.send(RequestCode())
        sharer = server.signed_in(sharer_upn, "sharer")
        sharer.send(RedeemCode(code=helper.recv().code))
        sharer.recv()

    def read(upn):
        headers = {"Authorization": f"Bearer {server.token_for(upn)}"}
        response = server.client.get("/v1/audit/sessions", headers=headers)
        assert response.status_code == 200, response.text
        return sorted(row["sharer_upn"] for row in response.json()["sessions"])

    assert read("dana@contoso.example") == [BOB, CAROL]  # all scopes
    assert read("fred@contoso.example") == [BOB]  # finance only: Carol is in hr
    store = AuditStore(open_database(f"sqlite:///{server.data_dir / 'helpline.db'}"))
    reads = store.reads(10)
    assert [(r["reader"], r["returned"]) for r in reads] == [
        ("fred@contoso.example", 1),
        ("dana@contoso.example", 2),
    ]
    assert reads[0]["filter"]["scopes"] == ["finance"]
    assert store.verify(None).ok


@pytest.mark.parametrize(
    ("ending", "outcome", "end_reason"),
    [
        ("sharer_declines", "declined", "declined"),
        ("sharer_ends_before_consent", "cancelled", "sharer_ended"),
        ("helper_ends_before_consent", "cancelled", "helper_ended"),
        ("sharer_ends_after_consent", "accepted", "sharer_ended"),
        ("helper_ends_after_consent", "accepted", "helper_ended"),
    ],
)
def test_each_way_a_session_ends_is_its_outcome_in_the_record(server, ending, outcome, end_reason):
    """The outcome says what the sharer decided, whoever ended the session and when: an
    attempt nobody consented to is never recorded as accepted, nor left pending."""
    helper, sharer = _paired(server, consent="view" if ending.endswith("after_consent") else None)
    if ending == "sharer_declines":
        sharer.send(Consent(level="decline"))
        assert helper.recv().level.value == "declined"
    else:
        ender, other = (helper, sharer) if ending.startswith("helper") else (sharer, helper)
        ender.send(End())
        assert other.recv().reason.value == end_reason
    [record] = server.audit()
    assert (record["outcome"], record["end_reason"]) == (outcome, end_reason)
    assert record["ended_at"] is not None
    assert record["levels_granted"] == ([] if outcome != "accepted" else ["view"])
