"""The helper's devices window: find a device, see it, act on it, follow the action.

Retire and wipe ask the helper to type the device's name (the server checks it too); a wipe
then waits for a second person, who approves it here. Diagnostics reports open as text and
can be saved as a JSON file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from common.devices.actions import (
    FINAL_STATES,
    KEEPS_USER_DATA,
    NEEDS_CONFIRMATION,
    ActionKind,
    ActionRecord,
    ActionRequest,
    ActionState,
)
from common.devices.records import DeviceRecord
from common.validation import first_error
from desktop_widgets.widgets import fill_table, plain_label
from helper_app.views.devices_service import DevicesService

COLUMNS = ("Action", "State", "Requested by", "Progress or result")
# Asks the helper to type the device's name; returns what was typed, or None.
ConfirmPrompt = Callable[[str], str | None]


def _ask_name(device_name: str) -> str | None:
    text, ok = QInputDialog.getText(
        None,
        "Confirm",
        f"This cannot be undone. Type the device's name exactly, {device_name}, to confirm:",
    )
    return text if ok else None


def device_details(device: DeviceRecord) -> str:
    seen = device.last_check_in.strftime("%Y-%m-%d %H:%M UTC") if device.last_check_in else "never"
    return "\n".join(
        [
            f"{device.name}  ({'online' if device.online else 'offline'})",
            f"OS: {device.os} {device.os_version}".rstrip(),
            f"Owner: {device.owner}   Groups: {', '.join(device.groups) or '—'}",
            f"Enrolled: {device.enrolled_at:%Y-%m-%d %H:%M UTC}   Last check-in: {seen}",
            f"Helpline {device.helpline_version or '?'}   Id: {device.id}",
        ]
    )


def action_state_text(record: ActionRecord) -> str:
    if record.state is ActionState.PENDING and record.needs_approval and not record.approved_by:
        return "pending (needs a second approver)"
    return record.state.value


class DevicesWindow(QWidget):
    # "Help on this device": the device's id, for the helper's session (``help_device``).
    help_wanted = Signal(str)

    def __init__(self, service: DevicesService, confirm: ConfirmPrompt = _ask_name) -> None:
        super().__init__()
        self.service = service
        self.confirm = confirm
        self.setWindowTitle("Helpline — Devices")
        self.device_list: list[DeviceRecord] = []
        self.records: list[ActionRecord] = []
        self.report_data: dict[str, Any] | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name, owner, OS or group")
        self.list = QListWidget()
        self.details = plain_label("Choose a device.")
        self.kind = QComboBox()
        for kind in ActionKind:
            self.kind.addItem(kind.value.replace("_", " "), kind)
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("new name (rename)")
        self.keep_user_data = QCheckBox("Keep user data")
        self.request_button = QPushButton("Request")
        self.help_button = QPushButton("Help on this device")
        self.help_button.setToolTip(
            "Ask this device for a session instead of reading out a code: the person there "
            "sees your card and chooses, as with a code"
        )
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.cancel_button = QPushButton("Cancel action")
        self.approve_button = QPushButton("Approve")
        self.report_button = QPushButton("Show report")
        self.save_button = QPushButton("Save report…")
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.message = plain_label("")
        self.message.setStyleSheet("color: #b00020")

        request_row = QHBoxLayout()
        for widget in (self.kind, self.new_name, self.keep_user_data, self.request_button):
            request_row.addWidget(widget)
        record_row = QHBoxLayout()
        for button in (self.cancel_button, self.approve_button, self.report_button,
                       self.save_button):  # fmt: skip
            record_row.addWidget(button)
        right = QVBoxLayout()
        for part in (
            self.details,
            self.help_button,
            request_row,
            self.table,
            record_row,
            self.report_view,
        ):
            if isinstance(part, QWidget):
                right.addWidget(part)
            else:
                right.addLayout(part)
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.list)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.message)

        self.search.textChanged.connect(service.search)
        self.list.currentRowChanged.connect(self._on_device_chosen)
        self.request_button.clicked.connect(self._request)
        self.help_button.clicked.connect(self._help)
        self.cancel_button.clicked.connect(lambda: self._on_record(service.cancel))
        self.approve_button.clicked.connect(lambda: self._on_record(service.approve))
        self.report_button.clicked.connect(lambda: self._on_record(service.load_report))
        self.save_button.clicked.connect(self._save_report)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        service.devices.connect(self.show_devices)
        service.actions.connect(self.show_actions)
        service.report.connect(self.show_report)
        service.changed.connect(lambda _record: self.message.setText(""))
        service.failed.connect(self.message.setText)
        self._update_buttons()

    # ---- what the service says ---------------------------------------------------------

    def show_devices(self, devices: list[DeviceRecord]) -> None:
        self.device_list = devices
        self.list.clear()
        for device in devices:
            item = QListWidgetItem(f"{device.name} — {device.owner}")
            item.setData(Qt.ItemDataRole.UserRole, device.id)
            self.list.addItem(item)
        if not devices:
            self.details.setText("No device you may see matches.")

    def show_actions(self, device_id: str, records: list[ActionRecord]) -> None:
        if device_id != self.current_device_id():
            return
        chosen = self.current_record()
        self.records = records
        fill_table(
            self.table,
            [
                (
                    record.action.value,
                    action_state_text(record),
                    record.requested_by,
                    record.progress if record.state is ActionState.RUNNING else record.result,
                )
                for record in records
            ],
        )
        for row, record in enumerate(records):
            if chosen is not None and record.id == chosen.id:
                self.table.selectRow(row)
        self._update_buttons()

    def show_report(self, action_id: str, report: dict[str, Any]) -> None:
        self.report_data = report
        self.report_view.setPlainText(json.dumps(report, indent=2, sort_keys=True))
        self._update_buttons()

    # ---- what the helper does ----------------------------------------------------------

    def current_device(self) -> DeviceRecord | None:
        row = self.list.currentRow()
        return self.device_list[row] if 0 <= row < len(self.device_list) else None

    def current_device_id(self) -> str:
        device = self.current_device()
        return device.id if device else ""

    def current_record(self) -> ActionRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.records):
            return None
        return self.records[rows[0].row()]

    def _on_device_chosen(self, _row: int) -> None:
        device = self.current_device()
        self.records = []
        self.table.setRowCount(0)
        if device is None:
            return
        self.details.setText(device_details(device))
        self._update_buttons()
        self.service.select(device.id)

    def _request(self) -> None:
        device = self.current_device()
        if device is None:
            return
        kind: ActionKind = self.kind.currentData()
        confirm = None
        if kind in NEEDS_CONFIRMATION:
            confirm = self.confirm(device.name)
            if confirm is None:
                return
        try:
            request = ActionRequest(
                action=kind,
                confirm=confirm,
                new_name=(self.new_name.text().strip() or None)
                if kind is ActionKind.RENAME
                else None,
                keep_user_data=self.keep_user_data.isChecked() and kind in KEEPS_USER_DATA,
            )
        except ValidationError as exc:
            self.message.setText(first_error(exc))
            return
        self.service.request(device.id, request)

    def _help(self) -> None:
        device = self.current_device()
        if device is not None:
            self.help_wanted.emit(device.id)

    def _on_record(self, call: Callable[[str], None]) -> None:
        record = self.current_record()
        if record is not None:
            call(record.id)

    def _update_buttons(self) -> None:
        record = self.current_record()
        self.help_button.setEnabled(self.current_device() is not None)
        self.cancel_button.setEnabled(record is not None and record.state is ActionState.PENDING)
        self.approve_button.setEnabled(
            record is not None
            and record.needs_approval
            and record.approved_by is None
            and record.state not in FINAL_STATES
        )
        self.report_button.setEnabled(record is not None and record.has_report)
        self.save_button.setEnabled(self.report_data is not None)

    def _save_report(self) -> None:
        if self.report_data is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save report", "diagnostics.json", "JSON (*.json)"
        )
        if path:
            Path(path).write_text(json.dumps(self.report_data, indent=2, sort_keys=True))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.service.stop()
        super().closeEvent(event)
