"""Command-line flags both apps share (see CONTRACT.md), turned into settings."""

from __future__ import annotations

import argparse
from typing import Any

from client.settings import AppSettings


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--headless", action="store_true", help="no window: JSON lines on stdio")
    parser.add_argument("--server", help="signaling server URL, e.g. http://127.0.0.1:8765")
    parser.add_argument("--user", help="development user (UPN) to sign in as")
    parser.add_argument("--ca-file", help="CA certificates (PEM) for the server's certificate")
    parser.add_argument("--server-key", help="the server's card-signing key fingerprint")
    parser.add_argument("--log-level", default=None, help="diagnostics on stderr (default WARNING)")


def settings_from(args: argparse.Namespace, **extra: Any) -> AppSettings:
    """Flags win over HELPLINE_* environment variables, which win over defaults."""
    overrides = {
        "server": args.server,
        "user": args.user,
        "ca_file": args.ca_file,
        "server_key": args.server_key,
        **extra,
    }
    return AppSettings(**{k: v for k, v in overrides.items() if v is not None})
