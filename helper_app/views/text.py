"""Plain words for the helper about why a session ended, one for every end reason."""

from __future__ import annotations

from common.protocol import EndReason
from desktop_widgets.end_reasons import reason_text

END_REASONS = {
    EndReason.HELPER_ENDED: "You ended the session.",
    EndReason.SHARER_ENDED: "The person you were helping ended the session.",
    EndReason.DECLINED: "The person declined your request.",
    EndReason.HELPER_DISCONNECTED: "Your connection to the server was lost.",
    EndReason.SHARER_DISCONNECTED: "The other person's connection was lost.",
    EndReason.PEER_TIMEOUT: "The connection was lost: the other side stopped answering.",
    EndReason.CODE_EXPIRED: "The code expired before anyone used it.",
    EndReason.HELP_EXPIRED: "The device did not answer your request to help in time.",
    EndReason.IDENTITY_MISMATCH: "The connection was refused: the identity check failed.",
    EndReason.CONNECTION_FAILED: "The connection could not be made.",
    EndReason.SERVER_SHUTDOWN: "The server was shut down.",
    EndReason.SIGNALING_LOST: "The connection to the server was lost.",
    EndReason.SERVER_CUT_OFF: "The server lost touch with the others of its group; try again.",
    EndReason.ERROR: "The session ended because of an error.",
    EndReason.TIME_LIMIT: "The session reached your organisation's time limit.",
    EndReason.CONSENT_TIMEOUT: "Nobody answered your request in time.",
    EndReason.IDLE_TIMEOUT: "The session ended because nothing happened in it for a while.",
}


def end_reason_text(reason: str) -> str:
    return reason_text(END_REASONS, reason)
