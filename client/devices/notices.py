"""Telling the person at the machine what an action is about to do, and who asked, before it
happens. The words are made here, once; the tray app shows them in its own balloon, and an
agent running without it (a service, a headless agent) shows them as a desktop
notification: ``notify-send`` (freedesktop notifications over D-Bus) where it is installed.
Where there is none (Windows and macOS services, a Linux box without a desktop) the notice
is in the agent's events and log only; the action runs as asked either way, because the
organisation decided it, and the user cannot refuse it from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil

from common.devices.actions import ActionKind, ActionRecord

log = logging.getLogger(__name__)
TITLE = "Helpline: your IT department"
NOTIFY_SECONDS = 10.0

WHAT_HAPPENS: dict[ActionKind, str] = {
    ActionKind.RESTART: "will restart this computer",
    ActionKind.LOCK: "is locking this computer now",
    ActionKind.RENAME: "is renaming this computer to {new_name}",
    ActionKind.RETIRE: "is removing this computer from management (the organisation's data "
    "and settings go; your own files stay)",
    ActionKind.WIPE: "is erasing this computer",
    ActionKind.FRESH_START: "is reinstalling this computer's system",
}


def notice_for(record: ActionRecord) -> str | None:
    """What to tell the person before this action runs; None for what changes nothing they
    would notice (sync, diagnostics)."""
    what = WHAT_HAPPENS.get(record.action)
    if what is None:
        return None
    keep = record.parameters.keep_user_data
    if record.action in (ActionKind.WIPE, ActionKind.FRESH_START):
        what += ", keeping your files" if keep else ", and your files with it"
    text = what.format(new_name=record.parameters.new_name or "")
    asked = f"asked by {record.requested_by}"
    if record.approved_by:
        asked += f", approved by {record.approved_by}"
    return f"Your IT department {text} ({asked})."


async def desktop_notification(message: str) -> bool:
    """Show ``message`` with ``notify-send`` when there is one; whether it was shown. Never
    raises: a notice that cannot be shown must not stop the action being reported."""
    program = shutil.which("notify-send")
    if program is None:
        log.info("no desktop notifications here (notify-send not found)")
        return False
    try:
        proc = await asyncio.create_subprocess_exec(
            program, "--urgency=critical", "--app-name=Helpline", TITLE, message,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    except OSError as exc:
        log.warning("cannot show a desktop notification: %s", exc.strerror)
        return False
    try:
        return await asyncio.wait_for(proc.wait(), NOTIFY_SECONDS) == 0
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        log.warning("the desktop notification did not answer in time")
        return False
