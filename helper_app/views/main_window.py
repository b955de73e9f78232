"""The helper's window: one page at a time, switched by the service's events."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QCoreApplication, QSettings, Qt
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget

from client.devices.console import DeviceConsole
from client.session.errors import ClientErrorCode
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
from common.protocol import ErrorCode
from desktop_widgets.event_table import EventTable
from desktop_widgets.field_text import connection_path, server_trust_note
from desktop_widgets.file_transfers import FILE_EVENTS, FileTransfersWindow, choose_file_to_send
from desktop_widgets.words import (
    ending_soon_text,
    engine_text,
    error_text,
    feature_names,
    permissions_dropped_text,
    sentence,
)
from helper_app.views.device_text import describe_device
from helper_app.views.devices_service import DevicesService
from helper_app.views.devices_window import DevicesWindow
from helper_app.views.pages import CodePage, EndedPage, SignInPage, StatusPage
from helper_app.views.service import HelperService
from helper_app.views.session_page import SessionPage
from helper_app.views.text import end_reason_text

ERROR_TITLES: dict[str, str] = {
    ClientErrorCode.SIGN_IN_FAILED: QT_TRANSLATE_NOOP("HelperWindow", "Sign-in failed"),
    ErrorCode.FORBIDDEN: QT_TRANSLATE_NOOP("HelperWindow", "Not allowed to help"),
    ErrorCode.OUT_OF_SCOPE: QT_TRANSLATE_NOOP("HelperWindow", "Outside your scope"),
    ClientErrorCode.SIGNALING_LOST: QT_TRANSLATE_NOOP("HelperWindow", "Connection lost"),
}


class HelperWindow(QMainWindow):
    def __init__(self, service: HelperService) -> None:
        super().__init__()
        self.service = service
        self.setWindowTitle(self.tr("Helpline — Helper"))
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
        self.devices_window: DevicesWindow | None = None
        self.menuBar().addAction(self.tr("Devices…")).triggered.connect(self.open_devices)
        self.sharer = ""
        self.files = FileTransfersWindow("The sharer")
        self.on_event = EventTable(
            {
                SignedIn: self._on_signed_in,
                CodeIssued: self._on_code,
                HelpRequestSent: self._on_help_requested,
                HelpAskedShown: self._on_help_asked,
                SharerJoined: self._on_sharer_joined,
                ConsentGiven: self._on_consent,
                Connected: self._on_connected,
                Stats: self._on_stats,
                ControlChanged: self._on_control,
                PauseChanged: self._on_paused,
                LinkSlowChanged: self._on_link_slow,
                ChatReceived: self._on_chat,
                Ended: self._on_ended,
                ErrorReported: self._on_error,
                ServerLost: self._on_server_link,
                ServerBack: self._on_server_link,
                PermissionsChanged: self._on_permissions,
                ClipboardReceived: self._on_clipboard,
                AllowedChanged: self._on_allowed,
                EndingSoon: self._on_ending_soon,
                AdminPromptShown: self._on_admin_prompt,
                MonitorsShown: self._on_monitors,
                **dict.fromkeys(FILE_EVENTS, self.files.on_event),
            },
            # The sharer's own events, and the headless app's snapshot answer.
            ignored={
                HelperIdentityShown,
                AwaitingHelp,
                HelpOfferedShown,
                SnapshotTakenShown,
                ControlRequestLapsed,
                ControlRequested,
                InputBlocked,
                FeatureRefused,
                SnapshotSaved,
            },
        )

        self.sign_in_page.sign_in.connect(service.sign_in)
        self.code_page.new_code.connect(service.new_code)
        self.status_page.end.connect(service.end)
        self.session_page.request_control.connect(service.request_control)
        self.session_page.end.connect(service.end)
        self.session_page.chat.send.connect(service.chat)
        self.session_page.send_file.connect(self._send_file)
        self.files.accept_file.connect(service.accept_file)
        self.files.decline_file.connect(service.decline_file)
        self.files.cancel_file.connect(service.cancel_file)
        self.session_page.screen.input_event.connect(service.send_input)
        self.ended_page.again.connect(service.new_session)
        service.event.connect(self.on_event)
        service.users.connect(self.sign_in_page.show_users)
        service.frame.connect(self.session_page.screen.show_frame)
        self._restore()

    def open_devices(self) -> None:
        """Managed devices in their own window, signed in as this helper."""
        if self.devices_window is None:
            console = DeviceConsole(self.service.settings)
            self.devices_window = DevicesWindow(DevicesService(console))
            self.devices_window.help_wanted.connect(self.service.help_device)
        self.devices_window.show()
        self.devices_window.service.search(self.devices_window.search.text())

    def _send_file(self) -> None:
        path = choose_file_to_send(self)
        if path:
            self.service.send_file(path)

    def _on_clipboard(self, event: ClipboardReceived) -> None:
        QGuiApplication.clipboard().setText(event.text)
        self.statusBar().showMessage(
            self.tr("The sharer's clipboard text is on your clipboard."), 8000
        )

    def _on_allowed(self, event: AllowedChanged) -> None:
        self.session_page.allow_files("files" in event.allow)
        allowed = ", ".join(feature_names(event.allow)) or self.tr("nothing beyond the level")
        self.statusBar().showMessage(
            self.tr("The sharer now allows: {what}.").format(what=allowed), 15000
        )

    def _on_admin_prompt(self, event: AdminPromptShown) -> None:
        self.statusBar().showMessage(engine_text(event.message), 0 if event.showing else 8000)

    def _on_monitors(self, event: MonitorsShown) -> None:
        """The picture keeps the size of the sharer's screen (switching monitors is headless)."""
        shown = next((m for m in event.monitors if m.get("index") == event.current), None)
        if shown is not None:
            self.session_page.screen.set_screen_size(shown["width"], shown["height"])

    def _on_ending_soon(self, event: EndingSoon) -> None:
        self.statusBar().showMessage(ending_soon_text(event.seconds, event.message))

    def _on_signed_in(self, event: SignedIn) -> None:
        note = server_trust_note(event.server_trust)
        signed_in = self.tr("Signed in as {name} ({user}).").format(
            name=event.name, user=event.user
        )
        self.statusBar().showMessage(f"{signed_in} {note}".strip())

    def _on_code(self, event: CodeIssued) -> None:
        self.code_page.show_code(event.code, event.expires_at)
        self.stack.setCurrentWidget(self.code_page)

    def _on_help_requested(self, event: HelpRequestSent) -> None:
        until = event.expires_at[11:16]
        self.status_page.show_status(
            self.tr("Asking {device}…").format(device=event.device_name),
            self.tr(
                "{device} was asked for a session. The person there sees your identity card "
                "and chooses, as with a code. If nobody answers by {until} UTC the request "
                "expires."
            ).format(device=event.device_name, until=until),
        )
        self.stack.setCurrentWidget(self.status_page)

    def _on_help_asked(self, event: HelpAskedShown) -> None:
        """Asked in the console: this window comes forward, as the session will be here."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _on_sharer_joined(self, event: SharerJoined) -> None:
        self.sharer = event.sharer
        self.files.peer = event.sharer
        self.session_page.allow_chat("chat" in event.permissions)
        who = (
            self.tr("{sharer} on {device}").format(sharer=event.sharer, device=event.device_name)
            if event.device_name
            else event.sharer
        )
        self.status_page.show_status(
            self.tr("Waiting for permission"),
            self.tr(
                "{who} is looking at your identity card and deciding "
                "whether to let you view or control their screen."
            ).format(who=who)
            + "\n"
            + describe_device(event.device, event.device_name),
            warn=event.device is None or not event.device.enrolled,
        )
        self.stack.setCurrentWidget(self.status_page)

    def _on_consent(self, event: ConsentGiven) -> None:
        if event.level == "declined":
            return
        self.status_page.show_status(
            self.tr("Connecting…"),
            self.tr("Permission granted to view and control the screen. Connecting…")
            if event.level == "control"
            else self.tr("Permission granted to view the screen. Connecting…"),
        )
        self.session_page.set_control(event.level == "control")
        self.session_page.allow_files("files" in event.allow)

    def _on_connected(self, event: Connected) -> None:
        self.session_page.set_paused(False)
        self.statusBar().showMessage(connection_path(event.relayed))
        self.stack.setCurrentWidget(self.session_page)
        self.session_page.screen.setFocus()

    def _on_stats(self, event: Stats) -> None:
        self.session_page.show_stats(event)

    def _on_control(self, event: ControlChanged) -> None:
        self.session_page.set_control(event.granted)
        self.statusBar().showMessage(
            self.tr("You have control.")
            if event.granted
            else self.tr("Control was taken back: view only."),
            5000,
        )

    def _on_paused(self, event: PauseChanged) -> None:
        self.session_page.set_paused(event.paused)

    def _on_link_slow(self, event: LinkSlowChanged) -> None:
        self.statusBar().showMessage(sentence(event.message))

    def _on_chat(self, event: ChatReceived) -> None:
        self.session_page.chat.add(self.sharer or self.tr("Sharer"), event.text)
        self.session_page.show_chat()

    def _on_permissions(self, event: PermissionsChanged) -> None:
        self.session_page.allow_chat("chat" in event.permissions)
        self.statusBar().showMessage(permissions_dropped_text(event.dropped, event.message), 15000)

    def _on_ended(self, event: Ended) -> None:
        self.statusBar().clearMessage()  # what was true during the session is not any more
        self.ended_page.reason.setText(end_reason_text(event.reason))
        self.stack.setCurrentWidget(self.ended_page)

    def _on_server_link(self, event: ServerLost | ServerBack) -> None:
        """Lost stays up until the server is back; back is said for a while."""
        self.statusBar().showMessage(
            engine_text(event.message), 8000 if isinstance(event, ServerBack) else 0
        )

    def _on_error(self, event: ErrorReported) -> None:
        message = error_text(event.code, event.message)
        if self.stack.currentWidget() is self.sign_in_page:
            self.sign_in_page.reset()
            self.sign_in_page.status.setText(message)
            return
        self.statusBar().showMessage(message, 8000)
        if event.code in ERROR_TITLES:
            title = QCoreApplication.translate("HelperWindow", ERROR_TITLES[event.code])
            box = QMessageBox(QMessageBox.Icon.Warning, title, "", parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setText(message)
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
        self.files.close()
        if self.devices_window is not None:
            self.devices_window.close()
        super().closeEvent(event)
