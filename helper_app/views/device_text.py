"""How the helper is told which machine it is about to help, before the session starts."""

from __future__ import annotations

from common.devices.records import DeviceSummary


def describe_device(device: DeviceSummary | None, claimed_name: str) -> str:
    """One line: proven facts for an enrolled device, and a warning that a name is only
    claimed when the device is not enrolled."""
    if device is None or not device.enrolled:
        name = (device.name if device else "") or claimed_name
        return f"Unenrolled device {name} (name not verified)" if name else "Unenrolled device"
    system = " ".join(part for part in (device.os, device.os_version) if part)
    seen = device.last_check_in.strftime("%Y-%m-%d %H:%M UTC") if device.last_check_in else "never"
    return f"Enrolled device {device.name}{f' ({system})' if system else ''}, last check-in {seen}"
