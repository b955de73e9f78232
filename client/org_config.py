"""``helpline.toml``: what the organisation's IT hands out with the apps, read in one place.

It names the organisation's server (``server``), the CA bundle for its certificate
(``ca_file``, relative to the file's folder) and the card-signing key's fingerprints
(``server_key``, ``next_server_key``). The site file (installed with the apps) wins over the
user's; flags and ``HELPLINE_*`` variables win over both, so a tester can still point one
run elsewhere.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger(__name__)

CONFIG_NAME = "helpline.toml"


def config_files() -> list[Path]:
    """Where IT puts ``helpline.toml``, most authoritative first."""
    return [
        Path(platformdirs.site_config_dir("helpline")) / CONFIG_NAME,
        Path(platformdirs.user_config_dir("helpline")) / CONFIG_NAME,
    ]


def readable_configs() -> list[tuple[Path, dict[str, Any]]]:
    """Each file that exists and parses, most authoritative first; a broken one is skipped
    with a warning rather than stopping the app."""
    found = []
    for path in config_files():
        if not path.is_file():
            continue
        try:
            found.append((path, tomllib.loads(path.read_text())))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            log.warning("ignoring unreadable %s: %s", path, exc)
    return found


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
