"""The sharer's gate for messages from the helper: each type needs a permission, or none.

The sharer is the authority over its own machine, as for input (``input_gate``): what the
helper may do comes from the server (derived from the helper's roles over this device, at the
start of the session and again at each resume), and every message from the helper is checked
against it here, whatever the helper's app believes. New peer features add a row to
:data:`PEER_PERMISSIONS`; a message type without a row is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from client.session.refusal_reports import RefusalReports, Reporter
from common.peer_messages import PeerMessage
from common.permissions import Feature, Permission

FILE_DATA = "file_data"
# What each peer message type needs; None: session plumbing any peer in the session sends.
PEER_PERMISSIONS: dict[str, Permission | None] = {
    "chat": Permission.CHAT,
    "clipboard": Permission.CLIPBOARD,
    "file_offer": Permission.FILES,
    "file_accept": Permission.FILES,
    "file_decline": Permission.FILES,
    "file_done": Permission.FILES,
    # Each chunk on the files channel (not a control message, checked all the same).
    FILE_DATA: Permission.FILES,
    # Stopping a transfer takes nothing from the sharer: heard whatever is allowed, so the
    # helper's own stop after a revocation is not counted as a refusal.
    "file_cancel": None,
    # A notice that tells the sharer more, never less: any helper in the session may send it.
    "snapshot_taken": None,
    # Which of the allowed monitors to see; the sharer's screen list decides the rest.
    "switch_monitor": Permission.VIEW,
    # The sharer's own notices to the helper (as paused/resumed): one from a helper is ignored.
    "admin_prompt": None,
    "monitors": None,
    "heartbeat": None,
    "heartbeat_ack": None,
    "paused": None,
    "resumed": None,
    "link_slow": None,
    "bye": None,
}
# How the audit names the use (or refusal) of a permission.
FEATURES: dict[Permission, Feature] = {
    Permission.CHAT: Feature.CHAT,
    Permission.CLIPBOARD: Feature.CLIPBOARD,
    Permission.FILES: Feature.FILES,
}
UNKNOWN = "unknown"


class PeerGate:
    """Lets through only what the helper's permissions allow; counts and reports the rest.

    ``on_first_refusal`` hears of each feature's first refusal (the engine tells the server,
    for the audit); the batched ``report`` tells the sharer how many were refused.
    """

    def __init__(self, report: Reporter, on_first_refusal: Callable[[Feature], None]) -> None:
        self._refusals = RefusalReports(report)
        self._on_first_refusal = on_first_refusal
        self._refused: set[Feature] = set()
        self.permissions: frozenset[Permission] = frozenset()

    def set_permissions(self, permissions: Iterable[Permission]) -> frozenset[Permission]:
        """Take the server's word for what the helper may do now; returns what was dropped."""
        new = frozenset(permissions)
        dropped = self.permissions - new
        self.permissions = new
        return dropped

    def allows(self, message: PeerMessage) -> bool:
        return self.allows_type(message.type)

    def allows_type(self, kind: str) -> bool:
        if kind not in PEER_PERMISSIONS:
            self._refusals.refuse(UNKNOWN)
            return False
        needed = PEER_PERMISSIONS[kind]
        if needed is None or needed in self.permissions:
            return True
        self._refusals.refuse(needed.value)
        feature = FEATURES.get(needed)
        if feature is not None and feature not in self._refused:
            self._refused.add(feature)
            self._on_first_refusal(feature)
        return False

    def flush(self, *, force: bool = False) -> None:
        self._refusals.flush(force=force)
