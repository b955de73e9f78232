"""The live session: the remote screen, a toolbar, a chat panel and a small live indicator."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from client.session.events import Stats
from desktop_widgets.chat import ChatPanel
from helper_app.views.remote_screen import RemoteScreen


class SessionPage(QWidget):
    request_control = Signal()
    end = Signal()
    send_file = Signal()

    PAUSED_TEXT = "Paused by the sharer"

    def __init__(self) -> None:
        super().__init__()
        self.screen = RemoteScreen()
        # Over the picture, the moment the sharer pauses: the last frame may stay up until
        # the grey one arrives, and must not pass for the live screen meanwhile.
        self.paused_notice = QLabel(self.PAUSED_TEXT)
        self.paused_notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.paused_notice.setAccessibleName("Sharing paused")
        self.paused_notice.setStyleSheet(
            "QLabel { background: rgba(20, 20, 20, 190); color: white; font-size: 22pt;"
            " font-weight: bold; }"
        )
        self.paused_notice.hide()
        self.paused = False
        self.granted = False
        self.chat = ChatPanel()
        self.chat.hide()
        self.toolbar = QToolBar("Session")
        self.request_action = QAction("Request &control", self)
        self.request_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.chat_action = QAction("C&hat", self)
        self.chat_action.setCheckable(True)
        self.chat_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.send_file_action = QAction("Send &file…", self)
        self.send_file_action.setVisible(False)
        self.end_action = QAction("&End session", self)
        self.end_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        for action in (
            self.request_action,
            self.chat_action,
            self.send_file_action,
            self.end_action,
        ):
            self.toolbar.addAction(action)
        self.mode = QLabel("View only")
        self.live = QLabel("")
        self.live.setAccessibleName("Frame rate and round-trip time")
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy()
        )
        self.toolbar.addWidget(spacer)
        self.toolbar.addWidget(self.mode)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.live)
        self.request_action.triggered.connect(self.request_control.emit)
        self.chat_action.toggled.connect(self.chat.setVisible)
        self.end_action.triggered.connect(self.end.emit)
        self.send_file_action.triggered.connect(self.send_file.emit)
        picture = QWidget()
        stack = QGridLayout(picture)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addWidget(self.screen, 0, 0)
        stack.addWidget(self.paused_notice, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(picture)
        splitter.addWidget(self.chat)
        splitter.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        body = QHBoxLayout()
        body.addWidget(splitter)
        layout.addLayout(body, 1)

    def set_control(self, granted: bool) -> None:
        self.granted = granted
        self.screen.set_control(granted)
        self.request_action.setEnabled(not granted)
        self._show_mode()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.paused_notice.setVisible(paused)
        self._show_mode()

    def _show_mode(self) -> None:
        if self.paused:
            self.mode.setText("Paused by the sharer")
            self.mode.setStyleSheet("font-weight: bold;")
        else:
            self.mode.setText("● Controlling" if self.granted else "View only")
            self.mode.setStyleSheet("color: #b3261e; font-weight: bold;" if self.granted else "")

    def show_stats(self, stats: Stats) -> None:
        rtt = "-" if stats.rtt_ms is None else f"{stats.rtt_ms:.0f} ms"
        # While paused no frames come on purpose: "0 fps" would read as a fault.
        rate = "paused" if self.paused else f"{stats.fps:.0f} fps"
        picture = f"{stats.width}x{stats.height} {stats.quality}"
        if stats.scale < 1:
            picture += f" ({stats.scale:.0%})"
        path = " · relayed" if stats.relayed else ""
        self.live.setText(f"{picture} · {rate} · RTT {rtt}{path}")

    def show_chat(self) -> None:
        if self.chat_action.isVisible():
            self.chat_action.setChecked(True)

    def allow_chat(self, allowed: bool) -> None:
        """Chat is offered only when the helper's role allows it in this session."""
        self.chat_action.setVisible(allowed)
        if not allowed:
            self.chat_action.setChecked(False)

    def allow_files(self, allowed: bool) -> None:
        """Send file… only while the sharer allows files (the sharer's app enforces it)."""
        self.send_file_action.setVisible(allowed)
