"""Looking up an end reason's words: the apps word them differently, the lookup is one."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from common.protocol import EndReason

UNKNOWN = QT_TRANSLATE_NOOP("EndReasons", "The session ended.")


def reason_text(texts: dict[EndReason, str], reason: str, context: str) -> str:
    """The words for ``reason`` (marked for translation in ``context``); a reason this version
    does not know gets plain words too."""
    try:
        return QCoreApplication.translate(context, texts[EndReason(reason)])
    except (ValueError, KeyError):
        return QCoreApplication.translate("EndReasons", UNKNOWN)
