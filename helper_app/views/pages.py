"""The helper's screens before and after a session: sign in, the code, waiting, ended."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QWidget,
)

from desktop_widgets.look import StatusMark
from desktop_widgets.widgets import Button, named, page_layout, role_label, title_label


class SignInPage(QWidget):
    """Development user picker when the server has the development provider; Entra otherwise."""

    sign_in = Signal(object)  # a UPN, or None for Entra ID

    def __init__(self) -> None:
        super().__init__()
        self.users = named(QComboBox(), self.tr("Who you are (development sign-in)"))
        self.button = Button(self.tr("&Sign in"), role="primary")
        self.button.setDefault(True)
        self.entra = Button(self.tr("Sign in with &Microsoft"), role="primary")
        self.status = role_label(self.tr("Looking for the server…"), "muted")
        self.button.clicked.connect(self._pick)
        self.entra.clicked.connect(lambda: self.sign_in.emit(None))
        self.setLayout(
            page_layout(
                title_label(self.tr("Sign in to Helpline")),
                role_label(
                    self.tr(
                        "Sign in with your work account to get a security code for the "
                        "person you are helping."
                    ),
                    "lead",
                ),
                self.status,
                self.users,
                self.button,
                self.entra,
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
            self.tr("Development sign-in: choose who you are.")
            if dev
            else (message or self.tr("Sign in with your work account."))
        )

    def _pick(self) -> None:
        self.button.setEnabled(False)
        self.sign_in.emit(self.users.currentData())

    def reset(self) -> None:
        self.button.setEnabled(True)


class CodePage(QWidget):
    """The code, big and easy to read out, with a copy button and the time left."""

    new_code = Signal()
    LIFETIME_SECONDS = 600

    def __init__(self) -> None:
        super().__init__()
        self.code = QLabel("----·----")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setAccessibleName(self.tr("Security code"))
        self.code.setProperty("role", "code")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.expires = role_label("", "lead")
        self.expires.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The time left as a bar too, so it reads at a glance while on the phone.
        self.time_left = named(QProgressBar(), self.tr("Time left for this code"))
        self.time_left.setTextVisible(False)
        self.time_left.setMaximumHeight(8)
        self.time_left.setRange(0, self.LIFETIME_SECONDS)
        self.copy = Button(self.tr("&Copy code"), role="primary")
        self.again = Button(self.tr("&New code"))
        self.copy.clicked.connect(self._copy)
        self.again.clicked.connect(self.new_code.emit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy)
        buttons.addWidget(self.again)
        buttons.addStretch(1)
        holder = QWidget()
        holder.setLayout(buttons)
        self.status = role_label(self.tr("Read this code to the person you are helping."), "lead")
        self.setLayout(
            page_layout(
                title_label(self.tr("Your security code")),
                self.status,
                self.code,
                self.time_left,
                self.expires,
                holder,
                role_label(
                    self.tr(
                        "They type it into Helpline's “Get help” window, see who you are, "
                        "and choose what you may do."
                    ),
                    "muted",
                ),
            )
        )
        self._expires_at: datetime | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    def show_code(self, code: str, expires_at: str) -> None:
        self.code.setText(code)
        self._expires_at = datetime.fromisoformat(expires_at)
        self.time_left.setRange(0, max(self.LIFETIME_SECONDS, self.seconds_left()))
        self.status.setText(self.tr("Read this code to the person you are helping. It works once."))
        self._tick()
        self._timer.start(1000)

    def seconds_left(self) -> int:
        if self._expires_at is None:
            return 0
        return max(0, int((self._expires_at - datetime.now(UTC)).total_seconds()))

    def _tick(self) -> None:
        left = self.seconds_left()
        self.time_left.setValue(left)
        if left <= 0:
            self._timer.stop()
            self.expires.setText(self.tr("This code has expired. Get a new one."))
            return
        self.expires.setText(
            self.tr("Expires in {time}").format(time=f"{left // 60}:{left % 60:02d}")
        )

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code.text())
        self.copy.setText(self.tr("Copied ✓"))
        QTimer.singleShot(1500, self.copy, lambda: self.copy.setText(self.tr("&Copy code")))


class StatusPage(QWidget):
    """Waiting for the sharer, for consent, for the connection: one plain sentence each."""

    end = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = title_label("")
        self.mark = StatusMark("info")
        self.detail = self.mark.words
        self.cancel = Button(self.tr("&Cancel"))
        self.cancel.clicked.connect(self.end.emit)
        self.setLayout(page_layout(self.title, self.mark, self.cancel))

    def show_status(self, title: str, detail: str, *, warn: bool = False) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.mark.set_kind("unverified" if warn else "info")


class EndedPage(QWidget):
    again = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.reason = role_label("", "lead")
        self.button = Button(self.tr("&New session"), role="primary")
        self.button.setDefault(True)
        self.button.clicked.connect(self.again.emit)
        self.setLayout(page_layout(title_label(self.tr("Session ended")), self.reason, self.button))
