"""The restart warning: how long is left, and one chance to put it off."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout

from client.devices.countdown import RestartCountdown
from desktop_widgets.widgets import plain_label, title_label


def remaining_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.999), 60)
    return f"Your organisation will restart this computer in {minutes}:{secs:02d}. Save your work."


class RestartDialog(QDialog):
    def __init__(self, countdown: RestartCountdown) -> None:
        super().__init__()
        self.countdown = countdown
        self.setWindowTitle("Helpline — Restart")
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.remaining = plain_label("")
        minutes = int(countdown.postpone_by // 60)
        self.postpone_button = QPushButton(f"Postpone {minutes} minutes (once)")
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Restart coming"))
        layout.addWidget(self.remaining)
        layout.addWidget(self.postpone_button)
        self.postpone_button.clicked.connect(self.postpone)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        self.tick()

    def tick(self) -> None:
        self.remaining.setText(remaining_text(self.countdown.remaining))
        self.postpone_button.setEnabled(not self.countdown.postponed)

    def postpone(self) -> None:
        self.countdown.postpone()
        self.tick()
