"""The helpline-helper command: the desktop app, or with --headless the JSON-lines app."""

from __future__ import annotations

import asyncio
import sys

from client.cli_args import new_parser, settings_from
from common.logging_setup import configure_logging

# Subcommands for managed devices (helper_app.device_cli); without one, the app itself runs.
DEVICE_COMMANDS = ("devices", "action", "action-status", "approve", "cancel")

DESCRIPTION = """\
Helpline for the support agent: sign in, get a security code to read out, then see the
other person's screen and, with their permission, control it. With --headless there is no
window: commands are JSON lines on standard input, events JSON lines on standard output."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in DEVICE_COMMANDS:
        from helper_app.device_cli import main as device_main

        return device_main(argv)
    if argv and argv[0] == "sign-out":
        from client.sign_out_command import main as sign_out_main

        return sign_out_main("helpline-helper", argv[1:])
    parser = new_parser("helpline-helper", DESCRIPTION)
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    settings = settings_from(parser, args)
    if args.headless:
        from helper_app.headless import run

        return asyncio.run(run(settings))
    from helper_app.gui import run_gui

    return run_gui(settings, args.events)


if __name__ == "__main__":
    sys.exit(main())
