"""The live session: the remote screen, a toolbar, a chat panel and a small live indicator."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_widgets.chat import ChatPanel
from helper_app.views.remote_screen import RemoteScreen


class SessionPage(QWidget):
    request_control = Signal()
    end = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.screen = RemoteScreen()
        self.chat = ChatPanel()
        self.chat.hide()
        self.toolbar = QToolBar("Session")
        self.request_action = QAction("Request &control", self)
        self.request_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.chat_action = QAction("C&hat", self)
        self.chat_action.setCheckable(True)
        self.chat_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.end_action = QAction("&End session", self)
        self.end_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        for action in (self.request_action, self.chat_action, self.end_action):
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
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.screen)
        splitter.addWidget(self.chat)
        splitter.setStretchFactor(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        body = QHBoxLayout()
        body.addWidget(splitter)
        layout.addLayout(body, 1)

    def set_control(self, granted: bool) -> None:
        self.screen.set_control(granted)
        self.request_action.setEnabled(not granted)
        self.mode.setText("● Controlling" if granted else "View only")
        self.mode.setStyleSheet("color: #b3261e; font-weight: bold;" if granted else "")

    def show_stats(self, fps: float, rtt_ms: float | None) -> None:
        rtt = "-" if rtt_ms is None else f"{rtt_ms:.0f} ms"
        self.live.setText(f"{fps:.0f} fps · RTT {rtt}")

    def show_chat(self) -> None:
        self.chat_action.setChecked(True)
