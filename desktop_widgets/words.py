"""The words both apps show for what the session engine reports, in the person's language.

The engine's events carry English sentences for the headless JSON lines (a machine
interface). The windows show their own words instead: built here from the events' fields,
or looked up by the engine's fixed sentence (``ENGINE_TEXTS``, whose English a test keeps
equal to the engine's), or, for an error in another language, by its code. An English
detail the engine alone knows (a monitor number, a server's reason) is kept as is in
English, and in another language stands behind the code's sentence only in the events file.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from client.session import engine_base, helper_engine, server_link
from client.session.errors import ClientErrorCode
from client.session.events import RECOVERED_TEXT, SLOW_TEXT
from common.protocol import ErrorCode
from desktop_widgets.i18n import SOURCE_LANGUAGE, current_language

CONTEXT = "Words"


def _tr(text: str) -> str:
    """A string marked with ``QT_TRANSLATE_NOOP("Words", ...)``, translated."""
    return QCoreApplication.translate(CONTEXT, text)


# The engine's fixed sentences, by the engine's own constant: the key is the engine's, the
# value the same English marked for translation (tests/ui/test_translations.py checks that
# they match, so a changed engine sentence cannot slip past the catalogue).
ENGINE_TEXTS: dict[str, str] = {
    SLOW_TEXT: QT_TRANSLATE_NOOP(
        "Words", "the connection is too slow for the picture; trying at a lower quality"
    ),
    RECOVERED_TEXT: QT_TRANSLATE_NOOP("Words", "the connection carries the picture again"),
    server_link.SERVER_LOST_TEXT: QT_TRANSLATE_NOOP(
        "Words",
        "The Helpline server cannot be reached. The session goes on; reconnecting to the server…",
    ),
    server_link.SERVER_BACK_TEXT: QT_TRANSLATE_NOOP(
        "Words", "Connected to the server again; the session goes on as before."
    ),
    engine_base.SERVER_BACK_NO_SESSION_TEXT: QT_TRANSLATE_NOOP(
        "Words", "Connected to the server again."
    ),
    helper_engine.NEW_CODE_TEXT: QT_TRANSLATE_NOOP(
        "Words",
        "Connected to the server again. It restarted, so the code you had no longer works: "
        "give the new one instead.",
    ),
    helper_engine.ADMIN_PROMPT_TEXT: QT_TRANSLATE_NOOP(
        "Words",
        "The sharer's screen shows an administrator prompt you cannot see. Ask them to answer "
        "it; the picture comes back when it closes.",
    ),
    helper_engine.ADMIN_PROMPT_GONE_TEXT: QT_TRANSLATE_NOOP(
        "Words", "The administrator prompt has closed: you see the sharer's screen again."
    ),
}


def engine_text(message: str) -> str:
    """The engine's sentence in the person's language (as it came when it is not a fixed one)."""
    source = ENGINE_TEXTS.get(message)
    return _tr(source) if source is not None else message


def sentence(message: str) -> str:
    """A clause as a sentence on its own: capital first, full stop last."""
    text = engine_text(message)
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "…")) else ".")


FEATURES = {
    "view": QT_TRANSLATE_NOOP("Words", "view"),
    "control": QT_TRANSLATE_NOOP("Words", "control"),
    "chat": QT_TRANSLATE_NOOP("Words", "chat"),
    "clipboard": QT_TRANSLATE_NOOP("Words", "clipboard"),
    "files": QT_TRANSLATE_NOOP("Words", "files"),
    "elevate": QT_TRANSLATE_NOOP("Words", "administrator tasks"),
    "actions": QT_TRANSLATE_NOOP("Words", "device actions"),
    "reports": QT_TRANSLATE_NOOP("Words", "reports"),
}


def feature_names(names: list[str]) -> list[str]:
    return [_tr(FEATURES[name]) if name in FEATURES else name for name in names]


def duration_words(seconds: int) -> str:
    if seconds < 90:
        return QCoreApplication.translate("Words", "{n} seconds").format(n=seconds)
    return QCoreApplication.translate("Words", "about {n} minutes").format(
        n=max(1, round(seconds / 60))
    )


def in_english_or(message: str, words: str) -> str:
    """The engine's own sentence in English (tests and scripts match it), ``words`` else."""
    return message if current_language() == SOURCE_LANGUAGE else words


def ending_soon_text(seconds: int, message: str) -> str:
    return in_english_or(
        message,
        QCoreApplication.translate(
            "Words",
            "This session reaches your organisation's time limit in {minutes}: it will end then.",
        ).format(minutes=duration_words(seconds)),
    )


