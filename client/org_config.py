"""``helpline.toml``: what the organisation's IT hands out with the apps, read in one place.

It names the organisation's server (``server``), the CA bundle for its certificate
(``ca_file``, relative to the file's folder) and the card-signing key's fingerprints
(``server_key``, ``next_server_key``). The site file (installed with the apps) wins over the
user's; flags and ``HELPLINE_*`` variables win over both for the server and the CA, so a
tester can still point one run elsewhere, but never over the key pin: a caller who dictates a
``--server-key`` must not be able to vouch for a look-alike server on a managed machine.

A file that is there but broken, empty or mistyped stops the apps with one line naming the
file and the line: falling back silently would turn a typo into trust on first use.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import platformdirs

CONFIG_NAME = "helpline.toml"


def config_files() -> list[Path]:
    """Where IT puts ``helpline.toml``, most authoritative first."""
    return [
        Path(platformdirs.site_config_dir("helpline")) / CONFIG_NAME,
        Path(platformdirs.user_config_dir("helpline")) / CONFIG_NAME,
    ]


STRING_KEYS = ("server", "ca_file", "server_key", "next_server_key")


class OrgConfigError(Exception):
    """``helpline.toml`` is there but cannot be used; the message names the file and line."""


def readable_configs() -> list[tuple[Path, dict[str, Any]]]:
    """Each file that exists, most authoritative first; raises :class:`OrgConfigError` for
    one that cannot be read, does not parse, is empty or gives a setting the wrong type."""
    return [(path, _load(path)) for path in config_files() if path.is_file()]


def _load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise OrgConfigError(f"{path}: cannot be read: {exc}") from exc
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OrgConfigError(f"{path}: not valid TOML: {exc}") from exc
    if not config:
        raise OrgConfigError(
            f"{path}: line 1: the file is empty; it must set at least one of "
            f"{', '.join(STRING_KEYS)} (or be removed)"
        )
    for key in STRING_KEYS:
        value = config.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise OrgConfigError(f"{path}: line {_line_of(text, key)}: {key} must be a text")
    return config


def _line_of(text: str, key: str) -> int:
    """The line that sets ``key`` at the top level, for the message."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.split("=", 1)[0].strip() == key:
            return number
    return 1


def connection_defaults() -> dict[str, Any]:
    """``server`` and ``ca_file`` from the most authoritative file that sets each."""
    values: dict[str, Any] = {}
    for path, config in reversed(readable_configs()):
        server = config.get("server")
        if isinstance(server, str) and server.strip():
            values["server"] = server.strip()
        ca_file = config.get("ca_file")
        if isinstance(ca_file, str) and ca_file.strip():
            values["ca_file"] = path.parent / Path(ca_file.strip()).expanduser()
    return values
