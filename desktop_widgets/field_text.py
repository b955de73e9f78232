"""What both apps say about the network path and the server's key, in one wording.

People on the phone with a helper compare what they see; the same words on both sides help.
"""

from __future__ import annotations

_TRUST = {
    "first_use": "First connection to this server: its key is now remembered, but nothing "
    "confirms it is your organisation's, so cards it shows are not verified.",
    "mismatch": "Warning: this is not your organisation's server; cards it shows are not verified.",
}


def connection_path(relayed: bool) -> str:
    if relayed:
        return "Connected through your organisation's relay server."
    return "Connected directly."


def server_trust_note(how: str) -> str:
    """An extra sentence for the sign-in status, empty when the key is the expected one."""
    return _TRUST.get(how, "")
