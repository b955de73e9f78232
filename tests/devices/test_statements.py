"""The server's statement on a device action, next to the code: every field the agent acts
on is under the signature, a second person is required where the action erases the
machine, and only the enrolled server's key verifies it."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from common.devices.actions import ActionKind, ActionParameters
from common.devices.statements import (
    StatementError,
    retire_bytes,
    sign_statement,
    statement_bytes,
    verify_signed,
    verify_statement,
)

SERVER = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()
FIELDS = {
    "action_id": "a1",
    "device_id": "d1",
    "action": ActionKind.WIPE,
    "parameters": ActionParameters(keep_user_data=True),
    "requested_by": "erin@contoso.example",
    "approved_by": "frank@contoso.example",
}
CHANGED = {
    "action_id": "a2",
    "device_id": "d2",
    "action": ActionKind.FRESH_START,
    "parameters": ActionParameters(keep_user_data=False),
    "requested_by": "mallory@contoso.example",
    "approved_by": "mallory2@contoso.example",
}


def _public(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _signed(key: Ed25519PrivateKey = SERVER, **fields: object) -> str:
    return sign_statement(key, statement_bytes(**{**FIELDS, **fields}))  # type: ignore[arg-type]


def test_the_enrolled_servers_statement_verifies():
    verify_statement(_public(SERVER), _signed(), **FIELDS)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", sorted(CHANGED))
def test_every_field_is_under_the_signature(field):
    with pytest.raises(StatementError):
        verify_statement(_public(SERVER), _signed(), **{**FIELDS, field: CHANGED[field]})  # type: ignore[arg-type]


def test_another_servers_key_or_no_key_or_no_signature_is_refused():
    for key, signature in ((_public(OTHER), _signed()), ("", _signed()), (_public(SERVER), "")):
        with pytest.raises(StatementError):
            verify_statement(key, signature, **FIELDS)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("action", "keep", "approver"),
    [
        (ActionKind.WIPE, True, None),
        (ActionKind.FRESH_START, False, None),
        (ActionKind.WIPE, False, "ERIN@Contoso.example"),  # the requester, in another case
    ],
)
def test_what_erases_the_machine_runs_only_with_a_second_person(action, keep, approver):
    fields = {**FIELDS, "action": action, "parameters": ActionParameters(keep_user_data=keep),
              "approved_by": approver}  # fmt: skip
    signature = sign_statement(SERVER, statement_bytes(**fields))  # type: ignore[arg-type]
    with pytest.raises(StatementError, match="second person"):
        verify_statement(_public(SERVER), signature, **fields)  # type: ignore[arg-type]


def test_a_retire_verifies_only_for_its_device_and_reason_from_the_enrolled_server():
    signature = sign_statement(SERVER, retire_bytes("d1", "deleted"))
    verify_signed(_public(SERVER), signature, retire_bytes("d1", "deleted"))
    for key, message in (
        (_public(SERVER), retire_bytes("d2", "deleted")),
        (_public(SERVER), retire_bytes("d1", "retired")),
        (_public(OTHER), retire_bytes("d1", "deleted")),
    ):
        with pytest.raises(StatementError):
            verify_signed(key, signature, message)
