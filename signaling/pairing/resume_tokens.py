"""Resume tokens: what lets a session be carried on after the server restarted.

The pairing sessions live in memory, so a restart forgets them while the peer-to-peer link
goes on. Rather than keep that state somewhere, the server gives each side, once a session is
under way, a token signed with its persistent card-signing key that names the session, its
audit record, the side and the account. After a restart each app signs in again and sends it
back; the server believes what it signed itself, checks the account is the one signed in,
and rebuilds the session once both sides are back. The audit record, not the token, says
whether the session may still go on: one that really ended cannot be resumed.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from common.protocol import PeerRole
from signaling.connection import Connection

# Domain separation: a resume token's signature can never pass for a card's or a checkpoint's.
CONTEXT = b"helpline-resume|"


class ResumeRefused(Exception):
    """The token cannot be used; the message says why, in words fit for the app."""


@dataclass(frozen=True)
class ResumeClaims:
    session_id: str
    audit_id: str
    role: PeerRole
    account: str  # Account.key: tenant and object id
    expires: int  # Unix time
    # The replica that held the session when this was issued ("" for one process): its
    # audit bookkeeping passes to the replica that takes the session on.
    replica: str = ""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ResumeTokens:
    def __init__(
        self,
        key: Ed25519PrivateKey,
        lifetime_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = key
        self._lifetime = lifetime_seconds
        self._clock = clock

    def issue(
        self, session_id: str, audit_id: str, conn: Connection, replica: str = ""
    ) -> tuple[str, datetime]:
        expires = int(self._clock()) + self._lifetime
        body = json.dumps(
            {
                "s": session_id,
                "a": audit_id,
                "r": conn.role.value,
                "u": conn.account.key,
                "e": expires,
                "h": replica,
                # Unique even when reissued within the same second: signatures are
                # deterministic, so without it a fresh token could equal the last one.
                "n": secrets.token_urlsafe(12),
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        token = f"{_b64(body)}.{_b64(self._key.sign(CONTEXT + body))}"
        return token, datetime.fromtimestamp(expires, UTC)

    def verify(self, token: str, conn: Connection) -> ResumeClaims:
        """The claims of a token this server signed for this account and side, not expired."""
        try:
            body_text, signature_text = token.split(".")
            body, signature = _unb64(body_text), _unb64(signature_text)
            self._key.public_key().verify(signature, CONTEXT + body)
            data = json.loads(body)
            claims = ResumeClaims(
                session_id=str(data["s"]),
                audit_id=str(data["a"]),
                role=PeerRole(data["r"]),
                account=str(data["u"]),
                expires=int(data["e"]),
                replica=str(data.get("h", "")),
            )
        except (ValueError, KeyError, TypeError, binascii.Error, InvalidSignature) as exc:
            raise ResumeRefused("that resume token was not issued by this server") from exc
        if claims.expires <= self._clock():
            raise ResumeRefused("that resume token has expired: the session cannot go on")
        if claims.account != conn.account.key or claims.role is not conn.role:
            raise ResumeRefused("that resume token belongs to another account")
        return claims
