"""Device records: what the server knows of an enrolled device, and what a helper is shown.

A device is enrolled by a signed-in user (its owner) with a public key whose private half
never leaves the device; the request carries a signature by that key, so nobody enrols a key
they do not hold. Groups come from the owner's groups in the directory plus the groups the
server's policy gives every enrolled device; roles are scoped to them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from common.devices.actions import DeviceName
from common.text_fields import DisplayText, ShortText

PublicKeyText = Annotated[str, Field(min_length=40, max_length=64, pattern=r"^[A-Za-z0-9+/=]+$")]
SignatureText = Annotated[str, Field(min_length=80, max_length=100, pattern=r"^[A-Za-z0-9+/=]+$")]
OsText = Annotated[DisplayText, Field(max_length=100)]


class DeviceStatus(StrEnum):
    """An enrolled device is ``enrolled`` until a retire succeeds; a deleted one is gone from
    the API (kept only so its next check-in can be told to retire)."""

    ENROLLED = "enrolled"
    RETIRED = "retired"
    DELETED = "deleted"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DeviceRecord(_Model):
    """``GET /v1/devices`` and ``/v1/devices/{id}``; also sent to the agent at check-in."""

    id: ShortText
    name: DeviceName
    os: OsText = ""
    os_version: OsText = ""
    helpline_version: ShortText = ""
    owner: ShortText
    groups: list[ShortText] = Field(default_factory=list, max_length=100)
    enrolled_at: datetime
    last_check_in: datetime | None = None
    status: DeviceStatus = DeviceStatus.ENROLLED
    online: bool = False  # an agent is connected right now


class DeviceSummary(_Model):
    """What the helper sees of the sharer's device before the session starts.

    ``enrolled`` is true only when the device proved itself with its key; otherwise ``id`` is
    empty and ``name`` is whatever the sharer's app claimed.
    """

    enrolled: bool
    id: ShortText = ""
    name: DisplayText = ""
    os: OsText = ""
    os_version: OsText = ""
    last_check_in: datetime | None = None

    @classmethod
    def proven(cls, device: DeviceRecord) -> DeviceSummary:
        """An enrolled device as the server knows it."""
        return cls(
            enrolled=True,
            id=device.id,
            name=device.name,
            os=device.os,
            os_version=device.os_version,
            last_check_in=device.last_check_in,
        )


class EnrollRequest(_Model):
    """``POST /v1/devices/enroll`` with the owner's bearer token.

    ``proof`` is the device key's signature over :func:`common.devices.signing.enroll_bytes`
    of the other fields: see :func:`common.devices.signing.enroll_request`.
    """

    public_key: PublicKeyText  # raw Ed25519 public key, base64
    name: DeviceName
    os: OsText = ""
    os_version: OsText = ""
    helpline_version: ShortText = ""
    proof: SignatureText


class EnrollResponse(_Model):
    device: DeviceRecord
    # How often the agent checks in when nothing happens (the server's setting).
    check_in_seconds: int = Field(ge=1)
    # The server's card-signing key (raw Ed25519, base64): the agent runs only actions that
    # this key signed (``common.devices.statements``).
    server_key: PublicKeyText | None = None
