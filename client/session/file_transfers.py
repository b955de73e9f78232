"""File transfer in both directions: offer, accept or decline, chunks, SHA-256, and clean-up.

The same code runs on both sides; the engines decide whether files are allowed (the sharer's
gate, ``peer_gate``, for what the helper sends) and stop every transfer when they no longer
are. A transfer is offered on the control channel (``FileOffer``: name, size, SHA-256); no
byte moves before the receiver accepts it into a folder it chose. The bytes go on their own
data channel (``files``), in chunks that start with the transfer's 8-byte id, and the sender
sends only while that channel's buffer is short (``PeerLink.files_drained``): the channels
share one SCTP association whose queue is first come, first served, so a file queued in one
go would hold every heartbeat, chat line and input event behind it.

The receiver writes into a hidden partial file in the chosen folder and gives it its name
(``file_names``) only when every byte arrived and the SHA-256 matched; a failure, a cancel,
a revocation or the end of the session removes the partial file. Sizes are capped per file
and per session (``max_file_mb``, ``max_session_files_mb``) on both sides.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from client.session.errors import ClientErrorCode, EngineError
from client.session.events import (
    EngineEvent,
    FileFailed,
    FileOffered,
    FileProgress,
    FileReceived,
    FileSending,
    FileSent,
)
from client.session.file_names import keep_under_unique_name, safe_name
from client.settings import AppSettings
from common.peer_messages import (
    FILE_ID_BYTES,
    FileAccept,
    FileCancel,
    FileDecline,
    FileDone,
    FileOffer,
    PeerMessage,
)
from common.protocol import FileOutcome
from common.state_machine import StateMachine

log = logging.getLogger(__name__)

CHUNK_BYTES = 16 * 1024
PROGRESS_SECONDS = 0.25
READ_BLOCK = 1024 * 1024
MB = 1024 * 1024


class Direction(StrEnum):
    OUT = "out"
    IN = "in"


class Reason(StrEnum):
    """Why a transfer did not complete: the ``reason`` of ``file_failed``."""

    DECLINED = "declined"
    CANCELLED = "cancelled"
    TOO_LARGE = "too_large"
    REVOKED = "revoked"
    SESSION_ENDED = "session_ended"
    CHECKSUM_MISMATCH = "checksum_mismatch"
    FILE_CHANGED = "file_changed"
    TOO_MANY_BYTES = "too_many_bytes"
    NOT_CONNECTED = "not_connected"
    WRITE_FAILED = "write_failed"
    READ_FAILED = "read_failed"


REASON_TEXTS: dict[str, str] = {
    Reason.DECLINED: "the other side declined the file",
    Reason.CANCELLED: "the transfer was cancelled",
    Reason.TOO_LARGE: "the file is larger than the limit for one file or for this session",
    Reason.REVOKED: "file transfer is no longer allowed in this session",
    Reason.SESSION_ENDED: "the session ended before the file arrived",
    Reason.CHECKSUM_MISMATCH: "the file arrived damaged (its SHA-256 did not match): not kept",
    Reason.FILE_CHANGED: "the file changed while it was being sent",
    Reason.TOO_MANY_BYTES: "more data arrived than the file's size",
    Reason.NOT_CONNECTED: "the file channel closed",
    Reason.WRITE_FAILED: "the file could not be written",
    Reason.READ_FAILED: "the file could not be read",
}


class TransferState(Enum):
    OFFERED = "offered"  # waiting for the receiver's answer
    MOVING = "moving"  # bytes on their way
    VERIFYING = "verifying"  # the sender sent the last byte; the receiver's word is awaited
    DONE = "done"
    DECLINED = "declined"
    FAILED = "failed"


_T = TransferState
TRANSFER_TRANSITIONS = {
    _T.OFFERED: frozenset({_T.MOVING, _T.DECLINED, _T.FAILED}),
    _T.MOVING: frozenset({_T.VERIFYING, _T.DONE, _T.FAILED}),
    _T.VERIFYING: frozenset({_T.DONE, _T.FAILED}),
    _T.DONE: frozenset(),
    _T.DECLINED: frozenset(),
    _T.FAILED: frozenset(),
}
FINISHED = frozenset({_T.DONE, _T.DECLINED, _T.FAILED})


@dataclass
class Transfer:
    id: str
    direction: Direction
    name: str
    size: int
    sha256: str
    source: Path | None = None  # outgoing: the file read
    partial: Path | None = None  # incoming: the hidden file written
    machine: StateMachine[TransferState] = field(
        default_factory=lambda: StateMachine(_T.OFFERED, TRANSFER_TRANSITIONS)
    )
    moved: int = 0
    digest: Any = field(default_factory=hashlib.sha256)
    sink: BinaryIO | None = None
    pump: asyncio.Task[None] | None = None
    reported_at: float = 0.0

    @property
    def state(self) -> TransferState:
        return self.machine.state


@dataclass(frozen=True)
class TransferPorts:
    """What the transfers need of their engine and its link; called on the loop."""

    send: Callable[[PeerMessage], bool]
    send_chunk: Callable[[bytes], bool]
    drained: Callable[[], Awaitable[bool]]
    emit: Callable[[EngineEvent], None]
    spawn: Callable[[Coroutine[Any, Any, None]], asyncio.Task[Any]]
    # A transfer finished (any outcome): the sharer records it for the audit, and the
    # awaitable is done once the record went to the server.
    finished: Callable[[Transfer, FileOutcome], Awaitable[None]]
    # Bytes moved: the session is not idle.
    active: Callable[[], None]


class FileTransfers:
    def __init__(self, settings: AppSettings, ports: TransferPorts) -> None:
        self._ports = ports
        self._max_file = int(settings.max_file_mb * MB)
        self._max_session = int(settings.max_session_files_mb * MB)
        self._transfers: dict[str, Transfer] = {}
        self._committed = 0  # bytes of accepted transfers this session, both ways

    # ---- commands ------------------------------------------------------------------

    async def offer(self, path: str) -> str:
        """Offer the file at ``path`` to the other side; its answer comes as events."""
        found = await asyncio.to_thread(_regular_file, path)
        if found is None:
            raise EngineError(ClientErrorCode.INVALID, f"there is no file at {path}")
        source, size = found
        self._check_size(size)
        try:
            digest = await asyncio.to_thread(_sha256_of, source)
        except OSError as exc:
            raise EngineError(ClientErrorCode.INVALID, f"{path} cannot be read") from exc
        transfer = Transfer(
            id=secrets.token_hex(FILE_ID_BYTES),
            direction=Direction.OUT,
            name=safe_name(source.name),
            size=size,
            sha256=digest,
            source=source,
        )
        offer = FileOffer(id=transfer.id, name=transfer.name, size=size, sha256=digest)
        if not self._ports.send(offer):
            raise EngineError(
                ClientErrorCode.NOT_CONNECTED, "files can be sent once the session is connected"
            )
        self._transfers[transfer.id] = transfer
        self._ports.emit(FileSending(id=transfer.id, name=transfer.name, size=size, sha256=digest))
        return transfer.id

    async def accept(self, transfer_id: str, directory: str) -> None:
        """Receive an offered file into ``directory`` (the receiver's own choice)."""
        transfer = self._offered_to_us(transfer_id)
        folder = await asyncio.to_thread(_folder, directory)
        if folder is None:
            raise EngineError(ClientErrorCode.INVALID, f"there is no folder at {directory}")
        if self._committed + transfer.size > self._max_session:
            self._fail(transfer, Reason.TOO_LARGE)
            return
        try:
            handle, partial = tempfile.mkstemp(prefix=".helpline-", suffix=".part", dir=folder)
        except OSError as exc:
            raise EngineError(ClientErrorCode.INVALID, f"{directory} is not writable") from exc
        transfer.partial = Path(partial)
        transfer.sink = os.fdopen(handle, "wb")
        self._committed += transfer.size
        transfer.machine.move(_T.MOVING)
        if not self._ports.send(FileAccept(id=transfer.id)):
            self._fail(transfer, Reason.NOT_CONNECTED, tell_peer=False)
            return
        if transfer.size == 0:
            self._complete_incoming(transfer)

    def decline(self, transfer_id: str) -> None:
        transfer = self._offered_to_us(transfer_id)
        transfer.machine.move(_T.DECLINED)
        self._ports.send(FileDecline(id=transfer.id))
        self._ports.emit(_failed(transfer.id, Reason.DECLINED))
        self._ports.finished(transfer, FileOutcome.DECLINED)

    def cancel(self, transfer_id: str) -> None:
        transfer = self._transfers.get(transfer_id)
        if transfer is None or transfer.state in FINISHED:
            raise EngineError(ClientErrorCode.INVALID, "there is no such transfer in progress")
        self._fail(transfer, Reason.CANCELLED)

    def stop_all(self, reason: Reason) -> None:
        """Revoked, or the session ends: every open transfer fails and its partial file goes."""
        for transfer in list(self._transfers.values()):
            if transfer.state not in FINISHED:
                self._fail(transfer, reason)

    # ---- from the peer -------------------------------------------------------------

    def on_message(self, message: PeerMessage) -> None:
        if isinstance(message, FileOffer):
            self._on_offer(message)
            return
        transfer = self._transfers.get(getattr(message, "id", ""))
        if transfer is None or transfer.state in FINISHED:
            log.info("file message for no open transfer ignored")
            return
        if isinstance(message, FileCancel):
            reason = message.reason if message.reason in REASON_TEXTS else Reason.CANCELLED
            self._fail(transfer, Reason(reason), tell_peer=False)
        elif transfer.direction is Direction.IN:
            log.info("file answer for a file we receive ignored")
        elif isinstance(message, FileAccept) and transfer.state is _T.OFFERED:
            self._committed += transfer.size
            transfer.machine.move(_T.MOVING)
            transfer.pump = self._ports.spawn(self._pump(transfer))
        elif isinstance(message, FileDecline) and transfer.state is _T.OFFERED:
            transfer.machine.move(_T.DECLINED)
            self._ports.emit(_failed(transfer.id, Reason.DECLINED))
            self._ports.finished(transfer, FileOutcome.DECLINED)
        elif (
            isinstance(message, FileDone)
            and transfer.state in (_T.MOVING, _T.VERIFYING)
            and transfer.moved == transfer.size
        ):
            # After the last chunk (an empty file: at once, perhaps before the pump ran).
            transfer.machine.move(_T.DONE)
            self._ports.spawn(self._completed(transfer, FileSent(id=transfer.id)))

    def on_chunk(self, data: bytes) -> None:
        """A chunk from the files channel: only for a transfer we accepted and still run."""
        transfer = self._transfers.get(data[:FILE_ID_BYTES].hex())
        if (
            transfer is None
            or transfer.direction is not Direction.IN
            or transfer.state is not _T.MOVING
            or transfer.sink is None
        ):
            log.info("file data for no accepted transfer dropped")
            return
        payload = data[FILE_ID_BYTES:]
        if transfer.moved + len(payload) > transfer.size:
            self._fail(transfer, Reason.TOO_MANY_BYTES)
            return
        try:
            transfer.sink.write(payload)
        except OSError:
            self._fail(transfer, Reason.WRITE_FAILED)
            return
        transfer.digest.update(payload)
        transfer.moved += len(payload)
        self._progress(transfer)
        if transfer.moved == transfer.size:
            self._complete_incoming(transfer)

    # ---- inside --------------------------------------------------------------------

    def _on_offer(self, message: FileOffer) -> None:
        if message.id in self._transfers:
            log.info("a second offer with a known id ignored")
            return
        transfer = Transfer(
            id=message.id,
            direction=Direction.IN,
            name=safe_name(message.name),
            size=message.size,
            sha256=message.sha256,
        )
        self._transfers[transfer.id] = transfer
        if message.size > self._max_file or self._committed + message.size > self._max_session:
            self._fail(transfer, Reason.TOO_LARGE)
            return
        self._ports.emit(
            FileOffered(
                id=transfer.id, name=transfer.name, size=transfer.size, sha256=transfer.sha256
            )
        )

    def _offered_to_us(self, transfer_id: str) -> Transfer:
        transfer = self._transfers.get(transfer_id)
        if transfer is None or transfer.direction is not Direction.IN:
            raise EngineError(ClientErrorCode.INVALID, "no file with that id was offered")
        if transfer.state is not _T.OFFERED:
            raise EngineError(ClientErrorCode.WRONG_STATE, "that file was already answered")
        return transfer

    def _check_size(self, size: int) -> None:
        if size > self._max_file:
            raise EngineError(
                ClientErrorCode.INVALID,
                f"the file is larger than the limit for one file ({self._max_file // MB} MB)",
            )
        if self._committed + size > self._max_session:
            raise EngineError(
                ClientErrorCode.INVALID,
                f"files in this session may total {self._max_session // MB} MB",
            )

    async def _pump(self, transfer: Transfer) -> None:
        """Send the accepted file, a chunk at a time and only while the channel keeps up."""
        assert transfer.source is not None
        prefix = bytes.fromhex(transfer.id)
        try:
            with transfer.source.open("rb") as source:
                while transfer.moved < transfer.size:
                    if not await self._ports.drained():
                        self._fail(transfer, Reason.NOT_CONNECTED, tell_peer=False)
                        return
                    if transfer.state is not _T.MOVING:
                        return
                    data = source.read(min(CHUNK_BYTES, transfer.size - transfer.moved))
                    if not data:
                        self._fail(transfer, Reason.FILE_CHANGED)
                        return
                    if not self._ports.send_chunk(prefix + data):
                        self._fail(transfer, Reason.NOT_CONNECTED, tell_peer=False)
                        return
                    transfer.digest.update(data)
                    transfer.moved += len(data)
                    self._progress(transfer)
        except OSError:
            self._fail(transfer, Reason.READ_FAILED)
            return
        if transfer.state is not _T.MOVING:
            return
        if transfer.digest.hexdigest() != transfer.sha256:
            self._fail(transfer, Reason.FILE_CHANGED)
            return
        transfer.machine.move(_T.VERIFYING)

    def _complete_incoming(self, transfer: Transfer) -> None:
        assert transfer.sink is not None and transfer.partial is not None
        self._progress(transfer, final=True)
        try:
            transfer.sink.close()
        except OSError:
            self._fail(transfer, Reason.WRITE_FAILED)
            return
        if transfer.digest.hexdigest() != transfer.sha256:
            self._fail(transfer, Reason.CHECKSUM_MISMATCH)
            return
        try:
            final = keep_under_unique_name(transfer.partial, transfer.partial.parent, transfer.name)
        except OSError:
            self._fail(transfer, Reason.WRITE_FAILED)
            return
        transfer.partial = None
        transfer.machine.move(_T.DONE)
        received = FileReceived(id=transfer.id, path=str(final), sha256=transfer.sha256)
        self._ports.spawn(self._completed(transfer, received, tell_peer=FileDone(id=transfer.id)))

    async def _completed(
        self, transfer: Transfer, event: EngineEvent, *, tell_peer: PeerMessage | None = None
    ) -> None:
        """Neither user hears that a file arrived before the audit has it: a session ended
        upon the news (as one often is) still records the file."""
        await self._ports.finished(transfer, FileOutcome.COMPLETED)
        if tell_peer is not None:
            self._ports.send(tell_peer)
        self._ports.emit(event)

    def _progress(self, transfer: Transfer, *, final: bool = False) -> None:
        """At most a few progress events a second, and always the last one."""
        now = time.monotonic()
        last = transfer.moved == transfer.size
        if final or last or now - transfer.reported_at >= PROGRESS_SECONDS:
            transfer.reported_at = now
            self._ports.emit(FileProgress(id=transfer.id, bytes=transfer.moved))
            self._ports.active()

    def _fail(self, transfer: Transfer, reason: Reason, *, tell_peer: bool = True) -> None:
        transfer.machine.move(_T.FAILED)
        if transfer.pump is not None and transfer.pump is not asyncio.current_task():
            transfer.pump.cancel()
        if transfer.sink is not None:
            with contextlib.suppress(OSError):
                transfer.sink.close()
        if transfer.partial is not None:
            with contextlib.suppress(OSError):
                transfer.partial.unlink()
            transfer.partial = None
        if tell_peer:
            self._ports.send(FileCancel(id=transfer.id, reason=reason.value))
        self._ports.emit(_failed(transfer.id, reason))
        self._ports.finished(transfer, FileOutcome.FAILED)


def _failed(transfer_id: str, reason: Reason) -> FileFailed:
    return FileFailed(id=transfer_id, reason=reason.value, message=REASON_TEXTS[reason])


def _regular_file(path: str) -> tuple[Path, int] | None:
    """The regular file at ``path`` (``~`` expanded) and its size, or None."""
    source = Path(path).expanduser()
    try:
        return (source, source.stat().st_size) if source.is_file() else None
    except OSError:
        return None


def _folder(path: str) -> Path | None:
    folder = Path(path).expanduser()
    return folder if folder.is_dir() else None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()
