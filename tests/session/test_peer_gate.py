"""The sharer's per-message permission table, without a network: every peer message type
has a row, and what needs a permission the helper lacks is refused, counted and told once."""

from __future__ import annotations

import typing

from client.session.peer_gate import FILE_DATA, PEER_PERMISSIONS, PeerGate
from common.peer_messages import Bye, Chat, FileCancel, FileOffer, Heartbeat, PeerMessage
from common.permissions import Feature, Permission


def _gate() -> tuple[PeerGate, list[tuple[str, int]], list[Feature]]:
    reports: list[tuple[str, int]] = []
    first: list[Feature] = []
    gate = PeerGate(lambda reason, count: reports.append((reason, count)), first.append)
    return gate, reports, first


def test_every_peer_message_type_has_a_row():
    union = typing.get_args(typing.get_args(PeerMessage)[0])
    types = {model.model_fields["type"].default for model in union}
    # And the files channel's chunks, which are not control messages but pass the same gate.
    assert types | {FILE_DATA} == set(PEER_PERMISSIONS)


def test_file_messages_and_data_need_files_but_a_cancel_does_not():
    gate, reports, first = _gate()
    gate.set_permissions([Permission.VIEW])
    offer = FileOffer(id="0" * 16, name="x", size=1, sha256="0" * 64)
    assert not gate.allows(offer) and not gate.allows_type(FILE_DATA)
    assert gate.allows(FileCancel(id="0" * 16, reason="revoked"))
    gate.flush(force=True)
    assert first == [Feature.FILES] and sum(n for _, n in reports) == 2
    gate.set_permissions([Permission.VIEW, Permission.FILES])
    assert gate.allows(offer) and gate.allows_type(FILE_DATA)


def test_chat_needs_the_chat_permission_and_plumbing_needs_none():
    gate, reports, first = _gate()
    gate.set_permissions([Permission.VIEW])
    assert gate.allows(Heartbeat(seq=1, sent_ms=0)) and gate.allows(Bye(reason="x"))
    assert not gate.allows(Chat(text="hello"))
    assert not gate.allows(Chat(text="again"))
    gate.flush(force=True)
    assert reports == [("chat", 1), ("chat", 1)], "the first at once, the rest batched"
    assert first == [Feature.CHAT], "the audit hears of the first refusal only"
    assert gate.set_permissions([Permission.VIEW, Permission.CHAT]) == frozenset()
    assert gate.allows(Chat(text="now allowed"))


def test_permissions_dropped_are_named():
    gate, _, _ = _gate()
    gate.set_permissions([Permission.VIEW, Permission.CONTROL, Permission.CHAT])
    assert gate.set_permissions([Permission.VIEW]) == {Permission.CONTROL, Permission.CHAT}
    assert not gate.allows(Chat(text="hello"))
