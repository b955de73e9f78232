"""The sharer's "This device" window: enrolled or not, and every action that ran, and when."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QPushButton, QTableWidget, QVBoxLayout, QWidget

from client.devices.home import DeviceHome
from client.devices.status import device_status
from desktop_widgets.widgets import fill_table, plain_label

COLUMNS = ("Action", "Requested by", "Started", "Finished", "State", "Result")


class DeviceStatusWindow(QWidget):
    def __init__(self, home: DeviceHome) -> None:
        super().__init__()
        self.home = home
        self.setWindowTitle("Helpline — This device")
        self.summary = plain_label("")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.refresh_button = QPushButton("Refresh")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.refresh_button)
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        status = device_status(self.home)
        self.summary.setText(status.summary)
        fill_table(
            self.table,
            [
                (
                    entry.action.replace("_", " "),
                    entry.requested_by,
                    _when(entry.started_at),
                    _when(entry.finished_at),
                    entry.state,
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
