"""What both apps say about the network path and the server's key, in one wording.

People on the phone with a helper compare what they see; the same words on both sides help.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_TRUST = {
    "first_use": QT_TRANSLATE_NOOP(
        "FieldText",
        "First connection to this server: its key is now remembered, but nothing "
        "confirms it is your organisation's, so cards it shows are not verified.",
    ),
    "mismatch": QT_TRANSLATE_NOOP(
        "FieldText",
        "Warning: this is not your organisation's server; cards it shows are not verified.",
    ),
}


def connection_path(relayed: bool) -> str:
    if relayed:
        return QCoreApplication.translate(
            "FieldText", "Connected through your organisation's relay server."
        )
    return QCoreApplication.translate("FieldText", "Connected directly.")


def server_trust_note(how: str) -> str:
    """An extra sentence for the sign-in status, empty when the key is the expected one."""
    note = _TRUST.get(how)
    return QCoreApplication.translate("FieldText", note) if note else ""
