"""Plain words for the helper about why a session ended, one for every end reason."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from common.protocol import EndReason
from desktop_widgets.end_reasons import reason_text

END_REASONS = {
    EndReason.HELPER_ENDED: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "You ended the session.",
    ),
    EndReason.SHARER_ENDED: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The person you were helping ended the session.",
    ),
    EndReason.DECLINED: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The person declined your request.",
    ),
    EndReason.HELPER_DISCONNECTED: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "Your connection to the server was lost.",
    ),
    EndReason.SHARER_DISCONNECTED: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The other person's connection was lost.",
    ),
    EndReason.PEER_TIMEOUT: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The connection was lost: the other side stopped answering.",
    ),
    EndReason.CODE_EXPIRED: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The code expired before anyone used it.",
    ),
    EndReason.HELP_EXPIRED: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The device did not answer your request to help in time.",
    ),
    EndReason.IDENTITY_MISMATCH: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The connection was refused: the identity check failed.",
    ),
    EndReason.CONNECTION_FAILED: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The connection could not be made.",
    ),
    EndReason.SERVER_SHUTDOWN: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The server was shut down.",
    ),
    EndReason.SIGNALING_LOST: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The connection to the server was lost.",
    ),
    EndReason.SERVER_CUT_OFF: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The server lost touch with the others of its group; try again.",
    ),
    EndReason.ERROR: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The session ended because of an error.",
    ),
    EndReason.TIME_LIMIT: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The session reached your organisation's time limit.",
    ),
    EndReason.CONSENT_TIMEOUT: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "Nobody answered your request in time.",
    ),
    EndReason.IDLE_TIMEOUT: QT_TRANSLATE_NOOP(
        "HelperEndReasons",
        "The session ended because nothing happened in it for a while.",
    ),
}


def end_reason_text(reason: str) -> str:
    return reason_text(END_REASONS, reason, "HelperEndReasons")
