"""``helpline-sharer enroll`` and ``helpline-sharer agent``: this machine as a managed device."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from pathlib import Path
from typing import Any

from client.devices.agent import AgentStop, DeviceAgent
from client.devices.cli import device_parser, fail, guarded, parse, print_json
from client.devices.enrolment import device_identity, enroll
from client.devices.home import DeviceHome
from client.devices.platforms import adapter_for
from client.devices.runner import ActionRunner
from client.devices.settings import AgentSettings
from client.headless_io import EventWriter, read_lines
from client.session.errors import ClientErrorCode
from client.session.outcome import ExitStatus

AGENT_LOG = "agent.log"


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
    _log_to(home)
    agent_settings = AgentSettings()
    writer = EventWriter()
    runner = ActionRunner(
        home,
        adapter_for(),
        dry_run=args.dry_run,
        postpone_seconds=agent_settings.restart_postpone_seconds,
        emit=writer,
    )
    agent = DeviceAgent(
        settings.server,
        identity,
        home,
        runner,
        ca_file=settings.ca_file,
        max_backoff=agent_settings.agent_max_backoff_seconds,
    )
    agent.subscribe(writer)

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
            return fail(prog, "the server refused this device's signature", ExitStatus.REFUSED)
        return ExitStatus.ENDED

    return guarded(prog, body)


async def _obey(runner: ActionRunner, writer: EventWriter) -> None:
    """The one command the agent takes; a closed standard input just means nobody answers."""
    async for line in read_lines():
        try:
            command = json.loads(line)
        except ValueError:
            command = None
        if not isinstance(command, dict) or command.get("cmd") != "postpone":
            writer.error(
                ClientErrorCode.INVALID_COMMAND, 'the agent takes only {"cmd": "postpone"}'
            )
            continue
        countdown = runner.countdown
        if countdown is None or not countdown.postpone():
            writer.error(
                ClientErrorCode.WRONG_STATE, "no restart to postpone (or it was postponed already)"
            )


def _log_to(home: DeviceHome) -> None:
    """The agent's log in its data folder: what a diagnostics report shows the helper."""
    home.logs_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(home.logs_dir / AGENT_LOG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    # stderr keeps the level the user asked for.
    for other in root.handlers:
        if other is not handler and other.level == logging.NOTSET:
            other.setLevel(logging.WARNING)
