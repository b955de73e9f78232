"""What the device commands of both apps share: their flags, sign-in, and how they end.

Each command prints its answer on standard output (JSON with ``--json``) and any failure as
one line on standard error, with the exit statuses below; never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from pydantic import BaseModel

from client.cli_args import program_version, settings_from
from client.devices.api import ApiError, DeviceApi
from client.devices.enrolment import EnrolmentError
from client.session.outcome import ExitStatus
from client.settings import DEFAULT_SERVER, AppSettings
from client.signin import SignInError, sign_in
from common.logging_setup import configure_logging

DEVICE_EXIT_STATUSES = f"""\
exit status:
  {ExitStatus.ENDED:d}  done (with --wait: the action succeeded)
  {ExitStatus.FAILED:d}  failed: cannot sign in or reach the server; with --wait, the action
     failed or was cancelled
  {ExitStatus.USAGE:d}  usage error: a bad flag or value
  {ExitStatus.REFUSED:d}  refused: no permission, out of scope, confirmation missing or wrong,
     approving your own request, nothing to cancel
"""


def device_parser(prog: str, description: str, *, signs_in: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description,
        epilog=DEVICE_EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{prog} {program_version()}")
    parser.add_argument(
        "--server",
        metavar="URL",
        help=f"the Helpline server (default: HELPLINE_SERVER, else {DEFAULT_SERVER})",
    )
    if signs_in:
        parser.add_argument("--user", metavar="UPN", help="development user to sign in as")
    parser.add_argument(
        "--ca-file", metavar="FILE", help="CA certificates (PEM) for the server's certificate"
    )
    parser.add_argument("--log-level", default=None, help="diagnostics on stderr (default WARNING)")
    return parser


def parse(
    parser: argparse.ArgumentParser, argv: list[str]
) -> tuple[argparse.Namespace, AppSettings]:
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    if not hasattr(args, "user"):
        args.user = None
    args.server_key = None
    return args, settings_from(parser, args)


def fail(prog: str, message: str, status: ExitStatus) -> int:
    print(f"{prog}: {message}", file=sys.stderr, flush=True)
    return int(status)


def print_json(value: BaseModel | list[Any] | dict[str, Any]) -> None:
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    print(json.dumps(data, indent=None, sort_keys=True), flush=True)


def run_signed_in(
    prog: str, settings: AppSettings, body: Callable[[DeviceApi], Awaitable[int]]
) -> int:
    """Sign in, run ``body`` with the API, and turn every failure into one line and a status."""

    async def main() -> int:
        token = await sign_in(settings, interactive=False)
        return await body(DeviceApi(settings, token))

    return guarded(prog, main)


def guarded(prog: str, main: Callable[[], Coroutine[Any, Any, int]]) -> int:
    try:
        return asyncio.run(main())
    except SignInError as exc:
        return fail(prog, str(exc), ExitStatus.FAILED)
    except ApiError as exc:
        return fail(prog, exc.message, ExitStatus.REFUSED if exc.refused else ExitStatus.FAILED)
    except EnrolmentError as exc:
        return fail(prog, str(exc), ExitStatus.REFUSED if exc.refused else ExitStatus.FAILED)
    except KeyboardInterrupt:
        return fail(prog, "interrupted", ExitStatus.FAILED)
