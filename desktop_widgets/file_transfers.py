"""The file transfers window both apps show: offers to accept or decline, progress, cancel.

A thin view over the engine's transfers (``client.session.file_transfers``): it shows the
``file_*`` events and turns clicks into the service's ``accept_file``, ``decline_file`` and
``cancel_file``; it decides nothing. It comes to the front when a file is offered, so an
offer is never missed behind another window, and the folder is the receiver's own choice.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from client.session.events import (
    EngineEvent,
    FileFailed,
    FileOffered,
    FileProgress,
    FileReceived,
    FileSending,
    FileSent,
)
from desktop_widgets.widgets import plain_label, title_label

FILE_EVENTS: tuple[type[EngineEvent], ...] = (
    FileOffered,
    FileSending,
    FileProgress,
    FileReceived,
    FileSent,
    FileFailed,
)
FolderChooser = Callable[[QWidget, str], str]


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def choose_folder(parent: QWidget, name: str) -> str:
    """Where to save ``name``: the receiver picks a folder (Downloads to start with)."""
    start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    return QFileDialog.getExistingDirectory(parent, f"Save {name} in…", start)


def choose_file_to_send(parent: QWidget) -> str:
    """The file to offer; the other side still has to accept it."""
    path, _ = QFileDialog.getOpenFileName(parent, "Send a file")
    return path


class TransferRow(QFrame):
    """One file: what it is, how far it got, and what can be done with it now."""

    def __init__(self, title: str, size: int) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.size = size
        self.title = plain_label(title)
        self.status = plain_label("")
        self.bar = QProgressBar()
        self.bar.setRange(0, max(size, 1))
        self.bar.setValue(0)
        self.bar.setAccessibleName("Transfer progress")
        self.bar.hide()  # until bytes move: an offer is not a transfer at 0 %
        self.save = QPushButton("&Save…")
        self.decline = QPushButton("&Decline")
        self.cancel = QPushButton("&Cancel")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.save, self.decline, self.cancel):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def show_buttons(self, *, answer: bool, cancel: bool) -> None:
        self.save.setVisible(answer)
        self.decline.setVisible(answer)
        self.cancel.setVisible(cancel)

    def finish(self, text: str) -> None:
        self.status.setText(text)
        self.show_buttons(answer=False, cancel=False)


class FileTransfersWindow(QWidget):
    accept_file = Signal(str, str)  # id, folder
    decline_file = Signal(str)
    cancel_file = Signal(str)

    def __init__(self, peer: str, chooser: FolderChooser = choose_folder) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("Helpline — Files")
        self.peer = peer
        self.chooser = chooser
        self.rows: dict[str, TransferRow] = {}
        self.names: dict[str, str] = {}
        self.list = QVBoxLayout()
        self.list.addStretch(1)
        body = QWidget()
        body.setLayout(self.list)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Files"))
        layout.addWidget(
            plain_label(
                "Only accept files you expect. A file is kept only when it arrived whole "
                "and its checksum matched; it never replaces a file you have."
            )
        )
        layout.addWidget(scroll, 1)
        self.resize(520, 360)

    def on_event(self, event: EngineEvent) -> None:
        if isinstance(event, FileOffered):
            row = self._add(event.id, f"{self.peer} offers {event.name}", event)
            row.status.setText(f"{human_size(event.size)}. SHA-256 {event.sha256[:16]}…")
            row.show_buttons(answer=True, cancel=False)
            row.save.clicked.connect(lambda: self._save(event.id))
            row.decline.clicked.connect(lambda: self.decline_file.emit(event.id))
            self._to_front()
        elif isinstance(event, FileSending):
            row = self._add(event.id, f"Sending {event.name} to {self.peer}", event)
            row.status.setText(f"{human_size(event.size)}: waiting for {self.peer} to accept.")
            row.show_buttons(answer=False, cancel=True)
            self._to_front()
        elif (row_or_none := self.rows.get(getattr(event, "id", ""))) is not None:
            self._update(row_or_none, event)

    def _update(self, row: TransferRow, event: EngineEvent) -> None:
        if isinstance(event, FileProgress):
            row.bar.show()
            row.bar.setValue(event.bytes)
            row.status.setText(f"{human_size(event.bytes)} of {human_size(row.size)}")
            row.show_buttons(answer=False, cancel=True)
        elif isinstance(event, FileReceived):
            row.bar.show()
            row.bar.setValue(row.bar.maximum())
            row.finish(f"Saved as {event.path} (checksum verified).")
        elif isinstance(event, FileSent):
            row.bar.show()
            row.bar.setValue(row.bar.maximum())
            row.finish(f"Sent: {self.peer} has it, checksum verified.")
        elif isinstance(event, FileFailed):
            row.finish(event.message[:1].upper() + event.message[1:] + ".")

    def _add(self, transfer_id: str, title: str, event: FileOffered | FileSending) -> TransferRow:
        row = TransferRow(title, event.size)
        row.cancel.clicked.connect(lambda: self.cancel_file.emit(transfer_id))
        self.rows[transfer_id] = row
        self.names[transfer_id] = event.name
        self.list.insertWidget(self.list.count() - 1, row)
        return row

    def _save(self, transfer_id: str) -> None:
        folder = self.chooser(self, self.names.get(transfer_id, "the file"))
        if folder:
            self.accept_file.emit(transfer_id, folder)

    def _to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
