"""The helper's screens before and after a session: sign in, the code, waiting, ended."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from desktop_widgets.widgets import page_layout, plain_label, title_label


class SignInPage(QWidget):
    """Development user picker when the server has the development provider; Entra otherwise."""

    sign_in = Signal(object)  # a UPN, or None for Entra ID

    def __init__(self) -> None:
        super().__init__()
        self.users = QComboBox()
        self.users.setAccessibleName("Development user")
        self.button = QPushButton("&Sign in")
        self.button.setDefault(True)
        self.entra = QPushButton("Sign in with &Microsoft")
        self.status = plain_label("Looking for the server…")
        self.button.clicked.connect(self._pick)
        self.entra.clicked.connect(lambda: self.sign_in.emit(None))
        self.setLayout(
            page_layout(
                title_label("Sign in to Helpline"), self.status, self.users, self.button, self.entra
            )
        )
        self.show_users([], "")

    def show_users(self, users: list[dict[str, str]], message: str) -> None:
        self.users.clear()
        for user in users:
            self.users.addItem(f"{user['name']} — {user.get('job_title', '')}", user["upn"])
        dev = bool(users)
        self.users.setVisible(dev)
        self.button.setVisible(dev)
        self.entra.setVisible(not dev)
        self.status.setText(
            "Development sign-in: choose who you are."
            if dev
            else (message or "Sign in with your work account.")
        )

    def _pick(self) -> None:
        self.button.setEnabled(False)
        self.sign_in.emit(self.users.currentData())

    def reset(self) -> None:
        self.button.setEnabled(True)


class CodePage(QWidget):
    """The code, big and easy to read out, with a copy button and the time left."""

    new_code = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.code = QLabel("----·----")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setAccessibleName("Security code")
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(44)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 4)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setStyleSheet(
            "QLabel { background: #f3f6fb; border: 2px solid #c9d6ea; border-radius: 10px;"
            " padding: 18px; color: #14325c; }"
        )
        self.expires = QLabel("")
        self.copy = QPushButton("&Copy code")
        self.again = QPushButton("&New code")
        self.copy.clicked.connect(self._copy)
        self.again.clicked.connect(self.new_code.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy)
        buttons.addWidget(self.again)
        buttons.addStretch(1)
        holder = QWidget()
        holder.setLayout(buttons)
        self.status = plain_label("Read this code to the person you are helping.")
        self.setLayout(
            page_layout(
                title_label("Your security code"), self.status, self.code, self.expires, holder
            )
        )
        self._expires_at: datetime | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    def show_code(self, code: str, expires_at: str) -> None:
        self.code.setText(code)
        self._expires_at = datetime.fromisoformat(expires_at)
        self.status.setText("Read this code to the person you are helping. It works once.")
        self._tick()
        self._timer.start(1000)

    def seconds_left(self) -> int:
        if self._expires_at is None:
            return 0
        return max(0, int((self._expires_at - datetime.now(UTC)).total_seconds()))

    def _tick(self) -> None:
        left = self.seconds_left()
        if left <= 0:
            self._timer.stop()
            self.expires.setText("This code has expired. Get a new one.")
            return
        self.expires.setText(f"Expires in {left // 60}:{left % 60:02d}")

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code.text())
        self.copy.setText("Copied ✓")
        QTimer.singleShot(1500, self.copy, lambda: self.copy.setText("&Copy code"))


class StatusPage(QWidget):
    """Waiting for the sharer, for consent, for the connection: one plain sentence each."""

    end = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = title_label("")
        self.detail = plain_label("")
        self.cancel = QPushButton("&Cancel")
        self.cancel.clicked.connect(self.end.emit)
        self.setLayout(page_layout(self.title, self.detail, self.cancel))

    def show_status(self, title: str, detail: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)


class EndedPage(QWidget):
    again = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.reason = plain_label("")
        self.button = QPushButton("&New session")
        self.button.setDefault(True)
        self.button.clicked.connect(self.again.emit)
        self.setLayout(page_layout(title_label("Session ended"), self.reason, self.button))
