"""``helpline-sharer``: the desktop app, or with ``--headless`` the JSON-lines app."""

from __future__ import annotations

import argparse
import asyncio
import sys

from client.cli_args import add_common_flags, settings_from
from common.logging_setup import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="helpline-sharer", description=__doc__)
    add_common_flags(parser)
    parser.add_argument("--code", help="the security code the helper read out")
    parser.add_argument(
        "--consent",
        choices=["view", "control", "decline"],
        help="answer the helper without asking (headless testing)",
    )
    parser.add_argument("--monitor", type=int, help="monitor to share (1 = first)")
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    try:
        settings = settings_from(args, monitor=args.monitor)
    except ValueError as exc:
        print(f"helpline-sharer: {exc}", file=sys.stderr)
        return 2
    if args.headless:
        from sharer_app.headless import run

        return asyncio.run(run(settings, code=args.code, consent=args.consent))
    from sharer_app.gui import run_gui

    return run_gui(settings, code=args.code)


if __name__ == "__main__":
    sys.exit(main())
