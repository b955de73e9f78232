"""What the sharer app tells its user about this device: enrolled or not, and what ran."""

from __future__ import annotations

from dataclasses import dataclass, field

from client.devices.enrolment import EnrolmentError, read_enrolment
from client.devices.home import DeviceHome
from client.devices.journal import ActionJournal, JournalEntry


@dataclass(frozen=True)
class DeviceStatus:
    enrolled: bool
    summary: str
    actions: list[JournalEntry] = field(default_factory=list)


def device_status(home: DeviceHome) -> DeviceStatus:
    """Newest action first; a device that was never enrolled (or was retired) has none."""
    try:
        enrolment = read_enrolment(home)
    except EnrolmentError as exc:
        return DeviceStatus(False, f"This device's enrolment cannot be read: {exc}")
    if enrolment is None or not home.key_file.exists():
        return DeviceStatus(
            False, "This device is not enrolled: your organisation does not manage it."
        )
    actions = list(reversed(ActionJournal(home).entries()))
    return DeviceStatus(
        True,
        f"This device is enrolled as {enrolment.name} with {enrolment.server} "
        f"(device {enrolment.device_id}). Your organisation can run the actions listed below.",
        actions,
    )
