"""Plain words for the helper about why a session ended."""

from __future__ import annotations

END_REASONS = {
    "helper_ended": "You ended the session.",
    "sharer_ended": "The person you were helping ended the session.",
    "declined": "The person declined your request.",
    "helper_disconnected": "Your connection to the server was lost.",
    "sharer_disconnected": "The other person's connection was lost.",
    "peer_timeout": "The connection was lost: the other side stopped answering.",
    "connection_failed": "The connection could not be made.",
    "identity_mismatch": "The connection was refused: the identity check failed.",
    "server_shutdown": "The server was shut down.",
    "signaling_lost": "The connection to the server was lost.",
    "code_expired": "The code expired.",
}


def end_reason_text(reason: str) -> str:
    return END_REASONS.get(reason, "The session ended.")
