"""Which card-signing key the apps accept, so only the organisation's server can vouch.

The key in ``welcome`` comes over the very connection that delivers the card, so on its own
it proves nothing: a look-alike server signs its own card for "Microsoft Support". The
organisation therefore names its key's fingerprint (``server_key`` in a ``helpline.toml``
that IT installs in the platform's site or user configuration folder; the site file wins, and
``next_server_key`` lets a rotation be rolled out before it happens), or ``--server-key``
where there is no such file. A flag never overrides the organisation's pin: one that names
another key is refused before anything is contacted. Without any, the first key seen for a
server URL is remembered (trust on first use) and a different one later is refused outright,
as SSH does; a card signed with a key seen for the first time is not shown as verified,
because nothing yet says that key is the organisation's.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from client.org_config import CONFIG_NAME, readable_configs
from client.settings import AppSettings
from common.key_fingerprint import key_fingerprint, normalise_fingerprint

log = logging.getLogger(__name__)

KNOWN_SERVERS_NAME = "known_servers.json"


class ServerKeyChanged(Exception):
    """The server signs with another key than the one pinned at first use."""


@dataclass(frozen=True)
class ServerTrust:
    """How far cards from this server may be believed, and why, for the screen."""

    verified: bool
    how: str  # "configured", "mismatch", "pinned" or "first_use"
    reason: str = ""


class PinOverridden(Exception):
    """A flag or ``HELPLINE_SERVER_KEY`` names another key than the organisation pins."""


FIRST_USE_REASON = (
    "this server's key was seen for the first time on this computer, and nothing says it is "
    "your organisation's"
)


def organisation_pins() -> tuple[Path | None, list[str]]:
    """The key fingerprints pinned by the most authoritative ``helpline.toml`` naming any."""
    for path, config in readable_configs():
        keys = [config.get("server_key"), config.get("next_server_key")]
        found = [normalise_fingerprint(k) for k in keys if isinstance(k, str) and k.strip()]
        if found:
            return path, found
    return None, []


def configured_keys(settings: AppSettings) -> list[str]:
    """The organisation's pins when it has any (they win), else the flag's key."""
    _path, pins = organisation_pins()
    if pins:
        return pins
    return [normalise_fingerprint(settings.server_key)] if settings.server_key else []


def check_pin_override(settings: AppSettings) -> None:
    """Raise :class:`PinOverridden`, in one line, when a given key contradicts the pin."""
    path, pins = organisation_pins()
    if not pins or not settings.server_key:
        return
    given = normalise_fingerprint(settings.server_key)
    if given not in pins:
        raise PinOverridden(
            f"--server-key/HELPLINE_SERVER_KEY {given} is not the key your organisation pins "
            f"in {path} ({', '.join(pins)}); the organisation's pin wins, so this is refused"
        )


def _server_id(server_url: str) -> str:
    parts = urlsplit(server_url)
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or default}"


class KnownServers:
    """The first key seen per server URL, in the user's data folder."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(platformdirs.user_data_dir("helpline")) / KNOWN_SERVERS_NAME

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("known servers file unreadable, starting afresh: %s", exc)
            return {}
        return {k: v for k, v in data.items() if isinstance(v, str)}

    def get(self, server_url: str) -> str | None:
        return self._load().get(_server_id(server_url))

    def remember(self, server_url: str, fingerprint: str) -> None:
        known = self._load()
        known[_server_id(server_url)] = fingerprint
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(known, indent=2, sort_keys=True))
        os.replace(partial, self.path)


def check_server_key(
    settings: AppSettings, server_key_b64: str, known: KnownServers | None = None
) -> ServerTrust:
    """Judge the key in ``welcome``; raises :class:`ServerKeyChanged` when a pin is broken."""
    fingerprint = key_fingerprint(server_key_b64)
    configured = configured_keys(settings)
    if configured:
        if fingerprint in configured:
            return ServerTrust(True, "configured")
        return ServerTrust(
            False,
            "mismatch",
            f"signed by a key ({fingerprint}) that is not your organisation's server key",
        )
    known = known or KnownServers()
    pinned = known.get(settings.server)
    if pinned is None:
        known.remember(settings.server, fingerprint)
        return ServerTrust(False, "first_use", FIRST_USE_REASON)
    if pinned == fingerprint:
        return ServerTrust(True, "pinned")
    raise ServerKeyChanged(
        f"the server at {_server_id(settings.server)} now signs identity cards with another key "
        f"({fingerprint}, first seen {pinned}); refusing it. If your organisation replaced "
        f"its server key, add it to {CONFIG_NAME} or remove the server from {known.path}"
    )
