"""The helper's window: one page at a time, switched by the service's events."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget

from desktop_widgets.field_text import connection_path, server_trust_note
from helper_app.views.pages import CodePage, EndedPage, SignInPage, StatusPage
from helper_app.views.service import HelperService
from helper_app.views.session_page import SessionPage
from helper_app.views.text import end_reason_text

ERROR_TITLES = {
    "sign_in_failed": "Sign-in failed",
    "out_of_scope": "Outside your scope",
    "signaling_lost": "Connection lost",
}


class HelperWindow(QMainWindow):
    def __init__(self, service: HelperService) -> None:
        super().__init__()
        self.service = service
        self.setWindowTitle("Helpline — Helper")
        self.stack = QStackedWidget()
        self.sign_in_page = SignInPage()
        self.code_page = CodePage()
        self.status_page = StatusPage()
        self.session_page = SessionPage()
        self.ended_page = EndedPage()
        for page in (self.sign_in_page, self.code_page, self.status_page, self.session_page,
                     self.ended_page):  # fmt: skip
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)
        self.last_error = ""

        self.sign_in_page.sign_in.connect(service.sign_in)
        self.code_page.new_code.connect(service.new_code)
        self.status_page.end.connect(service.end)
        self.session_page.request_control.connect(service.request_control)
        self.session_page.end.connect(service.end)
        self.session_page.chat.send.connect(service.chat)
        self.session_page.screen.input_event.connect(service.send_input)
        self.ended_page.again.connect(service.new_session)
        service.event.connect(self.on_event)
        service.frame.connect(self.session_page.screen.show_frame)
        self._restore()

    def on_event(self, name: str, fields: dict[str, Any]) -> None:
        handler = getattr(self, f"_on_{name}", None)
        if handler is not None:
            handler(fields)

    def _on_users(self, fields: dict[str, Any]) -> None:
        self.sign_in_page.show_users(fields["users"], fields["message"])

    def _on_signed_in(self, fields: dict[str, Any]) -> None:
        note = server_trust_note(fields)
        self.statusBar().showMessage(
            f"Signed in as {fields['name']} ({fields['user']}). {note}".strip()
        )

    def _on_code(self, fields: dict[str, Any]) -> None:
        self.code_page.show_code(fields["code"], fields["expires_at"])
        self.stack.setCurrentWidget(self.code_page)

    def _on_sharer_joined(self, fields: dict[str, Any]) -> None:
        device = f" on {fields['device_name']}" if fields.get("device_name") else ""
        self.status_page.show_status(
            "Waiting for permission",
            f"{fields['sharer']}{device} is looking at your identity card and deciding "
            "whether to let you view or control their screen.",
        )
        self.stack.setCurrentWidget(self.status_page)

    def _on_consent(self, fields: dict[str, Any]) -> None:
        if fields["level"] == "declined":
            return
        what = "view and control" if fields["level"] == "control" else "view"
        self.status_page.show_status(
            "Connecting…", f"Permission granted to {what} the screen. Connecting directly…"
        )
        self.session_page.set_control(fields["level"] == "control")

    def _on_connected(self, fields: dict[str, Any]) -> None:
        self.statusBar().showMessage(connection_path(fields))
        self.stack.setCurrentWidget(self.session_page)
        self.session_page.screen.setFocus()

    def _on_stats(self, fields: dict[str, Any]) -> None:
        self.session_page.show_stats(fields["fps"], fields.get("rtt_ms"))

    def _on_control(self, fields: dict[str, Any]) -> None:
        self.session_page.set_control(bool(fields["granted"]))
        self.statusBar().showMessage(
            "You have control." if fields["granted"] else "Control was taken back: view only.", 5000
        )

    def _on_chat(self, fields: dict[str, Any]) -> None:
        self.session_page.chat.add("Them", fields["text"])
        self.session_page.show_chat()

    def _on_ended(self, fields: dict[str, Any]) -> None:
        self.ended_page.reason.setText(end_reason_text(fields["reason"]))
        self.stack.setCurrentWidget(self.ended_page)

    def _on_error(self, fields: dict[str, Any]) -> None:
        self.last_error = fields["message"]
        if self.stack.currentWidget() is self.sign_in_page:
            self.sign_in_page.reset()
            self.sign_in_page.status.setText(fields["message"])
            return
        self.statusBar().showMessage(fields["message"], 8000)
        if fields["code"] in ERROR_TITLES:
            box = QMessageBox(
                QMessageBox.Icon.Warning, ERROR_TITLES[fields["code"]], "", parent=self
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setText(fields["message"])
            box.open()

    # ---- window state --------------------------------------------------------------

    def _restore(self) -> None:
        geometry = QSettings("Helpline", "helper").value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings("Helpline", "helper").setValue("geometry", self.saveGeometry())
        self.service.end()
        super().closeEvent(event)
