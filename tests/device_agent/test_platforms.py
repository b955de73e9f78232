"""Each platform's commands, as they would run; and the reasons a platform says no."""

from __future__ import annotations

import pytest

from client.devices.platforms import ActionUnsupported, adapter_for
from client.devices.platforms.linux import LinuxAdapter
from client.devices.platforms.macos import MacAdapter
from client.devices.platforms.windows import WindowsAdapter


def test_adapter_follows_the_platform() -> None:
    assert isinstance(adapter_for("linux"), LinuxAdapter)
    assert isinstance(adapter_for("win32"), WindowsAdapter)
    assert isinstance(adapter_for("darwin"), MacAdapter)
    assert isinstance(adapter_for("freebsd14"), LinuxAdapter)


def test_linux_commands() -> None:
    linux = LinuxAdapter()
    assert linux.restart() == [["systemctl", "reboot"]]
    assert linux.lock() == [["loginctl", "lock-sessions"]]
    assert linux.rename("FIN-LAPTOP-7") == [["hostnamectl", "set-hostname", "FIN-LAPTOP-7"]]
    with pytest.raises(ActionUnsupported, match="no factory reset"):
        linux.wipe(keep_user_data=False)
    with pytest.raises(ActionUnsupported, match="Windows feature"):
        linux.fresh_start(keep_user_data=True)


def test_windows_commands() -> None:
    windows = WindowsAdapter()
    assert windows.restart() == [["shutdown.exe", "/r", "/t", "0"]]
    assert windows.lock() == [["rundll32.exe", "user32.dll,LockWorkStation"]]
    [rename] = windows.rename("FIN-7")
    assert rename[0] == "powershell.exe" and rename[-1] == "Rename-Computer -NewName 'FIN-7' -Force"
    [wipe] = windows.wipe(keep_user_data=False)
    assert "MDM_RemoteWipe" in wipe[-1] and "'doWipeMethod'" in wipe[-1]
    [keep] = windows.wipe(keep_user_data=True)
    assert "'doWipePersistUserDataMethod'" in keep[-1]
    [fresh] = windows.fresh_start(keep_user_data=True)
    assert "MDM_CleanPC" in fresh[-1] and "'CleanPCRetainingUserDataMethod'" in fresh[-1]
    [fresh_all] = windows.fresh_start(keep_user_data=False)
    assert "'CleanPCWithoutRetainingUserDataMethod'" in fresh_all[-1]


def test_macos_commands() -> None:
    mac = MacAdapter()
    assert mac.restart() == [["shutdown", "-r", "now"]]
    assert mac.lock() == [["pmset", "displaysleepnow"]]
    assert mac.rename("mac-12") == [
        ["scutil", "--set", "ComputerName", "mac-12"],
        ["scutil", "--set", "LocalHostName", "mac-12"],
        ["scutil", "--set", "HostName", "mac-12"],
    ]
    with pytest.raises(ActionUnsupported, match="MDM server"):
        mac.wipe(keep_user_data=True)
    with pytest.raises(ActionUnsupported, match="Windows feature"):
        mac.fresh_start(keep_user_data=False)


@pytest.mark.parametrize(
    "name", ["", "a b", "x'; Remove-Item C:\\ -Recurse; '", "-lead", "trail-", "1234", "a" * 16]
)
@pytest.mark.parametrize("adapter", [LinuxAdapter(), WindowsAdapter(), MacAdapter()])
def test_a_bad_computer_name_never_reaches_a_command(adapter: object, name: str) -> None:
    with pytest.raises(ActionUnsupported, match="not a valid computer name"):
        adapter.rename(name)  # type: ignore[attr-defined]
