"""``helpline-helper devices | action | action-status | approve | cancel``: devices for scripts.

Each command signs in like the app (``--user`` for a development user, else Entra ID), calls
the server's ``/v1/devices`` API once (``--wait`` follows an action to its end) and prints
the answer: JSON with ``--json``, otherwise a line per item for people.
"""

from __future__ import annotations

import argparse
import asyncio

from pydantic import ValidationError

from client.devices.api import ApiError, DeviceApi
from client.devices.cli import device_parser, parse, print_json, run_signed_in
from client.session.outcome import ExitStatus
from common.devices.actions import (
    FINAL_STATES,
    ActionKind,
    ActionRecord,
    ActionRequest,
    ActionState,
)
from common.devices.records import DeviceRecord
from common.validation import first_error

WAIT_INTERVAL_SECONDS = 1.0


def main(argv: list[str]) -> int:
    command, rest = argv[0], argv[1:]
    prog = f"helpline-helper {command}"
    if command == "devices":
        return _devices(prog, rest)
    if command == "action":
        return _action(prog, rest)
    return _by_id(prog, command, rest)


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = device_parser(prog, description)
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    return parser


def _print_action(record: ActionRecord, as_json: bool) -> None:
    if as_json:
        print_json(record)
        return
    device = record.device_name or record.device
    line = f"{record.id}  {record.action.value} on {device}: {record.state.value}"
    if record.needs_approval and record.approved_by is None and record.state is ActionState.PENDING:
        line += " (waiting for a second approver)"
    if record.result:
        line += f"  {record.result}"
    if record.platform_command:
        line += f"  [{record.platform_command}]"
    print(line, flush=True)


def _devices(prog: str, argv: list[str]) -> int:
    parser = _parser(prog, "List the enrolled devices you may act on.")
    args, settings = parse(parser, argv)

    async def body(api: DeviceApi) -> int:
        devices = await api.devices()
        if args.json:
            print_json([d.model_dump(mode="json") for d in devices])
        for device in devices if not args.json else []:
            seen = device.last_check_in.isoformat() if device.last_check_in else "never"
            print(
                f"{device.id}  {device.name}  {device.os} {device.os_version}  owner {device.owner}"
                f"  last check-in {seen}{'  online' if device.online else ''}",
                flush=True,
            )
        return ExitStatus.ENDED

    return run_signed_in(prog, settings, body)


async def find_device(api: DeviceApi, wanted: str) -> DeviceRecord:
    """A device by id, else by name (case aside); a name shared by several must be an id."""
    devices = await api.devices()
    for device in devices:
        if device.id == wanted:
            return device
    named = [d for d in devices if d.name.casefold() == wanted.strip().casefold()]
    if len(named) == 1:
        return named[0]
    if named:
        raise ApiError(f"{len(named)} devices are named {wanted!r}: give the device's id", 409)
    raise ApiError(f"no device {wanted!r} that you may act on", 404)


def _action(prog: str, argv: list[str]) -> int:
    parser = _parser(prog, "Ask for an action on a device and print its record (id, state).")
    parser.add_argument("device", metavar="DEVICE", help="the device's id or name")
    parser.add_argument(
        "action",
        metavar="ACTION",
        choices=[k.value for k in ActionKind],
        help=", ".join(k.value for k in ActionKind),
    )
    parser.add_argument(
        "--confirm", metavar="DEVICE-NAME", help="retire and wipe: the device's name"
    )
    parser.add_argument(
        "--keep-user-data", action="store_true", help="wipe, fresh_start: keep the user's files"
    )
    parser.add_argument("--new-name", metavar="NAME", help="rename: the new computer name")
    parser.add_argument(
        "--countdown", metavar="SECONDS", type=int, help="restart: seconds the user is warned"
    )
    parser.add_argument("--wait", action="store_true", help="wait until the action has ended")
    args, settings = parse(parser, argv)
    try:
        request = ActionRequest(
            action=ActionKind(args.action),
            confirm=args.confirm,
            new_name=args.new_name,
            keep_user_data=args.keep_user_data,
            countdown_seconds=args.countdown,
        )
    except ValidationError as exc:
        # A rule across fields ("rename needs new_name") has no field to name.
        parser.error(first_error(exc).removeprefix("message: ").removeprefix("Value error, "))

    async def body(api: DeviceApi) -> int:
        device = await find_device(api, args.device)
        record = await api.request_action(device.id, request)
        if args.wait:
            record = await _wait(api, record)
        _print_action(record, args.json)
        return _status_for(record, args.wait)

    return run_signed_in(prog, settings, body)


async def _wait(api: DeviceApi, record: ActionRecord) -> ActionRecord:
    while record.state not in FINAL_STATES:
        await asyncio.sleep(WAIT_INTERVAL_SECONDS)
        record = await api.action(record.id)
    return record


def _status_for(record: ActionRecord, waited: bool) -> int:
    if waited and record.state is not ActionState.SUCCEEDED:
        return ExitStatus.FAILED
    return ExitStatus.ENDED


def _by_id(prog: str, command: str, argv: list[str]) -> int:
    descriptions = {
        "action-status": "Print an action's record: its state, progress and result.",
        "approve": "Approve someone else's wipe request, as the second person.",
        "cancel": "Cancel an action that has not been delivered yet.",
    }
    parser = _parser(prog, descriptions[command])
    parser.add_argument("id", metavar="ID", help="the action's id")
    if command == "action-status":
        parser.add_argument("--wait", action="store_true", help="wait until the action has ended")
    args, settings = parse(parser, argv)

    async def body(api: DeviceApi) -> int:
        if command == "approve":
            record = await api.approve(args.id)
        elif command == "cancel":
            record = await api.cancel(args.id)
        else:
            record = await api.action(args.id)
            if args.wait:
                record = await _wait(api, record)
        _print_action(record, args.json)
        return _status_for(record, getattr(args, "wait", False))

    return run_signed_in(prog, settings, body)
