"""The ICE servers each signed-in app gets in ``welcome``, with TURN REST credentials.

The TURN server (coturn with ``use-auth-secret``) shares one secret with us and checks a
password we derive, so no per-user account lives on it and a credential stops working on
its own: the username is ``expiry:user-id`` and the password base64(HMAC-SHA1(secret,
username)), the scheme coturn calls "TURN REST API". Nothing is handed out unless the
operator configured it: with no URL the apps use host candidates only and contact nobody.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from common.protocol import IceServer


class TurnConfigError(Exception):
    """The TURN settings cannot work; the message says why in one line."""


def turn_password(secret: bytes, username: str) -> str:
    digest = hmac.new(secret, username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def read_turn_secret(path: Path) -> bytes:
    try:
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise TurnConfigError(f"cannot read the TURN secret file {path}: {exc.strerror}") from exc
    if not secret:
        raise TurnConfigError(f"the TURN secret file {path} is empty")
    return secret


class IceServerIssuer:
    """Turns the configured URLs into ``welcome.ice_servers`` for one user."""

    def __init__(
        self,
        urls: Sequence[str],
        secret: bytes | None,
        lifetime_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._stun = [u for u in urls if u.startswith("stun:")]
        self._turn = [u for u in urls if u.startswith(("turn:", "turns:"))]
        unknown = [u for u in urls if u not in self._stun and u not in self._turn]
        if unknown:
            raise TurnConfigError(f"not a stun:, turn: or turns: URL: {unknown[0]}")
        if self._turn and secret is None:
            raise TurnConfigError("--turn-url with a turn: URL needs --turn-secret-file")
        self._secret = secret or b""
        self._lifetime = lifetime_seconds
        self._clock = clock

    def for_user(self, user_id: str) -> list[IceServer]:
        servers = [IceServer(urls=self._stun)] if self._stun else []
        if self._turn:
            expiry = int(self._clock()) + self._lifetime
            # coturn reads the expiry before the first colon; the user id only labels its logs.
            username = f"{expiry}:{user_id.replace(':', '_')}"
            password = turn_password(self._secret, username)
            servers.append(IceServer(urls=self._turn, username=username, credential=password))
        return servers
