"""Command-line flags both apps share, turned into settings; and what ``--help`` says about
exit statuses, so it and the README tell the same story."""

from __future__ import annotations

import argparse
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from client.org_config import OrgConfigError
from client.session.outcome import ExitStatus
from client.settings import DEFAULT_SERVER, AppSettings
from client.trust import PinOverridden, check_pin_override

EXIT_STATUSES = f"""\
exit status (headless):
  {ExitStatus.ENDED:d}  a session ran and ended normally (or you stopped before one began)
  {ExitStatus.FAILED:d}  failed: cannot sign in, connection failed or lost, peer gone, no screen
  {ExitStatus.USAGE:d}  usage error: a bad flag or setting
  {ExitStatus.REFUSED:d}  refused: forbidden, wrong code, out of scope, too many tries, declined,
     identity check failed
"""


def program_version() -> str:
    try:
        return version("helpline")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def new_parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description,
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{prog} {program_version()}")
    parser.add_argument("--headless", action="store_true", help="no window: JSON lines on stdio")
    parser.add_argument(
        "--server",
        metavar="URL",
        help=f"signaling server (default: HELPLINE_SERVER, else {DEFAULT_SERVER}); "
        "without a scheme, http:// for this machine and https:// for any other",
    )
    parser.add_argument("--user", metavar="UPN", help="development user to sign in as")
    parser.add_argument(
        "--events",
        metavar="FILE",
        type=Path,
        help="desktop app: also append the headless mode's JSON-lines events to FILE",
    )
    parser.add_argument(
        "--ca-file", metavar="FILE", help="CA certificates (PEM) for the server's certificate"
    )
    parser.add_argument(
        "--server-key", metavar="FINGERPRINT", help="the server's card-signing key fingerprint"
    )
    parser.add_argument("--log-level", default=None, help="diagnostics on stderr (default WARNING)")
    return parser


def settings_from(
    parser: argparse.ArgumentParser, args: argparse.Namespace, **extra: Any
) -> AppSettings:
    """Flags win over HELPLINE_* environment variables, which win over defaults. A bad value
    is a usage error: one line naming the setting, and exit status 2."""
    overrides = {
        "server": args.server,
        "user": args.user,
        "ca_file": args.ca_file,
        "server_key": args.server_key,
        **extra,
    }
    try:
        settings = AppSettings(**{k: v for k, v in overrides.items() if v is not None})
        check_pin_override(settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        parser.error(f"{where}: {first['msg'].removeprefix('Value error, ')}")
    except (OrgConfigError, PinOverridden) as exc:
        parser.error(str(exc))
    return settings
