"""The file transfers window both apps show: offers to accept or decline, progress, cancel.

A thin view over the engine's transfers (``client.session.file_transfers``): it shows the
``file_*`` events and turns clicks into the service's ``accept_file``, ``decline_file`` and
``cancel_file``; it decides nothing. It comes to the front when a file is offered, so an
offer is never missed behind another window, and the folder is the receiver's own choice.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QProgressBar,
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
from client.session.file_transfers import Reason
from desktop_widgets.widgets import Button, named, plain_label, title_label

FILE_EVENTS: tuple[type[EngineEvent], ...] = (
    FileOffered,
    FileSending,
    FileProgress,
    FileReceived,
    FileSent,
    FileFailed,
)
FolderChooser = Callable[[QWidget, str], str]
CONTEXT = "FileTransfers"
# Each unit's words, marked for translation ("octets", "Ko" in French).
UNITS = (
    QT_TRANSLATE_NOOP("FileTransfers", "{n} bytes"),
    QT_TRANSLATE_NOOP("FileTransfers", "{n} KB"),
    QT_TRANSLATE_NOOP("FileTransfers", "{n} MB"),
    QT_TRANSLATE_NOOP("FileTransfers", "{n} GB"),
)
# What a person reads for the engine's ``file_failed`` reason (the event's English sentence
# stays for the headless JSON lines).
REASON_WORDS: dict[Reason, str] = {
    Reason.DECLINED: QT_TRANSLATE_NOOP("FileTransfers", "The other side declined the file."),
    Reason.CANCELLED: QT_TRANSLATE_NOOP("FileTransfers", "The transfer was cancelled."),
    Reason.TOO_LARGE: QT_TRANSLATE_NOOP(
        "FileTransfers", "The file is larger than the limit for one file or for this session."
    ),
    Reason.REVOKED: QT_TRANSLATE_NOOP(
        "FileTransfers", "File transfer is no longer allowed in this session."
    ),
    Reason.SESSION_ENDED: QT_TRANSLATE_NOOP(
        "FileTransfers", "The session ended before the file arrived."
    ),
    Reason.CHECKSUM_MISMATCH: QT_TRANSLATE_NOOP(
        "FileTransfers", "The file arrived damaged (its SHA-256 did not match): not kept."
    ),
    Reason.FILE_CHANGED: QT_TRANSLATE_NOOP(
        "FileTransfers", "The file changed while it was being sent."
    ),
    Reason.TOO_MANY_BYTES: QT_TRANSLATE_NOOP(
        "FileTransfers", "More data arrived than the file's size."
    ),
    Reason.NOT_CONNECTED: QT_TRANSLATE_NOOP("FileTransfers", "The file channel closed."),
    Reason.WRITE_FAILED: QT_TRANSLATE_NOOP("FileTransfers", "The file could not be written."),
    Reason.READ_FAILED: QT_TRANSLATE_NOOP("FileTransfers", "The file could not be read."),
}
UNKNOWN_FAILURE = QT_TRANSLATE_NOOP("FileTransfers", "The file did not arrive.")


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def human_size(size: int) -> str:
    value = float(size)
    for power, unit in enumerate(UNITS):
        if value < 1024 or power == len(UNITS) - 1:
            return _tr(unit).format(n=f"{value:.0f}" if power == 0 else f"{value:.1f}")
        value /= 1024
    raise AssertionError("the last unit always answers")


def failure_words(reason: str) -> str:
    """Why a transfer stopped, in the person's language; a reason this version does not
    know gets plain words too."""
    try:
        return _tr(REASON_WORDS[Reason(reason)])
    except (ValueError, KeyError):
        return _tr(UNKNOWN_FAILURE)


def choose_folder(parent: QWidget, name: str) -> str:
    """Where to save ``name``: the receiver picks a folder (Downloads to start with)."""
    start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    title = QCoreApplication.translate("FileTransfers", "Save {name} in…").format(name=name)
    return QFileDialog.getExistingDirectory(parent, title, start)


def choose_file_to_send(parent: QWidget) -> str:
    """The file to offer; the other side still has to accept it."""
    path, _ = QFileDialog.getOpenFileName(
        parent, QCoreApplication.translate("FileTransfers", "Send a file")
    )
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
        # A progress bar counts in 32-bit ints: a file of 2 GiB or more moves it in steps.
        self.step = max(1, -(-size // 0x7FFFFFFF))
        self.bar.setRange(0, max(size // self.step, 1))
        self.bar.setValue(0)
        self.bar.setAccessibleName(self.tr("Transfer progress"))
        self.bar.hide()  # until bytes move: an offer is not a transfer at 0 %
        self.save = Button(self.tr("&Save…"), "primary")
        self.decline = Button(self.tr("&Decline"))
        self.cancel = Button(self.tr("&Cancel"))
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
        self.setWindowTitle(self.tr("Helpline — Files"))
        self.peer = peer
        self.chooser = chooser
        self.rows: dict[str, TransferRow] = {}
        self.names: dict[str, str] = {}
        self.list = QVBoxLayout()
        self.list.addStretch(1)
        body = QWidget()
        body.setLayout(self.list)
        scroll = named(QScrollArea(), self.tr("Files offered and sent"))
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(self.tr("Files")))
        layout.addWidget(
            plain_label(
                self.tr(
                    "Only accept files you expect. A file is kept only when it arrived whole "
                    "and its checksum matched; it never replaces a file you have."
                )
            )
        )
        layout.addWidget(scroll, 1)
        self.resize(520, 360)

    def on_event(self, event: EngineEvent) -> None:
        if isinstance(event, FileOffered):
            title = self.tr("{peer} offers {name}").format(peer=self.peer, name=event.name)
            row = self._add(event.id, title, event)
            row.status.setText(
                self.tr("{size}. SHA-256 {sha256}…").format(
                    size=human_size(event.size), sha256=event.sha256[:16]
                )
            )
            row.show_buttons(answer=True, cancel=False)
            row.save.clicked.connect(lambda: self._save(event.id))
            row.decline.clicked.connect(lambda: self.decline_file.emit(event.id))
            self._to_front()
        elif isinstance(event, FileSending):
            title = self.tr("Sending {name} to {peer}").format(name=event.name, peer=self.peer)
            row = self._add(event.id, title, event)
            row.status.setText(
                self.tr("{size}: waiting for {peer} to accept.").format(
                    size=human_size(event.size), peer=self.peer
                )
            )
            row.show_buttons(answer=False, cancel=True)
            self._to_front()
        elif (row_or_none := self.rows.get(getattr(event, "id", ""))) is not None:
            self._update(row_or_none, event)

    def _update(self, row: TransferRow, event: EngineEvent) -> None:
        if isinstance(event, FileProgress):
            row.bar.show()
            row.bar.setValue(event.bytes // row.step)
            row.status.setText(
                self.tr("{done} of {size}").format(
                    done=human_size(event.bytes), size=human_size(row.size)
                )
            )
            row.show_buttons(answer=False, cancel=True)
        elif isinstance(event, FileReceived):
            row.bar.show()
            row.bar.setValue(row.bar.maximum())
            row.finish(self.tr("Saved as {path} (checksum verified).").format(path=event.path))
        elif isinstance(event, FileSent):
            row.bar.show()
            row.bar.setValue(row.bar.maximum())
            row.finish(self.tr("Sent: {peer} has it, checksum verified.").format(peer=self.peer))
        elif isinstance(event, FileFailed):
            row.finish(failure_words(event.reason))

    def _add(self, transfer_id: str, title: str, event: FileOffered | FileSending) -> TransferRow:
        row = TransferRow(title, event.size)
        row.cancel.clicked.connect(lambda: self.cancel_file.emit(transfer_id))
        self.rows[transfer_id] = row
        self.names[transfer_id] = event.name
        self.list.insertWidget(self.list.count() - 1, row)
        return row

    def _save(self, transfer_id: str) -> None:
        folder = self.chooser(self, self.names.get(transfer_id, self.tr("the file")))
        if folder:
            self.accept_file.emit(transfer_id, folder)

    def _to_front(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
