"""Plain words for the sharer about why a session ended, one for every end reason."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from common.protocol import EndReason
from desktop_widgets.end_reasons import reason_text

END_REASONS = {
    EndReason.SHARER_ENDED: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "You stopped sharing.",
    ),
    EndReason.HELPER_ENDED: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "Your helper ended the session.",
    ),
    EndReason.DECLINED: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "You declined. Nothing was shared.",
    ),
    EndReason.HELPER_DISCONNECTED: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "Your helper's connection was lost.",
    ),
    EndReason.SHARER_DISCONNECTED: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "Your connection to the server was lost.",
    ),
    EndReason.PEER_TIMEOUT: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The connection to your helper was lost.",
    ),
    EndReason.CODE_EXPIRED: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The code had expired. Ask your helper for a new one.",
    ),
    EndReason.HELP_EXPIRED: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The helper's request to help on this device expired.",
    ),
    EndReason.IDENTITY_MISMATCH: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "Stopped for your safety: the connection did not come from the verified helper.",
    ),
    EndReason.CONNECTION_FAILED: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The connection to your helper could not be made.",
    ),
    EndReason.SERVER_SHUTDOWN: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The Helpline server was shut down.",
    ),
    EndReason.SIGNALING_LOST: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The connection to the Helpline server was lost.",
    ),
    EndReason.SERVER_CUT_OFF: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The Helpline server lost touch with the others of its group. "
        "Ask your helper to try again.",
    ),
    EndReason.ERROR: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The session ended because of an error.",
    ),
    EndReason.TIME_LIMIT: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The session reached your organisation's time limit. Nothing is shared any more.",
    ),
    EndReason.CONSENT_TIMEOUT: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The request was not answered in time, so nothing was shared.",
    ),
    EndReason.IDLE_TIMEOUT: QT_TRANSLATE_NOOP(
        "SharerEndReasons",
        "The session ended because nothing happened in it for a while. Nothing is shared any more.",
    ),
}


def end_reason_text(reason: str) -> str:
    return reason_text(END_REASONS, reason, "SharerEndReasons")
