"""The restart warning: how long is left, in large figures, and one chance to put it off."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QDialog, QHBoxLayout, QVBoxLayout

from client.devices.countdown import RestartCountdown
from desktop_widgets.look import StatusMark
from desktop_widgets.theme import Space
from desktop_widgets.widgets import Button, role_label, title_label


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.999), 60)
    return f"{minutes}:{secs:02d}"


def remaining_text(seconds: float) -> str:
    return QCoreApplication.translate(
        "RestartDialog",
        "Your organisation will restart this computer in {time}. Save your work.",
    ).format(time=clock(seconds))


class RestartDialog(QDialog):
    def __init__(self, countdown: RestartCountdown) -> None:
        super().__init__()
        self.countdown = countdown
        self.setWindowTitle(self.tr("Helpline — Restart"))
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.clock = role_label("", "countdown")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clock.setAccessibleName(self.tr("Time left before the restart"))
        self.mark = StatusMark("unverified")
        self.remaining = self.mark.words
        minutes = int(countdown.postpone_by // 60)
        self.postpone_button = Button(
            self.tr("&Postpone {minutes} minutes (once)").format(minutes=minutes), role="primary"
        )
        self.postpone_button.setAccessibleDescription(self.tr("You can put the restart off once."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(Space.XL, Space.L, Space.XL, Space.L)
        layout.setSpacing(Space.M)
        layout.addWidget(title_label(self.tr("Restart coming")))
        layout.addWidget(self.clock)
        layout.addWidget(self.mark)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.postpone_button)
        layout.addLayout(buttons)
        self.postpone_button.clicked.connect(self.postpone)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()
        self.resize(480, self.sizeHint().height())

    def tick(self) -> None:
        self.clock.setText(clock(self.countdown.remaining))
        self.remaining.setText(remaining_text(self.countdown.remaining))
        self.postpone_button.setEnabled(not self.countdown.postponed)

    def postpone(self) -> None:
        self.countdown.postpone()
        self.tick()
