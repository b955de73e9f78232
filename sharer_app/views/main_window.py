"""The sharer's window: code entry, the helper's card, status, chat; plus the banner."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_widgets.chat import ChatPanel
from desktop_widgets.field_text import connection_path, server_trust_note
from desktop_widgets.widgets import plain_label
from sharer_app.views.banner import SharingBanner
from sharer_app.views.pages import ConsentPage, EndedPage, EntryPage, StatusPage
from sharer_app.views.service import SharerService
from sharer_app.views.text import end_reason_text


class SharingPage(QWidget):
    """While sharing: a plain sentence and the chat with the helper."""

    def __init__(self) -> None:
        super().__init__()
        self.status = plain_label("")
        self.chat = ChatPanel("Message your helper and press Enter")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.status)
        layout.addWidget(self.chat, 1)


class SharerWindow(QMainWindow):
    def __init__(self, service: SharerService) -> None:
        super().__init__()
        self.service = service
        self.setWindowTitle("Helpline — Get help")
        self.stack = QStackedWidget()
        self.entry_page = EntryPage()
        self.consent_page = ConsentPage()
        self.status_page = StatusPage()
        self.sharing_page = SharingPage()
        self.ended_page = EndedPage()
        for page in (self.entry_page, self.consent_page, self.status_page, self.sharing_page,
                     self.ended_page):  # fmt: skip
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)
        self.banner = SharingBanner()
        self.card: dict[str, Any] = {}

        self.entry_page.connect_requested.connect(service.connect)
        self.consent_page.choice.connect(self._consent)
        self.status_page.stop.connect(service.stop)
        self.sharing_page.chat.send.connect(service.chat)
        self.ended_page.again.connect(self._again)
        self.banner.toggle_control.connect(self._toggle_control)
        self.banner.toggle_pause.connect(lambda: service.set_paused(not self.banner.paused))
        self.banner.open_chat.connect(self._show_chat)
        self.banner.stop.connect(service.stop)
        self.banner.answer_request.connect(self._answer_request)
        service.event.connect(self.on_event)
        self._restore()

    def on_event(self, name: str, fields: dict[str, Any]) -> None:
        handler = getattr(self, f"_on_{name}", None)
        if handler is not None:
            handler(fields)

    # ---- user actions --------------------------------------------------------------

    def _consent(self, level: str) -> None:
        self.service.consent(level)
        if level != "decline":
            self.status_page.show_status(
                "Connecting…", f"Connecting {self.card.get('name', 'your helper')} to your screen."
            )
            self.stack.setCurrentWidget(self.status_page)

    def _toggle_control(self) -> None:
        if self.banner.granted:
            self.service.revoke_control()
        else:
            self.service.grant_control()

    def _answer_request(self, allow: bool) -> None:
        if allow:
            self.service.grant_control()
        else:
            self.service.deny_control()

    def _show_chat(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.sharing_page.chat.entry.setFocus()

    def _again(self) -> None:
        self.service.new_session()
        self.entry_page.button.setEnabled(True)
        self.entry_page.code.clear()
        self.stack.setCurrentWidget(self.entry_page)

    # ---- engine events -------------------------------------------------------------

    def _on_users(self, fields: dict[str, Any]) -> None:
        self.entry_page.show_users(fields["users"], fields["message"])
        if self.service.settings.user:
            self.entry_page.select_user(self.service.settings.user)

    def _on_signed_in(self, fields: dict[str, Any]) -> None:
        note = server_trust_note(fields)
        self.statusBar().showMessage(
            f"Signed in as {fields['name']} ({fields['user']}). {note}".strip()
        )

    def _on_helper_identity(self, fields: dict[str, Any]) -> None:
        self.card = fields
        self.consent_page.show_card(fields)
        self.stack.setCurrentWidget(self.consent_page)
        self.showNormal()
        self.raise_()

    def _on_connected(self, fields: dict[str, Any]) -> None:
        self.sharing_page.status.setText(
            f"You are sharing your screen with {self.card.get('name', 'your helper')}. "
            "Use the red banner at the top of the screen to stop at any time. "
            + connection_path(fields)
        )
        self.stack.setCurrentWidget(self.sharing_page)
        self.banner.start(self.card.get("name", ""), self.card.get("company", ""))

    def _on_control(self, fields: dict[str, Any]) -> None:
        self.banner.update_state(
            granted=bool(fields["granted"]),
            paused=self.banner.paused,
            control_offered="control" in self.card.get("offered_levels", []),
        )

    def _on_paused(self, fields: dict[str, Any]) -> None:
        self.banner.update_state(granted=self.banner.granted, paused=bool(fields["paused"]))

    def _on_control_requested(self, _: dict[str, Any]) -> None:
        self.banner.ask()

    def _on_chat(self, fields: dict[str, Any]) -> None:
        self.sharing_page.chat.add(self.card.get("name", "Helper"), fields["text"])

    def _on_ended(self, fields: dict[str, Any]) -> None:
        self.banner.hide()
        self.ended_page.reason.setText(end_reason_text(fields["reason"]))
        self.stack.setCurrentWidget(self.ended_page)
        self.showNormal()

    def _on_error(self, fields: dict[str, Any]) -> None:
        if self.stack.currentWidget() is self.entry_page:
            self.entry_page.show_error(fields["message"])
        else:
            self.statusBar().showMessage(fields["message"], 8000)

    # ---- window state --------------------------------------------------------------

    def _restore(self) -> None:
        geometry = QSettings("Helpline", "sharer").value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(640, 560)

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings("Helpline", "sharer").setValue("geometry", self.saveGeometry())
        self.banner.close()
        self.service.stop()
        super().closeEvent(event)
