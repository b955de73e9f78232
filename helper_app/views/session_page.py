"""The live session: the remote screen filling the window, a toolbar, chat as a side panel
that can be hidden, and a status bar with the picture's size, quality, frame rate, round
trip, the network path and who controls what (an icon and words, not colour alone)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from client.session.events import Stats
from desktop_widgets.chat import ChatPanel
from desktop_widgets.look import StatusMark
from desktop_widgets.theme import Space
from desktop_widgets.widgets import role_label
from helper_app.views.remote_screen import RemoteScreen


class SessionPage(QWidget):
    request_control = Signal()
    end = Signal()
    send_file = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.screen = RemoteScreen()
        self.PAUSED_TEXT = self.tr("Paused by the sharer")
        # Over the picture, the moment the sharer pauses: the last frame may stay up until
        # the grey one arrives, and must not pass for the live screen meanwhile.
        self.paused_notice = QLabel(self.PAUSED_TEXT)
        self.paused_notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.paused_notice.setAccessibleName(self.tr("Sharing paused"))
        self.paused_notice.setProperty("role", "overlay")
        self.paused_notice.hide()
        self.paused = False
        self.granted = False
        self.chat = ChatPanel()
        self.chat.setMinimumWidth(240)
        self.chat.hide()
        self.toolbar = QToolBar(self.tr("Session"))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.request_action = QAction(self.tr("Request &control"), self)
        self.request_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.chat_action = QAction(self.tr("C&hat"), self)
        self.chat_action.setCheckable(True)
        self.chat_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.actual_size_action = QAction(self.tr("&1:1"), self)
        self.actual_size_action.setCheckable(True)
        self.actual_size_action.setShortcut(QKeySequence("Ctrl+1"))
        self.actual_size_action.setToolTip(
            self.tr("Show the picture pixel for pixel (Ctrl+1); off: fit it to the window")
        )
        self.send_file_action = QAction(self.tr("Send &file…"), self)
        self.send_file_action.setVisible(False)
        self.end_action = QAction(self.tr("&End session"), self)
        self.end_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        for action in (
            self.request_action,
            self.chat_action,
            self.send_file_action,
            self.actual_size_action,
        ):
            self.toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addAction(self.end_action)
        end_button = self.toolbar.widgetForAction(self.end_action)
        end_button.setProperty("role", "danger")
        self._name_tool_buttons()

        self.mode_mark = StatusMark("viewing")
        self.mode = self.mode_mark.words
        self.mode.setText(self.tr("View only"))
        self.live = role_label("", "muted")
        self.live.setAccessibleName(self.tr("Picture, frame rate and round-trip time"))
        status = QFrame()
        status.setObjectName("session_status")
        row = QHBoxLayout(status)
        row.setContentsMargins(Space.S, Space.XS, Space.S, Space.XS)
        row.setSpacing(Space.M)
        row.addWidget(self.mode_mark)
        row.addWidget(self.live, 1)

        self.request_action.triggered.connect(self.request_control.emit)
        self.chat_action.toggled.connect(self.chat.setVisible)
        self.actual_size_action.toggled.connect(self.screen.set_one_to_one)
        self.end_action.triggered.connect(self.end.emit)
        self.send_file_action.triggered.connect(self.send_file.emit)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setWidget(self.screen)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        picture = QWidget()
        stack = QGridLayout(picture)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addWidget(self.scroll, 0, 0)
        stack.addWidget(self.paused_notice, 0, 0)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(picture)
        splitter.addWidget(self.chat)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([1000, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        layout.addWidget(status)

    def _name_tool_buttons(self) -> None:
        """The toolbar's buttons say their action's words to a screen reader."""
        for action in self.toolbar.actions():
            button = self.toolbar.widgetForAction(action)
            if button is not None and action.text():
                button.setAccessibleName(action.text().replace("&", ""))
                if action.toolTip() and action.toolTip() != action.text():
                    button.setAccessibleDescription(action.toolTip())

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
            self.mode_mark.show_state("paused", self.PAUSED_TEXT)
        elif self.granted:
            self.mode_mark.show_state("controlling", self.tr("● Controlling"))
        else:
            self.mode_mark.show_state("viewing", self.tr("View only"))

    def show_stats(self, stats: Stats) -> None:
        rtt = "-" if stats.rtt_ms is None else f"{stats.rtt_ms:.0f} ms"
        # While paused no frames come on purpose: "0 fps" would read as a fault.
        rate = self.tr("paused") if self.paused else f"{stats.fps:.0f} fps"
        quality = {"sharp": self.tr("sharp"), "moving": self.tr("moving")}.get(
            stats.quality, stats.quality
        )
        picture = f"{stats.width}x{stats.height} {quality}"
        if stats.scale < 1:
            picture += f" ({stats.scale:.0%})"
        path = " · " + self.tr("relayed") if stats.relayed else ""
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
