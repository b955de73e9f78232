"""The sharer's screens: enter the code, read the helper's card and choose, then the end.

Written for someone who is not technical and decides in a few seconds: the helper's name in
large type, the verified organisation (or the warning) as an icon and words, and each choice
with what it does in one line.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from client.session.events import HelperIdentityShown
from common.security_code import normalise_code
from desktop_widgets.look import StatusMark, set_role
from desktop_widgets.theme import Space
from desktop_widgets.widgets import (
    Button,
    named,
    page_layout,
    role_label,
    title_label,
)


class EntryPage(QWidget):
    """Who I am (development picker, or Microsoft sign-in) and the code my helper read out."""

    connect_requested = Signal(object, str)  # UPN or None, normalised code

    def __init__(self) -> None:
        super().__init__()
        self.users = named(QComboBox(), self.tr("Who you are (development sign-in)"))
        self.who = role_label("", "muted")
        self.code = QLineEdit()
        self.code.setPlaceholderText("XXXX-XXXX")
        named(
            self.code,
            self.tr("Security code"),
            self.tr("The eight letters and digits your helper reads out to you"),
        )
        self.code.setMaxLength(20)
        self.code.setProperty("role", "code")
        self.error = role_label("", "error")
        self.button = Button(self.tr("&Connect"), role="primary")
        self.button.setDefault(True)
        self.button.setAutoDefault(True)
        self.code.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        code_label = QLabel(self.tr("&Security code from your helper:"))
        code_label.setBuddy(self.code)
        set_role(code_label, "lead")
        self.setLayout(
            page_layout(
                title_label(self.tr("Get help from your IT department")),
                role_label(
                    self.tr(
                        "Only enter a code that someone from your organisation gave you. "
                        "You will see who they are before anything is shared."
                    ),
                    "lead",
                ),
                self.who,
                self.users,
                code_label,
                self.code,
                self.error,
                self.button,
            )
        )
        self.setTabOrder(self.users, self.code)
        self.setTabOrder(self.code, self.button)
        self.show_users([], "")

    def show_users(self, users: list[dict[str, Any]], message: str) -> None:
        self.users.clear()
        for user in users:
            self.users.addItem(f"{user['name']} — {user.get('job_title', '')}", user["upn"])
        self.users.setVisible(bool(users))
        self.who.setText(
            self.tr("Development sign-in: choose who you are.")
            if users
            else message or self.tr("You will sign in with your work account.")
        )

    def select_user(self, upn: str) -> None:
        index = self.users.findData(upn)
        if index >= 0:
            self.users.setCurrentIndex(index)

    def submit(self) -> None:
        code = normalise_code(self.code.text())
        if code is None:
            self.show_error(self.tr("A code has eight letters and digits, like ABCD-EFGH."))
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
    "clipboard": QT_TRANSLATE_NOOP(
        "ConsentPage", "Also let them copy text to and from my clipboard"
    ),
    "elevate": QT_TRANSLATE_NOOP(
        "ConsentPage", "Also allow administrator tasks (recorded in your organisation's audit)"
    ),
    "files": QT_TRANSLATE_NOOP(
        "ConsentPage", "Also allow files both ways (I accept or decline each one they send)"
    ),
}


class ConsentPage(QWidget):
    """The helper's verified identity card and the three choices. Nothing is shared before.

    Scammers talk people into sessions: for a card that is not verified, the Allow buttons
    stay off for ``UNVERIFIED_WAIT_SECONDS`` and until the person types the confirmation
    words, so a hurried click under someone's instructions on the phone is not enough.
    """

    choice = Signal(str)
    UNVERIFIED_WAIT_SECONDS = 5.0
    CONFIRM_WORDS = QT_TRANSLATE_NOOP("ConsentPage", "I know this person")

    def __init__(self) -> None:
        super().__init__()
        self.name = role_label("", "name")
        self.job_title = role_label("", "muted")
        self.company = role_label("", "org")
        self.upn = role_label("", "muted")
        self.mark = StatusMark("verified")
        self.verified = self.mark.words
        card = QFrame()
        card.setObjectName("card")
        card.setProperty("role", "card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(Space.XL, Space.L, Space.XL, Space.L)
        inner.setSpacing(Space.XS)
        for widget in (self.name, self.job_title, self.company, self.upn):
            inner.addWidget(widget)
        inner.addSpacing(Space.S)
        inner.addWidget(self.mark)
        self.view = Button(self.tr("Allow &view only"), role="primary")
        self.control = Button(self.tr("Allow &full control"))
        self.decline = Button(self.tr("&Decline"))
        self.view.setDefault(True)
        # Each choice with its consequence in one line, beside it.
        self.consequences = {
            self.view: self.tr("They see your screen. They cannot click or type."),
            self.control: self.tr("They can also use your mouse and keyboard."),
            self.decline: self.tr("Nothing is shared, and they are told you said no."),
        }
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(Space.L)
        grid.setVerticalSpacing(Space.S)
        self.consequence_labels: dict[Button, QLabel] = {}
        for row, (button, words) in enumerate(self.consequences.items()):
            label = role_label(words, "muted")
            button.setAccessibleDescription(words)
            button.setMinimumWidth(190)
            grid.addWidget(button, row, 0)
            grid.addWidget(label, row, 1)
            self.consequence_labels[button] = label
        grid.setColumnStretch(1, 1)
        # The separate choices, each unticked: nothing beyond view or control unless ticked.
        self.choices = {
            name: named(QCheckBox(self.tr(text)), self.tr(text))
            for name, text in CHOICE_TEXTS.items()
        }
        choice_box = QWidget()
        choice_layout = QVBoxLayout(choice_box)
        choice_layout.setContentsMargins(0, 0, 0, 0)
        for box in self.choices.values():
            choice_layout.addWidget(box)
        self.confirm = QLineEdit()
        self.confirm.setPlaceholderText(
            self.tr("Type “{words}” to allow anyway").format(words=self.confirm_words())
        )
        named(
            self.confirm,
            self.tr("Confirmation for an unverified helper"),
            self.tr("Type “{words}” to allow anyway").format(words=self.confirm_words()),
        )
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
                title_label(self.tr("Someone wants to help you")),
                card,
                role_label(self.tr("What do you allow?"), "lead"),
                holder,
                choice_box,
                self.confirm,
                role_label(
                    self.tr(
                        "You can stop at any time with the red banner at the top of your screen."
                    ),
                    "muted",
                ),
                max_width=680,
            )
        )
        for first, second in (
            (self.view, self.control),
            (self.control, self.decline),
            (self.decline, self.choices["clipboard"]),
            (self.choices["clipboard"], self.choices["elevate"]),
            (self.choices["elevate"], self.confirm),
        ):
            self.setTabOrder(first, second)

    def confirm_words(self) -> str:
        """The words a person types to allow an unverified helper, in their language."""
        return QCoreApplication.translate("ConsentPage", self.CONFIRM_WORDS)

    def show_card(self, card: HelperIdentityShown) -> None:
        self.name.setText(card.name)
        self.job_title.setText(card.job_title or self.tr("(no job title)"))
        self.company.setText(card.company)
        self.upn.setText(card.upn)
        if card.verified:
            self.mark.show_state(
                "verified",
                self.tr("✔ Verified organisation: {domain}").format(domain=card.verified_domain),
            )
        else:
            reason = f" ({card.reason})" if card.reason else ""
            self.mark.show_state(
                "unverified",
                self.tr(
                    "⚠ Not verified: this person's organisation could not be confirmed{reason}. "
                    "Decline unless you are sure who they are."
                ).format(reason=reason),
            )
        offered = "control" in card.offered_levels
        self.control.setVisible(offered)
        self.consequence_labels[self.control].setVisible(offered)
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
            self.confirm.text().strip().lower() == self.confirm_words().lower()
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
        self.detail = role_label("", "lead")
        self.button = Button(self.tr("&Stop"), role="danger")
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
        self.reason = role_label("", "lead")
        self.button = Button(self.tr("&Get help again"), role="primary")
        self.button.clicked.connect(self.again.emit)
        self.setLayout(page_layout(title_label(self.tr("Session ended")), self.reason, self.button))
        self.reason.setAlignment(Qt.AlignmentFlag.AlignLeft)
