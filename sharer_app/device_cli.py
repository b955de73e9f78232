"""``helpline-sharer enroll`` and ``helpline-sharer agent``: this machine as a managed device."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

from client.commands import AGENT
from client.devices.agent import AgentStop, build_agent, log_to_device_folder
from client.devices.cli import device_parser, fail, guarded, parse, print_json
from client.devices.enrolment import device_identity, enroll
from client.devices.home import DeviceHome
from client.devices.runner import ActionRunner
from client.headless_io import EventWriter, read_lines
from client.session.errors import ClientErrorCode, EngineError
from client.session.outcome import ExitStatus


def main(argv: list[str]) -> int:
    if argv[0] == "enroll":
        return _enroll(argv[1:])
    return _agent(argv[1:])


def _data_dir_flag(parser: Any) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help="where the device key and managed data live "
        "(default: HELPLINE_DEVICE_DATA_DIR, else the platform's data folder)",
    )


def _enroll(argv: list[str]) -> int:
    prog = "helpline-sharer enroll"
    parser = device_parser(
        prog,
        "Enrol this device with your organisation: you sign in, the device makes its own key "
        "(the private key never leaves it) and the server records the device.",
    )
    parser.add_argument("--name", metavar="NAME", help="the device's name (default: host name)")
    parser.add_argument("--json", action="store_true", help="print the device record as JSON")
    _data_dir_flag(parser)
    args, settings = parse(parser, argv)
    home = DeviceHome.at(args.data_dir)

    async def body() -> int:
        device = await enroll(settings, home, args.name)
        if args.json:
            print_json(device)
        else:
            print(f"enrolled {device.name!r} as device {device.id}; key in {home.root}", flush=True)
        return ExitStatus.ENDED

    return guarded(prog, body)


def _agent(argv: list[str]) -> int:
    prog = "helpline-sharer agent"
    parser = device_parser(
        prog,
        "Run this enrolled device's agent: stay connected to the server, check in, run the "
        "actions it delivers and report them. Events are JSON lines on standard output; "
        'answer a restart countdown with {"cmd": "postpone"} on standard input.',
        signs_in=False,
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="record the platform command (restart, lock, rename, wipe...) instead of running it",
    )
    _data_dir_flag(parser)
    args, settings = parse(parser, argv)
    home = DeviceHome.at(args.data_dir)
    identity = device_identity(home)
    if identity is None:
        return fail(
            prog, f"this device is not enrolled (nothing in {home.root})", ExitStatus.FAILED
        )
    log_to_device_folder(home)
    writer = EventWriter()
    agent = build_agent(
        settings, home, identity, dry_run=args.dry_run, emit=writer, desktop_notices=True
    )
    runner = agent.runner

    async def body() -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, agent.stop)
        commands = asyncio.ensure_future(_obey(runner, writer))
        try:
            stop = await agent.run()
        finally:
            commands.cancel()
        if stop is AgentStop.REFUSED:
            return fail(
                prog,
                "the server refused this device's signature, or is not the server it enrolled "
                "with (see the log)",
                ExitStatus.REFUSED,
            )
        return ExitStatus.ENDED

    return guarded(prog, body)


async def _obey(runner: ActionRunner, writer: EventWriter) -> None:
    """The one command the agent takes (``client.commands.AGENT``); a closed standard input
    just means nobody answers."""
    async for line in read_lines():
        if not line.strip():
            continue
        try:
            AGENT.parse(line)  # postpone: the only command there is
        except EngineError as exc:
            writer.error(exc.code, exc.message)
            continue
        countdown = runner.countdown
        if countdown is None or not countdown.postpone():
            writer.error(
                ClientErrorCode.WRONG_STATE, "no restart to postpone (or it was postponed already)"
            )
