"""The data folder's own record of the newest checkpoint this server signed.

Checkpoints live in the database, so someone who can write the database can cut the end of
the chain and the checkpoints over it together, and what is left is a whole, signed chain.
The server therefore also keeps the newest checkpoint it signed in ``audit-anchor.json``
beside its keys: ``audit verify`` run with that data folder refuses a chain that ends before
it, or that is keyed from another event than the server keyed it from. The file also holds
the newest event the server wrote, refreshed after every write, so that the events after the
last checkpoint (up to a hundred, or a minute's) cannot be cut without trace either: the file
is as private as the key, and someone who can write the database but not the data folder
cannot move it back. Replicas sharing a data folder write it in turn (a lock file); it only
ever moves forward.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

ANCHOR_FILE = "audit-anchor.json"


class AnchorError(Exception):
    """The anchor file is there but unreadable: said in one line, never guessed around."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    # The first keyed event when it was signed (None: none keyed yet).
    keyed_from: int | None
    # The newest event written, signed or not yet (None: a file from before it was kept).
    head: int | None = None
    head_hash: str | None = None


class AnchorFile:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / ANCHOR_FILE

    def load(self) -> Anchor | None:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(text)
            return Anchor(
                seq=int(data["seq"]),
                hash=str(data["hash"]),
                at=str(data["at"]),
                keyed_from=None if data["keyed_from"] is None else int(data["keyed_from"]),
                head=None if data.get("head") is None else int(data["head"]),
                head_hash=None if data.get("head_hash") is None else str(data["head_hash"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorError(f"{self.path} is not a valid audit anchor") from exc

    def advance(self, signed: Anchor | None, head: tuple[int, str] | None = None) -> None:
        """Record the newest checkpoint ``signed`` and the newest event ``head`` (seq, hash),
        each unless a newer one is there already (another replica's). Nothing is kept before
        the first checkpoint: an anchor without one would prove nothing signed."""
        with self._locked():
            current = self.load()
            anchor = current
            if signed is not None and (anchor is None or signed.seq > anchor.seq):
                kept = (anchor.head, anchor.head_hash) if anchor else (None, None)
                anchor = replace(signed, head=kept[0], head_hash=kept[1])
            if anchor is None:
                return
            if head is not None and (anchor.head is None or head[0] > anchor.head):
                anchor = replace(anchor, head=head[0], head_hash=head[1])
            if anchor == current:
                return
            partial = self.path.with_name(self.path.name + ".partial")
            partial.write_text(json.dumps(asdict(anchor)))
            partial.replace(self.path)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
