"""The sharer's screens: enter the code, read the helper's card and choose, then the end."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.session.events import HelperIdentityShown
from common.security_code import normalise_code
from desktop_widgets.widgets import page_layout, plain_label, title_label


class EntryPage(QWidget):
    """Who I am (development picker, or Microsoft sign-in) and the code my helper read out."""

    connect_requested = Signal(object, str)  # UPN or None, normalised code

    def __init__(self) -> None:
        super().__init__()
        self.users = QComboBox()
        self.users.setAccessibleName("Development user")
        self.who = plain_label("")
        self.code = QLineEdit()
        self.code.setPlaceholderText("XXXX-XXXX")
        self.code.setAccessibleName("Security code")
        self.code.setMaxLength(20)
        font = self.code.font()
        font.setPointSize(font.pointSize() + 8)
        self.code.setFont(font)
        self.error = plain_label("")
        self.error.setStyleSheet("color: #b3261e;")
        self.button = QPushButton("&Connect")
        self.button.setDefault(True)
        self.button.setAutoDefault(True)
        self.code.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        code_label = QLabel("&Security code from your helper:")
        code_label.setBuddy(self.code)
        self.setLayout(
            page_layout(
                title_label("Get help from your IT department"),
                plain_label(
                    "Only enter a code that someone from your organisation gave you. "
                    "You will see who they are before anything is shared."
                ),
                self.who,
                self.users,
                code_label,
                self.code,
                self.error,
                self.button,
            )
        )
        self.show_users([], "")

    def show_users(self, users: list[dict[str, Any]], message: str) -> None:
        self.users.clear()
        for user in users:
            self.users.addItem(f"{user['name']} — {user.get('job_title', '')}", user["upn"])
        self.users.setVisible(bool(users))
        self.who.setText(
            "Development sign-in: choose who you are."
            if users
            else message or "You will sign in with your work account."
        )

    def select_user(self, upn: str) -> None:
        index = self.users.findData(upn)
        if index >= 0:
            self.users.setCurrentIndex(index)

    def submit(self) -> None:
        code = normalise_code(self.code.text())
        if code is None:
            self.show_error("A code has eight letters and digits, like ABCD-EFGH.")
            return
        self.error.setText("")
        self.button.setEnabled(False)
        upn = self.users.currentData() if self.users.isVisible() else None
        self.connect_requested.emit(upn, code)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.button.setEnabled(True)
        self.code.setFocus()
        self.code.selectAll()


CHOICE_TEXTS = {
    "clipboard": "Also let them copy text to and from my clipboard",
    "files": "Also allow files both ways (I accept or decline each one they send)",
    "elevate": "Also allow administrator tasks (recorded in your organisation's audit)",
}


class ConsentPage(QWidget):
    """The helper's verified identity card and the three choices. Nothing is shared before.

    Scammers talk people into sessions: for a card that is not verified, the Allow buttons
    stay off for ``UNVERIFIED_WAIT_SECONDS`` and until the person types the confirmation
    words, so a hurried click under someone's instructions on the phone is not enough.
    """

    choice = Signal(str)
    UNVERIFIED_WAIT_SECONDS = 5.0
    CONFIRM_WORDS = "I know this person"

    def __init__(self) -> None:
        super().__init__()
        self.name = plain_label("")
        font = self.name.font()
        font.setPointSize(font.pointSize() + 5)
        font.setBold(True)
        self.name.setFont(font)
        self.job_title = plain_label("")
        self.company = plain_label("")
        self.upn = plain_label("")
        self.verified = plain_label("")
        card = QFrame()
        card.setObjectName("card")
        card.setStyleSheet(
            "#card { border: 1px solid #c9d6ea; border-radius: 10px; background: #f8fafd; }"
        )
        inner = QVBoxLayout(card)
        for widget in (self.name, self.job_title, self.company, self.upn, self.verified):
            inner.addWidget(widget)
        self.view = QPushButton("Allow &view only")
        self.control = QPushButton("Allow &full control")
        self.decline = QPushButton("&Decline")
        self.view.setDefault(True)
        buttons = QHBoxLayout()
        for button in (self.view, self.control, self.decline):
            buttons.addWidget(button)
        holder = QWidget()
        holder.setLayout(buttons)
        # The separate choices, each unticked: nothing beyond view or control unless ticked.
        self.choices = {name: QCheckBox(text) for name, text in CHOICE_TEXTS.items()}
        choice_box = QWidget()
        choice_layout = QVBoxLayout(choice_box)
        choice_layout.setContentsMargins(0, 0, 0, 0)
        for box in self.choices.values():
            choice_layout.addWidget(box)
        self.confirm = QLineEdit()
        self.confirm.setPlaceholderText(f"Type “{self.CONFIRM_WORDS}” to allow anyway")
        self.confirm.setAccessibleName("Confirmation for an unverified helper")
        self.confirm.textChanged.connect(self._update_allow)
        self._waited = True
        self._needs_words = False
        self._wait = QTimer(self)
        self._wait.setSingleShot(True)
        self._wait.timeout.connect(self._waited_enough)
        self.view.clicked.connect(lambda: self._choose("view"))
        self.control.clicked.connect(lambda: self._choose("control"))
        self.decline.clicked.connect(lambda: self._choose("decline"))
        self.setLayout(
            page_layout(
                title_label("Someone wants to help you"),
                card,
                plain_label(
                    "View only lets them see your screen. Full control also lets them use your "
                    "mouse and keyboard. You can stop at any time."
                ),
                choice_box,
                self.confirm,
                holder,
            )
        )

    def show_card(self, card: HelperIdentityShown) -> None:
        self.name.setText(card.name)
        self.job_title.setText(card.job_title or "(no job title)")
        self.company.setText(card.company)
        self.upn.setText(card.upn)
        if card.verified:
            self.verified.setText(f"✔ Verified organisation: {card.verified_domain}")
            self.verified.setStyleSheet("color: #1b6e2d; font-weight: bold;")
        else:
            reason = f" ({card.reason})" if card.reason else ""
            self.verified.setText(
                f"⚠ Not verified: this person's organisation could not be confirmed{reason}. "
                "Decline unless you are sure who they are."
            )
            self.verified.setStyleSheet("color: #b3261e; font-weight: bold;")
        offered = "control" in card.offered_levels
        self.control.setVisible(offered)
        for name, box in self.choices.items():
            box.setChecked(False)
            box.setVisible(name in card.choices)
        self.decline.setEnabled(True)
        self.confirm.clear()
        self.confirm.setVisible(not card.verified)
        self._needs_words = not card.verified
        self._waited = card.verified
        if not card.verified:
            self._wait.start(int(self.UNVERIFIED_WAIT_SECONDS * 1000))
        self._update_allow()

    def _waited_enough(self) -> None:
        self._waited = True
        self._update_allow()

    def _update_allow(self) -> None:
        confirmed = not self._needs_words or (
            self.confirm.text().strip().lower() == self.CONFIRM_WORDS.lower()
        )
        for button in (self.view, self.control):
            button.setEnabled(self._waited and confirmed)

    def allowed(self) -> list[str]:
        """The separate choices the sharer ticked."""
        return [
            name for name, box in self.choices.items() if not box.isHidden() and box.isChecked()
        ]

    def _choose(self, level: str) -> None:
        for button in (self.view, self.control, self.decline):
            button.setEnabled(False)
        self.choice.emit(level)


class StatusPage(QWidget):
    stop = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = title_label("")
        self.detail = plain_label("")
        self.button = QPushButton("&Stop")
        self.button.clicked.connect(self.stop.emit)
        self.setLayout(page_layout(self.title, self.detail, self.button))

    def show_status(self, title: str, detail: str, *, can_stop: bool = True) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.button.setVisible(can_stop)


class EndedPage(QWidget):
    again = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.reason = plain_label("")
        self.button = QPushButton("&Get help again")
        self.button.clicked.connect(self.again.emit)
        self.setLayout(page_layout(title_label("Session ended"), self.reason, self.button))
        self.reason.setAlignment(Qt.AlignmentFlag.AlignLeft)