def permissions_dropped_text(dropped: list[str], message: str) -> str:
    return in_english_or(
        message,
        QCoreApplication.translate(
            "Words",
            "The helper's role changed while the server was away. No longer allowed: {names}. "
            "The session goes on with what is still allowed.",
        ).format(names=", ".join(feature_names(sorted(dropped)))),
    )


ERROR_TEXTS: dict[str, str] = {
    ErrorCode.TOO_LARGE: QT_TRANSLATE_NOOP("Words", "That was too long to send."),
    ErrorCode.MALFORMED: QT_TRANSLATE_NOOP("Words", "The server could not read a message."),
    ErrorCode.UNKNOWN_TYPE: QT_TRANSLATE_NOOP("Words", "The server did not understand a message."),
    ErrorCode.UNSUPPORTED_VERSION: QT_TRANSLATE_NOOP(
        "Words", "This app is too old or too new for the server: update it."
    ),
    ErrorCode.INVALID: QT_TRANSLATE_NOOP("Words", "That cannot be done as asked."),
    ErrorCode.WRONG_STATE: QT_TRANSLATE_NOOP("Words", "That cannot be done at this moment."),
    ErrorCode.UNAUTHENTICATED: QT_TRANSLATE_NOOP("Words", "You are not signed in."),
    ErrorCode.INVALID_TOKEN: QT_TRANSLATE_NOOP(
        "Words", "The sign-in was not accepted. Sign in again."
    ),
    ErrorCode.TOKEN_EXPIRED: QT_TRANSLATE_NOOP("Words", "Your sign-in has expired. Sign in again."),
    ErrorCode.FORBIDDEN: QT_TRANSLATE_NOOP("Words", "Your organisation does not allow that."),
    ErrorCode.INVALID_CODE: QT_TRANSLATE_NOOP(
        "Words", "That code is not valid or has expired. Ask your helper for a new one."
    ),
    ErrorCode.RATE_LIMITED: QT_TRANSLATE_NOOP(
        "Words",
        "Too many wrong codes were tried, so entering codes is locked for a while. "
        "Try again later.",
    ),
    ErrorCode.OUT_OF_SCOPE: QT_TRANSLATE_NOOP(
        "Words", "This helper is not allowed to help on this computer."
    ),
    ErrorCode.NOT_OFFERED: QT_TRANSLATE_NOOP("Words", "That is not offered in this session."),
    ErrorCode.RESUME_REFUSED: QT_TRANSLATE_NOOP(
        "Words", "The server could not take the session back."
    ),
    ErrorCode.INTERNAL: QT_TRANSLATE_NOOP("Words", "The server had a problem. Try again."),
    ErrorCode.DEVICE_REFUSED: QT_TRANSLATE_NOOP(
        "Words", "Your organisation does not allow help on this device."
    ),
    ErrorCode.UNAVAILABLE: QT_TRANSLATE_NOOP(
        "Words", "The server takes no new sessions right now. Try again in a moment."
    ),
    ClientErrorCode.SIGN_IN_FAILED: QT_TRANSLATE_NOOP("Words", "The sign-in failed."),
    ClientErrorCode.SIGNALING_LOST: QT_TRANSLATE_NOOP(
        "Words", "The connection to the Helpline server was lost."
    ),
    ClientErrorCode.NOT_CONNECTED: QT_TRANSLATE_NOOP(
        "Words", "That works once the session is connected."
    ),
    ClientErrorCode.NO_FRAME: QT_TRANSLATE_NOOP("Words", "No picture has arrived yet."),
    ClientErrorCode.NO_SCREEN: QT_TRANSLATE_NOOP("Words", "No screen can be shared here."),
    ClientErrorCode.IDENTITY_UNVERIFIED: QT_TRANSLATE_NOOP(
        "Words", "Stopped for your safety: the helper's identity could not be verified."
    ),
    ClientErrorCode.IDENTITY_MISMATCH: QT_TRANSLATE_NOOP(
        "Words", "Stopped for your safety: the connection did not come from the verified helper."
    ),
    ClientErrorCode.SERVER_KEY_CHANGED: QT_TRANSLATE_NOOP(
        "Words",
        "Warning: the server's key has changed. This may not be your organisation's server.",
    ),
    ClientErrorCode.UNTRUSTED_SERVER: QT_TRANSLATE_NOOP(
        "Words", "Warning: this is not your organisation's server."
    ),
}
GENERIC_ERROR = QT_TRANSLATE_NOOP("Words", "Something went wrong. Try again.")


def error_text(code: str, message: str) -> str:
    """What a person reads for an error: the engine's own sentence in English (it holds the
    detail), the code's sentence in another language."""
    return in_english_or(message, _tr(ERROR_TEXTS.get(code, GENERIC_ERROR)))
