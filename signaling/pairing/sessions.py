"""One pairing between a helper and a sharer, from code (or help request) to end, on the
server's side."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from common.permissions import ConsentLevel, Feature, Permission
from common.state_machine import StateMachine
from signaling.connection import Connection
from signaling.pairing.session_limits import SessionClock


class ServerSessionState(Enum):
    WAITING_FOR_SHARER = "waiting_for_sharer"
    AWAITING_CONSENT = "awaiting_consent"
    ACTIVE = "active"
    ENDED = "ended"


_S = ServerSessionState
SERVER_TRANSITIONS = {
    _S.WAITING_FOR_SHARER: frozenset({_S.AWAITING_CONSENT, _S.ENDED}),
    _S.AWAITING_CONSENT: frozenset({_S.ACTIVE, _S.ENDED}),
    _S.ACTIVE: frozenset({_S.ENDED}),
    _S.ENDED: frozenset(),
}


@dataclass(eq=False)
class PairingSession:
    id: str
    helper: Connection
    dtls_fingerprint: str
    sharer: Connection | None = None
    machine: StateMachine[ServerSessionState] = field(
        default_factory=lambda: StateMachine(_S.WAITING_FOR_SHARER, SERVER_TRANSITIONS)
    )
    permissions: frozenset[Permission] = frozenset()
    offered: list[ConsentLevel] = field(default_factory=list)
    expiry: asyncio.TimerHandle | None = None
    consented: bool = False
    control_requested: bool = False
    audit_id: str | None = None
    # Features refused in this session, recorded once each (see ``Hub._feature``).
    refused: set[Feature] = field(default_factory=set)
    # File transfers recorded in this session (bounded, see ``Hub._file``).
    files_recorded: int = 0
    # What the sharer allowed beyond the level (clipboard, files, elevate), as it is now.
    allowed: frozenset[Permission] = frozenset()
    # The organisation's time limits on this session (signaling.pairing.session_limits).
    clock: SessionClock | None = None
    # A help request for an enrolled device (signaling.pairing.device_help), instead of a code: only
    # a sharer that proved this device may join, by ``expires_at``.
    for_device: str | None = None
    expires_at: datetime | None = None

    @property
    def state(self) -> ServerSessionState:
        return self.machine.state

    def stop_expiry(self) -> None:
        """Stop every timer of this session: the code's expiry and the time limits."""
        if self.expiry is not None:
            self.expiry.cancel()
            self.expiry = None
        if self.clock is not None:
            self.clock.stop()

    def other(self, conn: Connection) -> Connection | None:
        return self.sharer if conn is self.helper else self.helper
