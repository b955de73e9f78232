"""The first step of reading anything off the network: bytes to one JSON object, or a reason.

Every parser of received frames (signaling messages, the device agent's frames, peer
messages and input events on the data channels) starts with the same checks, in the same
order: a size limit before anything is decoded, JSON that is neither malformed nor nested
deeper than the decoder can go, an object rather than any other value and, where the format
is versioned, the version. They are here once, so the four cannot drift apart; each parser
then validates the object against its own models.

The error codes live here too, with :class:`ProtocolError`, so the protocols built on this
(``common.protocol``, ``common.devices.agent_protocol``) need not import each other.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    TOO_LARGE = "too_large"
    MALFORMED = "malformed"
    UNKNOWN_TYPE = "unknown_type"
    UNSUPPORTED_VERSION = "unsupported_version"
    INVALID = "invalid"
    WRONG_STATE = "wrong_state"
    UNAUTHENTICATED = "unauthenticated"
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"
    FORBIDDEN = "forbidden"
    INVALID_CODE = "invalid_code"
    RATE_LIMITED = "rate_limited"
    OUT_OF_SCOPE = "out_of_scope"
    NOT_OFFERED = "not_offered"
    RESUME_REFUSED = "resume_refused"
    INTERNAL = "internal"
    # A device signature that does not verify, is stale or replayed, or a device (or an
    # unenrolled one, by policy) that may not be helped.
    DEVICE_REFUSED = "device_refused"
    # The server takes no new sessions for now (a replica cut off from its group).
    UNAVAILABLE = "unavailable"
    # Help on an enrolled device that nobody there can answer: no agent, no sharer app.
    DEVICE_OFFLINE = "device_offline"


class ProtocolError(Exception):
    """Input that cannot be accepted; ``code`` and ``message`` are safe to send back."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode_object(
    raw: str | bytes, limit: int, *, version: int | None = None, what: str = "message"
) -> dict[str, Any]:
    """The JSON object in ``raw``; ``what`` names it in the reason a refusal gives."""
    if len(raw) > limit:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"{what} over {limit} bytes")
    try:
        data: Any = json.loads(raw)
    except RecursionError as exc:
        raise ProtocolError(ErrorCode.MALFORMED, f"{what} is nested too deeply") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(ErrorCode.MALFORMED, f"{what} is not valid JSON") from exc
    if not isinstance(data, dict):
        raise ProtocolError(ErrorCode.MALFORMED, f"{what} must be a JSON object")
    if version is not None and data.get("v") != version:
        raise ProtocolError(ErrorCode.UNSUPPORTED_VERSION, f"protocol version must be {version}")
    return data
