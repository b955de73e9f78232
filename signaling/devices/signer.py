"""The server's signature on what its devices are to do: each action as it becomes ready,
and the order to retire.

The key is the one that signs identity cards; the agent learnt its public half at enrolment
and runs nothing else (``common.devices.statements``). The store signs an action inside the
transaction that makes it ready, so no row is ready without its statement.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from common.devices.actions import ActionParameters
from common.devices.statements import retire_bytes, sign_statement, statement_bytes
from signaling.devices.models import DeviceAction


class ActionSigner:
    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @property
    def public_key_text(self) -> str:
        """The public half, as the agent keeps it."""
        raw = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    def action(self, row: DeviceAction) -> str:
        """The statement that this action, as it stands, may run."""
        return sign_statement(
            self._key,
            statement_bytes(
                action_id=row.id,
                device_id=row.device_id,
                action=row.action,
                parameters=ActionParameters.model_validate(row.parameters),
                requested_by=row.requested_by,
                approved_by=row.approved_by,
            ),
        )

    def retire(self, device_id: str, reason: str) -> str:
        return sign_statement(self._key, retire_bytes(device_id, reason))
