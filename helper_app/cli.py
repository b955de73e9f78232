"""``helpline-helper``: the desktop app, or with ``--headless`` the JSON-lines app."""

from __future__ import annotations

import argparse
import asyncio
import sys

from client.cli_args import add_common_flags, settings_from
from common.logging_setup import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="helpline-helper", description=__doc__)
    add_common_flags(parser)
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    try:
        settings = settings_from(args)
    except ValueError as exc:
        print(f"helpline-helper: {exc}", file=sys.stderr)
        return 2
    if args.headless:
        from helper_app.headless import run

        return asyncio.run(run(settings))
    from helper_app.gui import run_gui

    return run_gui(settings)


if __name__ == "__main__":
    sys.exit(main())
