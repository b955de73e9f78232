"""The error codes the apps themselves give (the server's are ``common.protocol.ErrorCode``).

Both reach the user in the same ``error`` event, so they are declared once here and the views
key their titles and texts by these members rather than by loose strings.
"""

from __future__ import annotations

from enum import StrEnum

from common.protocol import ErrorCode


class ClientErrorCode(StrEnum):
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNALING_LOST = "signaling_lost"
    WRONG_STATE = "wrong_state"
    INVALID = "invalid"
    INVALID_CODE = "invalid_code"
    NOT_OFFERED = "not_offered"
    NOT_CONNECTED = "not_connected"
    NO_FRAME = "no_frame"
    NO_SCREEN = "no_screen"
    IDENTITY_UNVERIFIED = "identity_unverified"
    IDENTITY_MISMATCH = "identity_mismatch"
    INVALID_COMMAND = "invalid_command"
    UNKNOWN_COMMAND = "unknown_command"
    INVALID_INPUT = "invalid_input"
    SERVER_KEY_CHANGED = "server_key_changed"
    UNTRUSTED_SERVER = "untrusted_server"
    # --await-help on a machine that is not an enrolled device.
    NOT_ENROLLED = "not_enrolled"


AnyErrorCode = ClientErrorCode | ErrorCode


class EngineError(Exception):
    """A command that cannot be carried out now; ``code`` goes into the ``error`` event."""

    def __init__(self, code: AnyErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
