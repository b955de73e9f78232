"""The hub's rules for help on an enrolled device, over the in-process server's websocket:
who may ask, who may answer, what an offline or silent device does, and that the session
is a pairing like any other (card, consent, audit with the device)."""

from __future__ import annotations

import contextlib

import pytest

from common.protocol import (
    AcceptHelp,
    AwaitHelp,
    Consent,
    RedeemCode,
    RequestCode,
    RequestHelp,
)
from tests.signaling.device_peers import AgentLink, awaiting_help, enrolled, on_device
from tests.signaling.inprocess import in_process_server

ALICE, BOB, CAROL, SAM = (f"{n}@contoso.example" for n in ("alice", "bob", "carol", "sam"))


@pytest.fixture
def server(tmp_path):
    with in_process_server(tmp_path) as running:
        yield running


def _helper(server):
    helper = server.signed_in(ALICE, "helper")
    helper.send(RequestCode())
    code = helper.recv()
    assert code.type == "code"
    return helper, code.code


def test_a_request_is_taken_up_by_the_device_and_paired_as_after_a_code(server):
    device = enrolled(server, BOB, "BOB-LAPTOP")
    sharer = awaiting_help(server, BOB, device)
    helper, _ = _helper(server)
    helper.send(RequestHelp(device_id=device.id))
    requested = helper.recv()
    assert requested.type == "help_requested" and requested.device.name == "BOB-LAPTOP"
    offered = sharer.recv()
    assert offered.type == "help_offered" and offered.helper_name == "Alice Example"
    assert offered.session_id == requested.session_id
    sharer.send(AcceptHelp(session_id=offered.session_id))
    card = sharer.recv()
    assert card.type == "helper_identity" and card.signed_card.card.upn == ALICE
    joined = helper.recv()
    assert joined.type == "sharer_joined" and joined.device.id == device.id
    sharer.send(Consent(level="view"))
    assert helper.recv().level.value == "view"
    (record,) = server.audit()
    assert (record["device_id"], record["device_enrolled"]) == (device.id, True)
    assert (record["helper_upn"], record["sharer_upn"]) == (ALICE, BOB)


def test_only_the_device_asked_may_take_the_request_up(server):
    asked = enrolled(server, BOB, "BOB-LAPTOP")
    other = enrolled(server, BOB, "BOB-DESKTOP")
    sharer = awaiting_help(server, BOB, asked)
    helper, _ = _helper(server)
    helper.send(RequestHelp(device_id=asked.id))
    session_id = helper.recv().session_id
    assert sharer.recv().type == "help_offered"
    intruder = awaiting_help(server, BOB, other)
    intruder.send(AcceptHelp(session_id=session_id))
    refused = intruder.recv()
    assert refused.type == "error" and refused.code.value == "invalid_code"
    unproven = server.signed_in(BOB, "sharer")
    unproven.send(AcceptHelp(session_id=session_id))
    assert unproven.recv().code.value == "invalid_code"
    unproven.send(AwaitHelp())
    assert unproven.recv().code.value == "device_refused"
    sharer.send(AcceptHelp(session_id=session_id))  # the request is still open for its device
    assert sharer.recv().type == "helper_identity"


def test_a_helper_whose_roles_do_not_cover_the_device_is_refused_and_keeps_the_code(server):
    device = enrolled(server, CAROL, "CAROL-PC")  # hr; alice helps finance
    awaiting_help(server, CAROL, device)
    helper, code = _helper(server)
    helper.send(RequestHelp(device_id=device.id))
    refused = helper.recv()
    assert refused.type == "error" and refused.code.value == "out_of_scope"
    helper.send(RequestHelp(device_id="no-such-device"))
    assert helper.recv().code.value == "invalid"
    sharer = server.signed_in(BOB, "sharer")  # the code it had still works
    sharer.send(RedeemCode(code=code))
    assert sharer.recv().type == "helper_identity"


def test_an_offline_device_is_said_to_be_offline_and_an_agent_makes_it_online(server):
    device = enrolled(server, BOB, "BOB-LAPTOP")
    helper, _ = _helper(server)
    helper.send(RequestHelp(device_id=device.id))
    refused = helper.recv()
    assert refused.code.value == "device_offline" and "BOB-LAPTOP is offline" in refused.message
    with contextlib.ExitStack() as stack:
        agent = AgentLink(server, device, stack)
        helper.send(RequestHelp(device_id=device.id))
        assert helper.recv().type == "help_requested"
        told = agent.recv()
        assert told.type == "help_requested" and told.helper_name == "Alice Example"
        # The person opens Helpline after the agent told them: the open request is offered.
        late = on_device(server, BOB, device)
        late.send(AwaitHelp())
        assert late.recv().type == "awaiting_help"
        assert late.recv().type == "help_offered"


def test_a_request_the_device_does_not_answer_expires(tmp_path):
    with in_process_server(tmp_path, help_request_seconds=0.3) as server:
        device = enrolled(server, BOB, "BOB-LAPTOP")
        sharer = awaiting_help(server, BOB, device)
        helper, _ = _helper(server)
        helper.send(RequestHelp(device_id=device.id))
        session_id = helper.recv().session_id
        ended = helper.recv()
        assert ended.type == "ended" and ended.reason.value == "help_expired"
        assert sharer.recv().type == "help_offered"
        sharer.send(AcceptHelp(session_id=session_id))
        too_late = sharer.recv()
        assert too_late.code.value == "invalid_code" and "no longer open" in too_late.message
        assert server.audit() == []  # nobody was asked to consent: no session attempt
