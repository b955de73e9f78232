"""The sharer's "This device" window: enrolled or not, and every action that ran, and when."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QTableWidget, QVBoxLayout, QWidget

from client.devices.home import DeviceHome
from client.devices.status import device_status
from desktop_widgets.device_words import action_name, state_name
from desktop_widgets.look import StatusMark
from desktop_widgets.theme import Space
from desktop_widgets.widgets import Button, fill_table, named, role_label, title_label
from desktop_widgets.words import in_english_or


class DeviceStatusWindow(QWidget):
    def __init__(self, home: DeviceHome) -> None:
        super().__init__()
        self.home = home
        self.setWindowTitle(self.tr("Helpline — This device"))
        self.mark = StatusMark("info")
        self.summary = self.mark.words
        columns = (
            self.tr("Action"),
            self.tr("Requested by"),
            self.tr("Started"),
            self.tr("Finished"),
            self.tr("State"),
            self.tr("Result"),
        )
        self.table = named(QTableWidget(0, len(columns)), self.tr("Actions on this device"))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.refresh_button = Button(self.tr("&Refresh"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(Space.XL, Space.L, Space.XL, Space.L)
        layout.setSpacing(Space.M)
        layout.addWidget(title_label(self.tr("This device")))
        layout.addWidget(self.mark)
        layout.addWidget(
            role_label(self.tr("What your organisation ran here, newest first:"), "muted")
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(self.refresh_button)
        self.refresh_button.clicked.connect(self.refresh)
        self.resize(760, 420)
        self.refresh()

    def refresh(self) -> None:
        status = device_status(self.home)
        self.mark.set_kind("verified" if status.enrolled else "info")
        words = (
            self.tr("This device is enrolled: your organisation can run the actions listed below.")
            if status.enrolled
            else self.tr("This device is not enrolled: your organisation does not manage it.")
        )
        self.summary.setText(in_english_or(status.summary, words))
        fill_table(
            self.table,
            [
                (
                    action_name(entry.action),
                    entry.requested_by,
                    _when(entry.started_at),
                    _when(entry.finished_at),
                    state_name(entry.state),
                    str(entry.result.get("result", "")),
                )
                for entry in status.actions
            ],
        )


def _when(stamp: str | None) -> str:
    """A journal's ISO time as a person reads it, in the device's local time."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return stamp
