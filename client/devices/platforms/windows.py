"""Windows: built-in commands, and the MDM WMI bridge for resets.

Resets go through the same configuration service providers an MDM server uses (RemoteWipe
and CleanPC), reached from PowerShell through the WMI bridge; they need the agent to run as
SYSTEM, as an installed service does. Exec nodes appear in the bridge as ``<node>Method``.
"""

from __future__ import annotations

from client.devices.platforms.base import Command, PlatformAdapter, checked_computer_name

_POWERSHELL = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command"]


def _mdm_exec(class_name: str, instance_id: str, method: str) -> Command:
    """Call one exec node: the script is constant apart from names chosen in this module."""
    script = (
        "$ns = 'root\\cimv2\\mdm\\dmmap'; "
        f"$i = Get-CimInstance -Namespace $ns -ClassName {class_name} "
        f"-Filter \"ParentID='./Vendor/MSFT' and InstanceID='{instance_id}'\"; "
        "$p = New-Object Microsoft.Management.Infrastructure.CimMethodParametersCollection; "
        "$p.Add([Microsoft.Management.Infrastructure.CimMethodParameter]::Create("
        "'param', '', 'String', 'In')); "
        f"(New-CimSession).InvokeMethod($ns, $i, '{method}', $p)"
    )
    return [*_POWERSHELL, script]


class WindowsAdapter(PlatformAdapter):
    name = "windows"

    def restart(self) -> list[Command]:
        return [["shutdown.exe", "/r", "/t", "0"]]

    def lock(self) -> list[Command]:
        return [["rundll32.exe", "user32.dll,LockWorkStation"]]

    def rename(self, new_name: str) -> list[Command]:
        # The name passed checked_computer_name: letters, digits and hyphens only.
        name = checked_computer_name(new_name)
        return [[*_POWERSHELL, f"Rename-Computer -NewName '{name}' -Force"]]

    def wipe(self, *, keep_user_data: bool) -> list[Command]:
        # doWipe is "Reset this PC > Remove everything"; doWipePersistUserData keeps the
        # user accounts and their files.
        method = "doWipePersistUserDataMethod" if keep_user_data else "doWipeMethod"
        return [_mdm_exec("MDM_RemoteWipe", "RemoteWipe", method)]

    def fresh_start(self, *, keep_user_data: bool) -> list[Command]:
        # Reinstalls Windows without the manufacturer's extra apps.
        method = (
            "CleanPCRetainingUserDataMethod"
            if keep_user_data
            else "CleanPCWithoutRetainingUserDataMethod"
        )
        return [_mdm_exec("MDM_CleanPC", "CleanPC", method)]
