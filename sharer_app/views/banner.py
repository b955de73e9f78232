"""The always-visible sharing banner: who sees the screen, and the sharer's controls.

It stays on top of every window for the whole session, so the sharer can never lose track
of the fact that someone is watching, and can stop at any moment. It is red in both palettes,
and its state is also an icon and words: an eye while viewing, a pointer while controlling,
two bars while paused.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_widgets.look import icon
from desktop_widgets.theme import Space
from desktop_widgets.widgets import Button, plain_label

STATE_ICON = QSize(28, 28)


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
        self.setWindowTitle(self.tr("Helpline — sharing your screen"))
        self.setObjectName("banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.state_icon = QLabel()
        self.state_icon.setFixedSize(STATE_ICON)
        self.state = ""
        self.message = plain_label("")
        self.control = Button(self.tr("Revoke &control"))
        self.pause = Button(self.tr("&Pause"))
        self.chat = Button(self.tr("C&hat"))
        self.stop_button = Button(self.tr("&Stop sharing"), role="stop")
        self.request = plain_label("")
        self.note = plain_label("")
        self.choices = plain_label("")
        self.revoke = Button(self.tr("Stop &extras"))
        self.revoke.clicked.connect(self.revoke_choices.emit)
        self.revoke.hide()
        self.note.hide()
        self.choices.hide()
        self.send_button = Button(self.tr("Send &file…"))
        self.send_button.clicked.connect(self.send_file.emit)
        self.send_button.hide()
        self.allow = Button(self.tr("&Allow control"))
        self.deny = Button(self.tr("&Deny"))
        self.control.clicked.connect(self.toggle_control.emit)
        self.pause.clicked.connect(self.toggle_pause.emit)
        self.chat.clicked.connect(self.open_chat.emit)
        self.stop_button.clicked.connect(self.stop.emit)
        self.allow.clicked.connect(lambda: self._answer(True))
        self.deny.clicked.connect(lambda: self._answer(False))

        top = QHBoxLayout()
        top.setSpacing(Space.S)
        top.addWidget(self.state_icon)
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
        layout.setContentsMargins(Space.L, Space.M, Space.L, Space.M)
        layout.addLayout(top)
        layout.addLayout(extras)
        layout.addWidget(self.note)
        layout.addWidget(self.request_row)
        self.helper_name = ""
        self.granted = False
        self.paused = False

    def start(self, helper_name: str, company: str) -> None:
        self.helper_name = (
            self.tr("{name} ({company})").format(name=helper_name, company=company)
            if company
            else helper_name
        )
        self.update_state(granted=self.granted, paused=False)
        self.resize(820, self.sizeHint().height())
        screen = QGuiApplication.primaryScreen().availableGeometry()
        self.move(screen.center().x() - self.width() // 2, screen.top())
        self.show()
        self.raise_()

    def update_state(self, *, granted: bool, paused: bool, control_offered: bool = True) -> None:
        self.granted, self.paused = granted, paused
        if paused:
            text = self.tr("Sharing paused: {name} sees a blank screen.")
            self.state = "paused"
        elif granted:
            text = self.tr("{name} is controlling your screen.")
            self.state = "controlling"
        else:
            text = self.tr("{name} is viewing your screen.")
            self.state = "viewing"
        self.message.setText(text.format(name=self.helper_name))
        self.state_icon.setPixmap(
            icon(
                {"paused": "pause", "controlling": "control", "viewing": "view"}[self.state]
            ).pixmap(STATE_ICON, self.devicePixelRatioF())
        )
        self.control.setText(self.tr("Revoke &control") if granted else self.tr("Give &control"))
        self.control.setVisible(granted or control_offered)
        self.pause.setText(self.tr("&Resume") if paused else self.tr("&Pause"))

    def show_choices(self, allow: list[str], names: list[str] | None = None) -> None:
        """What the helper may also do, in the banner for as long as it is allowed."""
        shown = ", ".join(names if names is not None else allow)
        self.choices.setText(self.tr("Also allowed: {what}.").format(what=shown) if allow else "")
        self.choices.setVisible(bool(allow))
        self.revoke.setVisible(bool(allow))
        self.send_button.setVisible("files" in allow)
        self.adjustSize()

    def tell(self, text: str) -> None:
        """Something the sharer must see at once (a picture saved, the time limit near)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))
        self.adjustSize()
        self.raise_()

    def ask(self) -> None:
        self.request.setText(
            self.tr("{name} asks for full control of your mouse and keyboard.").format(
                name=self.helper_name
            )
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
