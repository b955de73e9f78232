"""Device actions and their states as a person reads them, in both apps' language."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

ACTIONS = {
    "sync": QT_TRANSLATE_NOOP("DeviceWords", "sync"),
    "restart": QT_TRANSLATE_NOOP("DeviceWords", "restart"),
    "lock": QT_TRANSLATE_NOOP("DeviceWords", "lock"),
    "rename": QT_TRANSLATE_NOOP("DeviceWords", "rename"),
    "diagnostics": QT_TRANSLATE_NOOP("DeviceWords", "diagnostics"),
    "retire": QT_TRANSLATE_NOOP("DeviceWords", "retire"),
    "wipe": QT_TRANSLATE_NOOP("DeviceWords", "wipe"),
    "fresh_start": QT_TRANSLATE_NOOP("DeviceWords", "fresh start"),
    "delete": QT_TRANSLATE_NOOP("DeviceWords", "delete"),
}
STATES = {
    "pending": QT_TRANSLATE_NOOP("DeviceWords", "pending"),
    "delivered": QT_TRANSLATE_NOOP("DeviceWords", "delivered"),
    "running": QT_TRANSLATE_NOOP("DeviceWords", "running"),
    "succeeded": QT_TRANSLATE_NOOP("DeviceWords", "succeeded"),
    "failed": QT_TRANSLATE_NOOP("DeviceWords", "failed"),
    "cancelled": QT_TRANSLATE_NOOP("DeviceWords", "cancelled"),
}


def _tr(table: dict[str, str], key: str) -> str:
    source = table.get(key)
    return QCoreApplication.translate("DeviceWords", source) if source else key.replace("_", " ")


def action_name(action: str) -> str:
    return _tr(ACTIONS, action)


def state_name(state: str) -> str:
    return _tr(STATES, state)
