"""The helper's devices window: find a device, see it, act on it, follow the action.

Retire and wipe ask the helper to type the device's name (the server checks it too); a wipe
then waits for a second person, who approves it here. Dangerous actions are set apart: below a
line in the list, with a red button and a warning. Diagnostics reports open as readable
sections and can be saved as a JSON file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QCoreApplication, Qt, Signal
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
    QTableWidget,
    QTableWidgetItem,
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
from desktop_widgets.device_words import action_name, state_name
from desktop_widgets.look import StatusMark, icon, set_role
from desktop_widgets.theme import Space
from desktop_widgets.widgets import Button, fill_table, named, role_label
from helper_app.views.devices_service import DevicesService
from helper_app.views.diagnostics_report import ReportView

# What cannot be undone: set apart in the list, a red button, a warning, the name typed.
DANGEROUS = frozenset(
    {ActionKind.RETIRE, ActionKind.WIPE, ActionKind.FRESH_START, ActionKind.DELETE}
)
STATE_ICONS = {
    ActionState.SUCCEEDED: "verified",
    ActionState.FAILED: "warning",
    ActionState.CANCELLED: "pause",
}
# Asks the helper to type the device's name; returns what was typed, or None.
ConfirmPrompt = Callable[[str], str | None]


def _ask_name(device_name: str) -> str | None:
    text, ok = QInputDialog.getText(
        None,
        QCoreApplication.translate("DevicesWindow", "Confirm"),
        QCoreApplication.translate(
            "DevicesWindow",
            "This cannot be undone. Type the device's name exactly, {name}, to confirm:",
        ).format(name=device_name),
    )
    return text if ok else None


def device_details(device: DeviceRecord) -> str:
    online = (
        QCoreApplication.translate("DevicesWindow", "online")
        if device.online
        else QCoreApplication.translate("DevicesWindow", "offline")
    )
    seen = (
        device.last_check_in.strftime("%Y-%m-%d %H:%M UTC")
        if device.last_check_in
        else QCoreApplication.translate("DevicesWindow", "never")
    )
    return "\n".join(
        [
            f"{device.name}  ({online})",
            QCoreApplication.translate("DevicesWindow", "OS: {os}").format(
                os=f"{device.os} {device.os_version}".strip()
            ),
            QCoreApplication.translate("DevicesWindow", "Owner: {owner}   Groups: {groups}").format(
                owner=device.owner, groups=", ".join(device.groups) or "—"
            ),
            QCoreApplication.translate(
                "DevicesWindow", "Enrolled: {enrolled}   Last check-in: {seen}"
            ).format(enrolled=f"{device.enrolled_at:%Y-%m-%d %H:%M UTC}", seen=seen),
            QCoreApplication.translate("DevicesWindow", "Helpline {version}   Id: {id}").format(
                version=device.helpline_version or "?", id=device.id
            ),
        ]
    )


def action_state_text(record: ActionRecord) -> str:
    if record.state is ActionState.PENDING and record.needs_approval and not record.approved_by:
        return QCoreApplication.translate("DevicesWindow", "pending (needs a second approver)")
    return state_name(record.state.value)


class DevicesWindow(QWidget):
    # "Help on this device": the device's id, for the helper's session (``help_device``).
    help_wanted = Signal(str)

    def __init__(self, service: DevicesService, confirm: ConfirmPrompt = _ask_name) -> None:
        super().__init__()
        self.service = service
        self.confirm = confirm
        self.setWindowTitle(self.tr("Helpline — Devices"))
        self.device_list: list[DeviceRecord] = []
        self.records: list[ActionRecord] = []
        self.report_data: dict[str, Any] | None = None

        self.search = named(QLineEdit(), self.tr("Search devices"))
        self.search.setPlaceholderText(self.tr("Search by name, owner, OS or group"))
        self.list = named(QListWidget(), self.tr("Devices"))
        self.details = role_label(self.tr("Choose a device."), "lead")
        self.kind = named(QComboBox(), self.tr("Action"))
        safe = [kind for kind in ActionKind if kind not in DANGEROUS]
        for kind in safe:
            self.kind.addItem(action_name(kind.value), kind)
        self.kind.insertSeparator(len(safe))
        for kind in ActionKind:
            if kind in DANGEROUS:
                self.kind.addItem(icon("warning"), action_name(kind.value), kind)
        self.new_name = named(QLineEdit(), self.tr("New name (rename)"))
        self.new_name.setPlaceholderText(self.tr("new name (rename)"))
        self.keep_user_data = named(QCheckBox(self.tr("Keep user data")), self.tr("Keep user data"))
        self.request_button = Button(self.tr("Request"), role="primary")
        self.help_button = Button(self.tr("Help on this device"), role="primary")
        self.help_button.setToolTip(
            self.tr(
                "Ask this device for a session instead of reading out a code: the person "
                "there sees your card and chooses, as with a code"
            )
        )
        self.danger = StatusMark(
            "unverified",
            self.tr("This action cannot be undone: you will type the device's name to confirm."),
        )
        self.danger.hide()
        columns_ = (
            self.tr("Action"),
            self.tr("State"),
            self.tr("Requested by"),
            self.tr("Progress or result"),
        )
        self.table = named(QTableWidget(0, len(columns_)), self.tr("Actions on this device"))
        self.table.setHorizontalHeaderLabels(columns_)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.cancel_button = Button(self.tr("Cancel action"))
        self.approve_button = Button(self.tr("Approve"))
        self.report_button = Button(self.tr("Show report"))
        self.save_button = Button(self.tr("Save report…"))
        self.report_view = ReportView()
        self.message = role_label("", "error")

        request_row = QHBoxLayout()
        for widget in (self.kind, self.new_name, self.keep_user_data, self.request_button):
            request_row.addWidget(widget)
        record_row = QHBoxLayout()
        for button in (self.cancel_button, self.approve_button, self.report_button,
                       self.save_button):  # fmt: skip
            record_row.addWidget(button)
        record_row.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(Space.S)
        for part in (
            self.details,
            self.help_button,
            role_label(self.tr("Run an action"), "section"),
            request_row,
            self.danger,
            role_label(self.tr("Actions"), "section"),
            self.table,
            record_row,
            role_label(self.tr("Diagnostics report"), "section"),
            self.report_view,
        ):
            if isinstance(part, QWidget):
                right.addWidget(part)
            else:
                right.addLayout(part)
        self.table.setMaximumHeight(200)
        right.setStretchFactor(self.report_view, 1)
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.list)
        columns = QHBoxLayout()
        columns.setSpacing(Space.L)
        columns.addLayout(left, 1)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(Space.L, Space.L, Space.L, Space.L)
        layout.addLayout(columns)
        layout.addWidget(self.message)
        self.kind.currentIndexChanged.connect(self._on_kind)
        self._on_kind(self.kind.currentIndex())

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
        self.resize(1100, 760)

    def _on_kind(self, _index: int) -> None:
        """A dangerous action looks dangerous before it is asked for."""
        dangerous = self.kind.currentData() in DANGEROUS
        self.danger.setVisible(dangerous)
        set_role(self.request_button, "danger" if dangerous else "primary")
        self.new_name.setEnabled(self.kind.currentData() is ActionKind.RENAME)
        self.keep_user_data.setEnabled(self.kind.currentData() in KEEPS_USER_DATA)

    # ---- what the service says ---------------------------------------------------------

    def show_devices(self, devices: list[DeviceRecord]) -> None:
        self.device_list = devices
        self.list.clear()
        for device in devices:
            item = QListWidgetItem(f"{device.name} — {device.owner}")
            item.setData(Qt.ItemDataRole.UserRole, device.id)
            self.list.addItem(item)
        if not devices:
            self.details.setText(self.tr("No device you may see matches."))

    def show_actions(self, device_id: str, records: list[ActionRecord]) -> None:
        if device_id != self.current_device_id():
            return
        chosen = self.current_record()
        self.records = records
        fill_table(
            self.table,
            [
                (
                    action_name(record.action.value),
                    action_state_text(record),
                    record.requested_by,
                    record.progress if record.state is ActionState.RUNNING else record.result,
                )
                for record in records
            ],
        )
        for row, record in enumerate(records):
            state_icon = STATE_ICONS.get(record.state, "info")
            item = self.table.item(row, 1)
            if isinstance(item, QTableWidgetItem):
                item.setIcon(icon(state_icon))
            if chosen is not None and record.id == chosen.id:
                self.table.selectRow(row)
        self.table.resizeColumnToContents(1)  # the state, with its icon
        self._update_buttons()

    def show_report(self, action_id: str, report: dict[str, Any]) -> None:
        self.report_data = report
        self.report_view.show_report(report)
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
            self, self.tr("Save report"), "diagnostics.json", "JSON (*.json)"
        )
        if path:
            Path(path).write_text(json.dumps(self.report_data, indent=2, sort_keys=True))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.service.stop()
        super().closeEvent(event)
