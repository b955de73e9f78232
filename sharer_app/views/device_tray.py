"""The device agent inside the sharer's desktop app, behind a tray icon.

Where there is a desktop, the person sees a restart coming (with its one postponement) and
can open "This device" from the tray; the agent is the same one the background command
runs, on the app's asyncio loop.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from client.devices.agent import build_agent, log_to_device_folder
from client.devices.enrolment import DeviceIdentity
from client.devices.events import (
    ActionFinished,
    ActionNotice,
    DeviceRetired,
    HelpWantedNotice,
    RestartCountdownShown,
)
from client.devices.home import DeviceHome
from client.devices.notices import TITLE
from client.session.events import EngineEvent
from client.settings import AppSettings
from desktop_widgets.device_words import action_name
from desktop_widgets.look import icon
from desktop_widgets.words import in_english_or
from sharer_app.views.device_status import DeviceStatusWindow
from sharer_app.views.restart_dialog import RestartDialog

NOTICE_MILLISECONDS = 15000


class DeviceTray(QObject):
    event = Signal(object)  # agent events, for the --events file and the views

    def __init__(self, settings: AppSettings, home: DeviceHome, identity: DeviceIdentity) -> None:
        super().__init__()
        self.status_window = DeviceStatusWindow(home)
        self.restart_dialog: RestartDialog | None = None
        log_to_device_folder(home)
        # Without a system tray to show a balloon, the desktop's notifications tell the user.
        self.agent = build_agent(
            settings,
            home,
            identity,
            dry_run=False,
            emit=self.event.emit,
            desktop_notices=not QSystemTrayIcon.isSystemTrayAvailable(),
        )
        self.event.connect(self._on_event)
        self.icon = QSystemTrayIcon(icon("helpline-tray"))
        self.icon.setToolTip(
            self.tr("Helpline — {name} is managed").format(name=identity.enrolment.name)
        )
        menu = QMenu()
        menu.addAction(self.tr("This device…")).triggered.connect(self.show_status)
        self.icon.setContextMenu(menu)
        self._menu = menu
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon.show()
        self._task = asyncio.ensure_future(self.agent.run())

    def show_status(self) -> None:
        self.status_window.refresh()
        self.status_window.show()

    def _on_event(self, event: EngineEvent) -> None:
        if isinstance(event, RestartCountdownShown) and self.agent.runner.countdown is not None:
            self.restart_dialog = RestartDialog(self.agent.runner.countdown)
            self.restart_dialog.show()
        elif isinstance(event, ActionNotice | HelpWantedNotice):
            self.icon.showMessage(
                in_english_or(TITLE, self.tr("Helpline: your IT department")),
                self.notice_text(event),
                QSystemTrayIcon.MessageIcon.Warning,
                NOTICE_MILLISECONDS,
            )
        elif isinstance(event, ActionFinished | DeviceRetired):
            self.status_window.refresh()
            if isinstance(event, DeviceRetired):
                self.icon.hide()

    def notice_text(self, event: ActionNotice) -> str:
        """The agent's notice, in the person's language."""
        return in_english_or(
            event.message,
            self.tr(
                "Your IT department is about to run “{action}” on this computer, asked by {who}."
            ).format(action=action_name(event.action), who=event.requested_by),
        )

    def stop(self) -> None:
        self.agent.stop()
        self.icon.hide()
        self.status_window.close()
