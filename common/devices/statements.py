"""The server's signed statement on a device action: the device runs nothing else.

When an action becomes ready (at once, or when the second person approves it) the server
signs, with its card-signing key, what the agent is to do: the action's id, the device, the
kind and its parameters, who asked and who approved. The agent learnt that key at
enrolment; it verifies the statement before it runs the action, so a row someone wrote into
the server's database, an approval that was edited in, or an action from any other server
(one that holds a copy of the database but not the key) is refused.
"""

from __future__ import annotations

import base64
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from common.devices.actions import ActionKind, ActionParameters, needs_second_person

STATEMENT_PURPOSE = "helpline-device-action-v1"
RETIRE_PURPOSE = "helpline-device-retire-v1"


class StatementError(Exception):
    """The statement is missing or does not verify; the message is safe to show."""


def statement_bytes(
    *,
    action_id: str,
    device_id: str,
    action: ActionKind,
    parameters: ActionParameters,
    requested_by: str,
    approved_by: str | None,
) -> bytes:
    body = {
        "purpose": STATEMENT_PURPOSE,
        "action_id": action_id,
        "device_id": device_id,
        "action": action.value,
        "parameters": parameters.model_dump(mode="json", exclude_none=True),
        "requested_by": requested_by,
        "approved_by": approved_by,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def retire_bytes(device_id: str, reason: str) -> bytes:
    """What the server signs when it tells a device it is no longer enrolled: a server that
    is not its own cannot make it drop its key and the organisation's data."""
    return f"{RETIRE_PURPOSE}|{device_id}|{reason}".encode()


def sign_statement(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode("ascii")


def verify_signed(server_key: str, signature: str, message: bytes) -> None:
    """Raises :class:`StatementError` unless the enrolled server's key signed ``message``."""
    if not server_key:
        raise StatementError("this device does not know its server's key: enrol it again")
    if not signature:
        raise StatementError("it is not signed by the server")
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(server_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError) as exc:
        raise StatementError("it is not signed by the server this device enrolled with") from exc


def verify_statement(
    server_key: str,
    signature: str,
    *,
    action_id: str,
    device_id: str,
    action: ActionKind,
    parameters: ActionParameters,
    requested_by: str,
    approved_by: str | None,
) -> None:
    """Raises :class:`StatementError` unless this server signed exactly this action, and a
    second person approved it when it needs one."""
    if needs_second_person(action, bool(parameters.keep_user_data)) and (
        not approved_by or approved_by.casefold() == requested_by.casefold()
    ):
        raise StatementError("the action needs a second person's approval, and has none")
    message = statement_bytes(
        action_id=action_id,
        device_id=device_id,
        action=action,
        parameters=parameters,
        requested_by=requested_by,
        approved_by=approved_by,
    )
    verify_signed(server_key, signature, message)
