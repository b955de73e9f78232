"""macOS: the commands an administrator would type; erasing needs an MDM server."""

from __future__ import annotations

from client.devices.platforms.base import (
    ActionUnsupported,
    Command,
    PlatformAdapter,
    checked_computer_name,
)


class MacAdapter(PlatformAdapter):
    name = "macos"

    def restart(self) -> list[Command]:
        return [["shutdown", "-r", "now"]]

    def lock(self) -> list[Command]:
        # Sleeping the display locks the session when "require password after sleep" is on,
        # which managed Macs enforce; CGSession -suspend is gone from current macOS.
        return [["pmset", "displaysleepnow"]]

    def rename(self, new_name: str) -> list[Command]:
        name = checked_computer_name(new_name)
        # The three names macOS keeps: shown to people, Bonjour, and the Unix host name.
        return [
            ["scutil", "--set", "ComputerName", name],
            ["scutil", "--set", "LocalHostName", name],
            ["scutil", "--set", "HostName", name],
        ]

    def wipe(self, *, keep_user_data: bool) -> list[Command]:
        raise ActionUnsupported(
            "macOS allows Erase All Content and Settings only from the person at the Mac or "
            "from an Apple MDM server; Helpline cannot start it"
        )

    def fresh_start(self, *, keep_user_data: bool) -> list[Command]:
        raise ActionUnsupported("fresh start is a Windows feature; macOS has no equivalent")
