"""How the helper is told which machine it is about to help, before the session starts."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from common.devices.records import DeviceSummary


def describe_device(device: DeviceSummary | None, claimed_name: str) -> str:
    """One line: proven facts for an enrolled device, and a warning that a name is only
    claimed when the device is not enrolled."""
    if device is None or not device.enrolled:
        name = (device.name if device else "") or claimed_name
        if name:
            return QCoreApplication.translate(
                "DeviceText", "Unenrolled device {name} (name not verified)"
            ).format(name=name)
        return QCoreApplication.translate("DeviceText", "Unenrolled device")
    system = " ".join(part for part in (device.os, device.os_version) if part)
    seen = (
        device.last_check_in.strftime("%Y-%m-%d %H:%M UTC")
        if device.last_check_in
        else QCoreApplication.translate("DeviceText", "never")
    )
    return QCoreApplication.translate(
        "DeviceText", "Enrolled device {name}{system}, last check-in {seen}"
    ).format(name=device.name, system=f" ({system})" if system else "", seen=seen)
