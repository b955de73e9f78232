"""Help on an enrolled device: who may ask, whether anyone there can answer, and who is told.

A helper asks for a device instead of giving out a code. The hub opens the same pairing
session a code would (``Hub._request_help``), bound to that device; this module finds the
device and checks the helper's scope over its groups, says whether the device can answer
(its agent is connected, or a sharer app on it waits for help), and offers the request to
the sharer apps that prove they run on it, and to its agent, which tells the person. Only a
sharer that proved that very device may take the request up, and it joins as after a code:
the card, the consent and the audit are the pairing's own.

The console asks on its user's behalf: it tells that person's signed-in helper app, which
sends the request itself (the session's picture is shown there, and the card binds that
app's DTLS certificate). What became of the latest request of each helper for each device is
kept here for the console page to show.

Requests reach sharer apps and agents connected to this replica; with several replicas a
device connected to another one is not reached (it is said to be offline).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from common.devices.records import DeviceRecord
from common.permissions import offered_levels
from common.protocol import ErrorCode, HelpAsked, HelpOffered, PeerRole
from signaling.devices.rules import RefusalKind, Refused
from signaling.devices.service import DeviceService, DevicesUnavailable
from signaling.identity.rbac import Account
from signaling.pairing.sessions import PairingSession, ServerSessionState

if TYPE_CHECKING:
    from signaling.connection import Connection

log = logging.getLogger(__name__)

OFFLINE_MESSAGE = (
    "{name} is offline: neither its device agent nor a Helpline app on it is connected. "
    "Ask the person to start Helpline, or give them a code instead."
)
NO_HELPER_APP_MESSAGE = (
    "Your helper app is not signed in: open Helpline (helpline-helper) as {upn}, then ask "
    "again here, or use Devices… then Help on this device in the app."
)


# Why a request ended that the helper replaced (a new code, another request).
WITHDRAWN = "withdrawn"


class HelpRefused(Exception):
    """A help request that cannot be made; ``code`` and ``message`` go back to the helper."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class HelpState(StrEnum):
    """Where a helper's latest request for a device stands, as the console shows it."""

    NO_HELPER_APP = "no_helper_app"  # the console asked, but no helper app of theirs is open
    ASKED = "asked"  # the console told the helper app, which is to send the request
    DEVICE_OFFLINE = "device_offline"
    WAITING = "waiting"  # the device was asked and has not answered yet
    AWAITING_CONSENT = "awaiting_consent"  # the sharer sees the helper's card
    ACTIVE = "active"
    ENDED = "ended"


FINAL_HELP_STATES = frozenset({HelpState.NO_HELPER_APP, HelpState.DEVICE_OFFLINE, HelpState.ENDED})


@dataclass(frozen=True)
class HelpProgress:
    device_id: str
    state: HelpState
    at: datetime
    reason: str = ""  # why it ended, an end reason
    message: str = ""  # what the person is told to do next, when there is something

    @property
    def final(self) -> bool:
        return self.state in FINAL_HELP_STATES


