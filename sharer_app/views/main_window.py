"""The sharer's window: code entry, the helper's card, status, chat; plus the banner."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client.devices.home import DeviceHome
from client.session.events import (
    AdminPromptShown,
    AllowedChanged,
    AwaitingHelp,
    ChatReceived,
    ClipboardReceived,
    CodeIssued,
    Connected,
    ConsentGiven,
    ControlChanged,
    ControlRequested,
    ControlRequestLapsed,
    Ended,
    EndingSoon,
    ErrorReported,
    FeatureRefused,
    HelpAskedShown,
    HelperIdentityShown,
    HelpOfferedShown,
    HelpRequestSent,
    InputBlocked,
    LinkSlowChanged,
    MonitorsShown,
    PauseChanged,
    PermissionsChanged,
    ServerBack,
    ServerLost,
    SharerJoined,
    SignedIn,
    SnapshotSaved,
    SnapshotTakenShown,
    Stats,
)
from desktop_widgets.chat import ChatPanel
from desktop_widgets.event_table import EventTable
from desktop_widgets.field_text import connection_path, server_trust_note
from desktop_widgets.file_transfers import FILE_EVENTS, FileTransfersWindow, choose_file_to_send
from desktop_widgets.look import StatusMark
from desktop_widgets.theme import Space
from desktop_widgets.words import (
    ending_soon_text,
    engine_text,
    error_text,
    feature_names,
    permissions_dropped_text,
    sentence,
)
from sharer_app.views.banner import SharingBanner
from sharer_app.views.device_status import DeviceStatusWindow
from sharer_app.views.pages import ConsentPage, EndedPage, EntryPage, StatusPage
from sharer_app.views.service import SharerService
from sharer_app.views.text import end_reason_text


class SharingPage(QWidget):
    """While sharing: a plain sentence and the chat with the helper."""

    def __init__(self) -> None:
        super().__init__()
        self.mark = StatusMark("info")
        self.status = self.mark.words
        self.chat = ChatPanel(self.tr("Message your helper and press Enter"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(Space.XL, Space.L, Space.XL, Space.L)
        layout.setSpacing(Space.M)
        layout.addWidget(self.mark)
        layout.addWidget(self.chat, 1)


class SharerWindow(QMainWindow):
    def __init__(self, service: SharerService) -> None:
        super().__init__()
        self.service = service
        self.setWindowTitle(self.tr("Helpline — Get help"))
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
        self.device_window: DeviceStatusWindow | None = None
        self.menuBar().addAction(self.tr("This device…")).triggered.connect(self.open_device_status)
        self.banner = SharingBanner()
        self.files = FileTransfersWindow("Your helper")
        self.card: HelperIdentityShown | None = None
        # Started with --await-help: after a session it waits for the next request again.
        self.awaits_help = False
        self.on_event = EventTable(
            {
                SignedIn: self._on_signed_in,
                HelperIdentityShown: self._on_helper_identity,
                Connected: self._on_connected,
                ControlChanged: self._on_control,
                PauseChanged: self._on_paused,
                LinkSlowChanged: self._on_link_slow,
                ControlRequested: self._on_control_requested,
                ChatReceived: self._on_chat,
                Ended: self._on_ended,
                ErrorReported: self._on_error,
                ServerLost: self._on_server_link,
                ServerBack: self._on_server_link,
                PermissionsChanged: self._on_permissions,
                ClipboardReceived: self._on_clipboard,
                AllowedChanged: self._on_allowed,
                EndingSoon: self._on_ending_soon,
                SnapshotTakenShown: self._on_snapshot,
                ControlRequestLapsed: self._on_request_lapsed,
                **dict.fromkeys(FILE_EVENTS, self.files.on_event),
                AwaitingHelp: self._on_awaiting_help,
                HelpOfferedShown: self._on_help_offered,
            },
            # Blocked input and refused features are for scripts and the audit; the banner
            # already says who may do what. The rest are the helper's own events.
            ignored={
                InputBlocked, FeatureRefused, CodeIssued, SharerJoined, ConsentGiven, Stats,
                SnapshotSaved, AdminPromptShown, MonitorsShown, HelpRequestSent, HelpAskedShown,
            },
        )  # fmt: skip

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
        self.banner.revoke_choices.connect(lambda: service.set_allowed([]))
        self.banner.send_file.connect(self._send_file)
        self.files.accept_file.connect(service.accept_file)
        self.files.decline_file.connect(service.decline_file)
        self.files.cancel_file.connect(service.cancel_file)
        service.event.connect(self.on_event)
        service.users.connect(self._on_users)
        self._restore()

    @property
    def helper_name(self) -> str:
        return self.card.name if self.card else self.tr("your helper")

    # ---- user actions --------------------------------------------------------------

    def _consent(self, level: str) -> None:
        self.service.consent(level, self.consent_page.allowed())
        if level != "decline":
            self.status_page.show_status(
                self.tr("Connecting…"),
                self.tr("Connecting {name} to your screen.").format(name=self.helper_name),
            )
            self.stack.setCurrentWidget(self.status_page)

    def _send_file(self) -> None:
        path = choose_file_to_send(self)
        if path:
            self.service.send_file(path)

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
        if self.awaits_help:
            self.service.await_help(None)

    # ---- engine events -------------------------------------------------------------

    def _on_users(self, users: list[dict[str, Any]], message: str) -> None:
        self.entry_page.show_users(users, message)
        if self.service.settings.user:
            self.entry_page.select_user(self.service.settings.user)

    def _on_signed_in(self, event: SignedIn) -> None:
        note = server_trust_note(event.server_trust)
        signed_in = self.tr("Signed in as {name} ({user}).").format(
            name=event.name, user=event.user
        )
        self.statusBar().showMessage(f"{signed_in} {note}".strip())

    def _on_helper_identity(self, event: HelperIdentityShown) -> None:
        self.card = event
        self.files.peer = event.name
        self._allow_chat("chat" in event.permissions)
        self.consent_page.show_card(event)
        self.stack.setCurrentWidget(self.consent_page)
        self.showNormal()
        self.raise_()

    def _on_connected(self, event: Connected) -> None:
        self.sharing_page.status.setText(
            self.tr(
                "You are sharing your screen with {name}. "
                "Use the red banner at the top of the screen to stop at any time."
            ).format(name=self.helper_name)
            + " "
            + connection_path(event.relayed)
        )
        self.sharing_page.mark.set_kind("controlling" if self.banner.granted else "viewing")
        self.stack.setCurrentWidget(self.sharing_page)
        self.banner.start(
            self.card.name if self.card else "", self.card.company if self.card else ""
        )

    def _on_control(self, event: ControlChanged) -> None:
        self.sharing_page.mark.set_kind("controlling" if event.granted else "viewing")
        self.banner.update_state(
            granted=event.granted,
            paused=self.banner.paused,
            control_offered=bool(self.card and "control" in self.card.offered_levels),
        )

    def _on_paused(self, event: PauseChanged) -> None:
        self.banner.update_state(granted=self.banner.granted, paused=event.paused)

    def _on_link_slow(self, event: LinkSlowChanged) -> None:
        self.statusBar().showMessage(sentence(event.message))

    def _on_control_requested(self, _: ControlRequested) -> None:
        self.banner.ask()

    def _on_chat(self, event: ChatReceived) -> None:
        self.sharing_page.chat.add(self.card.name if self.card else self.tr("Helper"), event.text)

    def _allow_chat(self, allowed: bool) -> None:
        """No chat box where the helper may not chat: nothing to type into in vain."""
        self.sharing_page.chat.setVisible(allowed)
        self.banner.chat.setVisible(allowed)

    def _on_permissions(self, event: PermissionsChanged) -> None:
        self._allow_chat("chat" in event.permissions)
        self.statusBar().showMessage(permissions_dropped_text(event.dropped, event.message), 15000)

    def _on_clipboard(self, event: ClipboardReceived) -> None:
        QGuiApplication.clipboard().setText(event.text)
        self.statusBar().showMessage(
            self.tr("{name} put text on your clipboard.").format(name=self.helper_name), 8000
        )

    def _on_allowed(self, event: AllowedChanged) -> None:
        self.banner.show_choices(event.allow, feature_names(event.allow))

    def _on_ending_soon(self, event: EndingSoon) -> None:
        text = ending_soon_text(event.seconds, event.message)
        self.banner.tell(text)
        self.statusBar().showMessage(text)

    def _on_request_lapsed(self, _: ControlRequestLapsed) -> None:
        self.banner.withdraw_request()
        self.statusBar().showMessage(
            self.tr("The request for control was not answered in time."), 8000
        )

    def _on_snapshot(self, event: SnapshotTakenShown) -> None:
        text = self.tr("{name} saved a picture of your screen.").format(name=event.by)
        self.banner.tell(text)
        self.statusBar().showMessage(text)

    def _on_awaiting_help(self, event: AwaitingHelp) -> None:
        self.statusBar().showMessage(
            self.tr(
                "This device, {device}, can be asked for help: your organisation's helpers in "
                "scope may ask, and you choose when they do. A code works too."
            ).format(device=event.device_name)
        )

    def _on_help_offered(self, event: HelpOfferedShown) -> None:
        self.statusBar().showMessage(
            self.tr("{name} asks to help you on this device.").format(name=event.helper_name)
        )

    def _on_ended(self, event: Ended) -> None:
        self.statusBar().clearMessage()  # what was true during the session is not any more
        self.banner.hide()
        self.ended_page.reason.setText(end_reason_text(event.reason))
        self.stack.setCurrentWidget(self.ended_page)
        self.showNormal()

    def _on_server_link(self, event: ServerLost | ServerBack) -> None:
        """Lost stays up until the server is back; back is said for a while."""
        self.statusBar().showMessage(
            engine_text(event.message), 8000 if isinstance(event, ServerBack) else 0
        )

    def _on_error(self, event: ErrorReported) -> None:
        message = error_text(event.code, event.message)
        if self.stack.currentWidget() is self.entry_page:
            self.entry_page.show_error(message)
        else:
            self.statusBar().showMessage(message, 8000)

    # ---- window state --------------------------------------------------------------

    def _restore(self) -> None:
        geometry = QSettings("Helpline", "sharer").value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(640, 560)

    def open_device_status(self) -> None:
        """Enrolled or not, and what the organisation ran on this device, and when."""
        if self.device_window is None:
            self.device_window = DeviceStatusWindow(DeviceHome.at(None))
        self.device_window.refresh()
        self.device_window.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings("Helpline", "sharer").setValue("geometry", self.saveGeometry())
        self.banner.close()
        self.files.close()
        if self.device_window is not None:
            self.device_window.close()
        self.service.stop()
        super().closeEvent(event)
