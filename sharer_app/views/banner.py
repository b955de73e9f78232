"""The always-visible sharing banner: who sees the screen, and the sharer's controls.

It stays on top of every window for the whole session, so the sharer can never lose track
of the fact that someone is watching, and can stop at any moment.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desktop_widgets.widgets import plain_label


class SharingBanner(QWidget):
    toggle_control = Signal()
    toggle_pause = Signal()
    open_chat = Signal()
    stop = Signal()
    answer_request = Signal(bool)
    # The sharer takes back every separate choice (clipboard, files, elevate) at once.
    revoke_choices = Signal()
    send_file = Signal()

    def __init__(self) -> None:
        super().__init__(
            None,
            Qt.WindowType.Window
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.CustomizeWindowHint
            | Qt.WindowType.WindowTitleHint,
        )
        self.setWindowTitle("Helpline — sharing your screen")
        self.setObjectName("banner")
        self.setStyleSheet(
            "#banner { background: #8c1d18; } #banner QLabel { color: white; font-weight: bold; }"
        )
        self.message = plain_label("")
        self.control = QPushButton("Revoke &control")
        self.pause = QPushButton("&Pause")
        self.chat = QPushButton("C&hat")
        self.stop_button = QPushButton("&Stop sharing")
        self.stop_button.setStyleSheet("font-weight: bold;")
        self.request = plain_label("")
        self.note = plain_label("")
        self.choices = plain_label("")
        self.revoke = QPushButton("Stop &extras")
        self.revoke.clicked.connect(self.revoke_choices.emit)
        self.revoke.hide()
        self.send_button = QPushButton("Send &file…")
        self.send_button.clicked.connect(self.send_file.emit)
        self.send_button.hide()
        self.allow = QPushButton("&Allow control")
        self.deny = QPushButton("&Deny")
        self.control.clicked.connect(self.toggle_control.emit)
        self.pause.clicked.connect(self.toggle_pause.emit)
        self.chat.clicked.connect(self.open_chat.emit)
        self.stop_button.clicked.connect(self.stop.emit)
        self.allow.clicked.connect(lambda: self._answer(True))
        self.deny.clicked.connect(lambda: self._answer(False))

        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        for button in (self.control, self.pause, self.chat, self.stop_button):
            top.addWidget(button)
        self.request_row = QWidget()
        row = QHBoxLayout(self.request_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.request, 1)
        row.addWidget(self.allow)
        row.addWidget(self.deny)
        self.request_row.hide()
        extras = QHBoxLayout()
        extras.addWidget(self.choices, 1)
        extras.addWidget(self.send_button)
        extras.addWidget(self.revoke)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(extras)
        layout.addWidget(self.note)
        layout.addWidget(self.request_row)
        self.helper_name = ""
        self.granted = False
        self.paused = False

    def start(self, helper_name: str, company: str) -> None:
        self.helper_name = f"{helper_name} ({company})" if company else helper_name
        self.update_state(granted=self.granted, paused=False)
        self.resize(760, self.sizeHint().height())
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.move(screen.center().x() - self.width() // 2, screen.top())
        self.show()
        self.raise_()

    def update_state(self, *, granted: bool, paused: bool, control_offered: bool = True) -> None:
        self.granted, self.paused = granted, paused
        if paused:
            text = f"Sharing paused: {self.helper_name} sees a blank screen."
        elif granted:
            text = f"{self.helper_name} is controlling your screen."
        else:
            text = f"{self.helper_name} is viewing your screen."
        self.message.setText(text)
        self.control.setText("Revoke &control" if granted else "Give &control")
        self.control.setVisible(granted or control_offered)
        self.pause.setText("&Resume" if paused else "&Pause")

    def show_choices(self, allow: list[str]) -> None:
        """What the helper may also do, in the banner for as long as it is allowed."""
        self.choices.setText(f"Also allowed: {', '.join(allow)}." if allow else "")
        self.revoke.setVisible(bool(allow))
        self.send_button.setVisible("files" in allow)
        self.adjustSize()

    def tell(self, text: str) -> None:
        """Something the sharer must see at once (a picture saved, the time limit near)."""
        self.note.setText(text)
        self.adjustSize()
        self.raise_()

    def ask(self) -> None:
        self.request.setText(
            f"{self.helper_name} asks for full control of your mouse and keyboard."
        )
        self.request_row.show()
        self.adjustSize()
        self.raise_()

    def _answer(self, allow: bool) -> None:
        self.withdraw_request()
        self.answer_request.emit(allow)

    def withdraw_request(self) -> None:
        self.request_row.hide()
        self.adjustSize()
