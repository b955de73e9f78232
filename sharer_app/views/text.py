"""Plain words for the sharer about why a session ended, one for every end reason."""

from __future__ import annotations

from common.protocol import EndReason
from desktop_widgets.end_reasons import reason_text

END_REASONS = {
    EndReason.SHARER_ENDED: "You stopped sharing.",
    EndReason.HELPER_ENDED: "Your helper ended the session.",
    EndReason.DECLINED: "You declined. Nothing was shared.",
    EndReason.HELPER_DISCONNECTED: "Your helper's connection was lost.",
    EndReason.SHARER_DISCONNECTED: "Your connection to the server was lost.",
    EndReason.PEER_TIMEOUT: "The connection to your helper was lost.",
    EndReason.CODE_EXPIRED: "The code had expired. Ask your helper for a new one.",
    EndReason.HELP_EXPIRED: "The helper's request to help on this device expired.",
    EndReason.IDENTITY_MISMATCH: "Stopped for your safety: the connection did not come from "
    "the verified helper.",
    EndReason.CONNECTION_FAILED: "The connection to your helper could not be made.",
    EndReason.SERVER_SHUTDOWN: "The Helpline server was shut down.",
    EndReason.SIGNALING_LOST: "The connection to the Helpline server was lost.",
    EndReason.SERVER_CUT_OFF: "The Helpline server lost touch with the others of its group. "
    "Ask your helper to try again.",
    EndReason.ERROR: "The session ended because of an error.",
    EndReason.TIME_LIMIT: "The session reached your organisation's time limit. Nothing is "
    "shared any more.",
    EndReason.CONSENT_TIMEOUT: "The request was not answered in time, so nothing was shared.",
    EndReason.IDLE_TIMEOUT: "The session ended because nothing happened in it for a while. "
    "Nothing is shared any more.",
}


def end_reason_text(reason: str) -> str:
    return reason_text(END_REASONS, reason)