class DeviceHelp:
    def __init__(self, devices: DeviceService) -> None:
        self._devices = devices
        # Sharer apps on proven devices that wait for help, by device id.
        self._listening: dict[str, list[Connection]] = {}
        # Signed-in helper apps, by account, newest last: where the console's asks go.
        self._helpers: dict[str, list[Connection]] = {}
        self._progress: dict[tuple[str, str], HelpProgress] = {}
        # The hub's table of sessions, where a connection's session is found by its id.
        self._sessions: Mapping[str, PairingSession] = {}

    def bind(self, sessions: Mapping[str, PairingSession]) -> None:
        """The hub hands over its table: only a helper app with no session under way is
        asked from the console."""
        self._sessions = sessions

    # ---- connections -------------------------------------------------------------------

    def signed_in(self, conn: Connection) -> None:
        if conn.role is PeerRole.HELPER:
            self._helpers.setdefault(conn.account.key, []).append(conn)

    def listen(self, conn: Connection, device_id: str) -> None:
        waiting = self._listening.setdefault(device_id, [])
        if conn not in waiting:
            waiting.append(conn)

    def left(self, conn: Connection) -> None:
        for table in (self._helpers, self._listening):
            for key, conns in list(table.items()):
                if conn in conns:
                    conns.remove(conn)
                if not conns:
                    del table[key]

    # ---- a request ---------------------------------------------------------------------

    async def target(self, account: Account, device_id: str) -> DeviceRecord:
        """The device, when this helper may help on it and someone there can answer."""
        try:
            device = await self._devices.device(account, device_id)
        except Refused as exc:
            code = (
                ErrorCode.INVALID if exc.kind is RefusalKind.NOT_FOUND else ErrorCode.OUT_OF_SCOPE
            )
            raise HelpRefused(code, exc.message) from exc
        except DevicesUnavailable as exc:
            raise HelpRefused(
                ErrorCode.INTERNAL, "the server cannot read devices right now; try again later"
            ) from exc
        if not offered_levels(self._devices.permissions_on(account, device)):
            raise HelpRefused(
                ErrorCode.OUT_OF_SCOPE,
                f"your role does not let you see or control {device.name}, so you cannot help "
                "on it",
            )
        if not self.online(device.id):
            self.note(account, device.id, HelpState.DEVICE_OFFLINE)
            raise HelpRefused(ErrorCode.DEVICE_OFFLINE, OFFLINE_MESSAGE.format(name=device.name))
        return device

    def online(self, device_id: str) -> bool:
        return bool(self._listening.get(device_id)) or self._devices.agent_online(device_id)

    async def offer(self, session: PairingSession, offer: HelpOffered) -> None:
        """Ask the device: its waiting sharer apps get the offer, its agent tells the person."""
        device_id = session.for_device or ""
        for conn in list(self._listening.get(device_id, [])):
            if conn.session_id is None:
                await conn.send(offer)
        await self._devices.tell_help(device_id, offer.helper_name, offer.expires_at)
        log.info("help requested device=%s", device_id)

    # ---- the console -------------------------------------------------------------------

    async def ask_from_console(self, account: Account, device_id: str) -> HelpProgress:
        """The console's "Help on this device": that person's helper app makes the request."""
        try:
            device = await self.target(account, device_id)
        except HelpRefused as exc:
            if exc.code is not ErrorCode.DEVICE_OFFLINE:
                raise
            return self.note(account, device_id, HelpState.DEVICE_OFFLINE, message=exc.message)
        apps = [c for c in self._helpers.get(account.key, []) if self._free(c)]
        if not apps:
            message = NO_HELPER_APP_MESSAGE.format(upn=account.upn)
            return self.note(account, device.id, HelpState.NO_HELPER_APP, message=message)
        await apps[-1].send(HelpAsked(device_id=device.id))
        return self.note(account, device.id, HelpState.ASKED)

    def progress(self, account: Account, device_id: str) -> HelpProgress | None:
        return self._progress.get((account.key, device_id))

    def note(
        self,
        account: Account,
        device_id: str,
        state: HelpState,
        *,
        reason: str = "",
        message: str = "",
    ) -> HelpProgress:
        now = HelpProgress(device_id, state, datetime.now(UTC), reason=reason, message=message)
        self._progress[(account.key, device_id)] = now
        return now

    def moved(self, session: PairingSession, state: HelpState, reason: str = "") -> None:
        """The hub moved a session that a help request opened."""
        if session.for_device is not None:
            self.note(session.helper.account, session.for_device, state, reason=reason)

    def _free(self, conn: Connection) -> bool:
        """A helper app with nothing under way but perhaps a code waiting (which the request
        replaces)."""
        session = self._sessions.get(conn.session_id) if conn.session_id else None
        return session is None or session.state is ServerSessionState.WAITING_FOR_SHARER
