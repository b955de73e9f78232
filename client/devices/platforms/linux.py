"""Linux: systemd's and logind's commands, which every current desktop distribution has."""

from __future__ import annotations

from client.devices.platforms.base import (
    ActionUnsupported,
    Command,
    PlatformAdapter,
    checked_computer_name,
)


class LinuxAdapter(PlatformAdapter):
    name = "linux"

    def restart(self) -> list[Command]:
        return [["systemctl", "reboot"]]

    def lock(self) -> list[Command]:
        # Every graphical session on the machine, not only the agent's own (it may have none).
        return [["loginctl", "lock-sessions"]]

    def rename(self, new_name: str) -> list[Command]:
        return [["hostnamectl", "set-hostname", checked_computer_name(new_name)]]

    def wipe(self, *, keep_user_data: bool) -> list[Command]:
        raise ActionUnsupported(
            "Linux has no factory reset a program can start: reinstall the machine, or retire "
            "it to remove the organisation's data"
        )

    def fresh_start(self, *, keep_user_data: bool) -> list[Command]:
        raise ActionUnsupported("fresh start is a Windows feature; Linux has no equivalent")
