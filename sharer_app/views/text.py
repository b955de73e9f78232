"""Plain words for the sharer about why a session ended."""

from __future__ import annotations

END_REASONS = {
    "sharer_ended": "You stopped sharing.",
    "helper_ended": "Your helper ended the session.",
    "declined": "You declined. Nothing was shared.",
    "helper_disconnected": "Your helper's connection was lost.",
    "sharer_disconnected": "Your connection to the server was lost.",
    "peer_timeout": "The connection to your helper was lost.",
    "connection_failed": "The connection to your helper could not be made.",
    "identity_mismatch": "Stopped for your safety: the connection did not come from the "
    "verified helper.",
    "server_shutdown": "The Helpline server was shut down.",
    "signaling_lost": "The connection to the Helpline server was lost.",
}


def end_reason_text(reason: str) -> str:
    return END_REASONS.get(reason, "The session ended.")
