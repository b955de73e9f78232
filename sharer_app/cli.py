"""The helpline-sharer command: the desktop app, or with --headless the JSON-lines app."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from client.cli_args import new_parser, settings_from
from common.logging_setup import configure_logging
from common.permissions import CONSENTED_SEPARATELY

# Subcommands for managed devices (sharer_app.device_cli); without one, the app itself runs.
DEVICE_COMMANDS = ("enroll", "agent")

DESCRIPTION = """\
Helpline for the person being helped: enter the code your helper reads out, see who they
are (verified by your organisation's server), and choose view only, full control or
decline; stop at any time. With --headless there is no window: commands are JSON lines on
standard input, events JSON lines on standard output."""


def _choices(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - {p.value for p in CONSENTED_SEPARATELY})
    if unknown:
        raise argparse.ArgumentTypeError(
            f"{', '.join(unknown)}: choose from clipboard, files, elevate"
        )
    return names


def _monitors(value: str) -> str | list[int]:
    if value == "all":
        return value
    try:
        return [int(n) for n in value.split(",")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError("give all, or monitor numbers such as 1,2") from exc


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in DEVICE_COMMANDS:
        from sharer_app.device_cli import main as device_main

        return device_main(argv)
    if argv and argv[0] == "sign-out":
        from client.sign_out_command import main as sign_out_main

        return sign_out_main("helpline-sharer", argv[1:])
    parser = new_parser("helpline-sharer", DESCRIPTION)
    parser.add_argument("--code", help="the security code the helper read out")
    parser.add_argument(
        "--consent",
        choices=["view", "control", "decline"],
        help="headless: answer the helper without asking",
    )
    parser.add_argument(
        "--allow",
        type=_choices,
        default=[],
        metavar="clipboard,files,elevate",
        help="what the consent also allows, beyond view or control (default: nothing more)",
    )
    parser.add_argument(
        "--monitors",
        type=_monitors,
        metavar="all|N[,M...]",
        help="headless: the monitors the helper may switch among (default: the one shown)",
    )
    parser.add_argument(
        "--monitor", type=int, metavar="N", help="monitor to share (default: 1, the first)"
    )
    parser.add_argument(
        "--await-help",
        action="store_true",
        help="on an enrolled device: wait for a helper to ask to help on it (instead of a "
        "code; the desktop app still takes a code too); the helper's card and the choice "
        "follow as after a code",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="the enrolled device's data folder (default: HELPLINE_DEVICE_DATA_DIR, else the "
        "user's data folder)",
    )
    parser.add_argument(
        "--with-agent",
        action="store_true",
        help="desktop app: also run this enrolled device's agent, with a tray icon",
    )
    args = parser.parse_args(argv)
    if args.await_help and args.code:
        parser.error("--await-help and --code are two ways to start: give one")
    configure_logging(args.log_level)
    settings = settings_from(parser, args, monitor=args.monitor)
    if args.headless:
        from sharer_app.headless import run

        return asyncio.run(
            run(
                settings,
                code=args.code,
                consent=args.consent,
                allow=args.allow,
                monitors=args.monitors,
                await_help=args.await_help,
                data_dir=args.data_dir,
            )
        )
    from sharer_app.gui import run_gui

    return run_gui(
        settings,
        code=args.code,
        events_path=args.events,
        with_agent=args.with_agent,
        await_help=args.await_help,
        data_dir=args.data_dir,
    )


if __name__ == "__main__":
    sys.exit(main())
