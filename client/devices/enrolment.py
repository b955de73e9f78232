"""Enrolling this device: a signed-in user registers it, the device keeps its own key.

The server learns the public key and a signature proving the device holds the private one;
``enrolment.json`` remembers which server and which device id, so the agent and the sharer
app can sign as this device later.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import sys
from dataclasses import asdict, dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from client.cli_args import program_version
from client.devices.api import ApiError, DeviceApi
from client.devices.home import DeviceHome
from client.devices.keys import DeviceKeyError, create_key, load_key
from client.settings import AppSettings
from client.signin import sign_in
from common.devices.records import DeviceRecord
from common.devices.signing import enroll_request


class EnrolmentError(Exception):
    """Enrolment failed; ``refused`` when the server said no rather than could not answer."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class Enrolment:
    """What this device remembers of its enrolment."""

    device_id: str
    name: str
    server: str
    check_in_seconds: int
    # The server's card-signing key, learnt at enrolment: the agent runs only what it signed.
    # Empty for a device enrolled before servers sent it (such a device runs nothing).
    server_key: str = ""


@dataclass(frozen=True)
class DeviceIdentity:
    """An enrolled device's id and key, ready to sign."""

    enrolment: Enrolment
    key: Ed25519PrivateKey


def os_facts() -> tuple[str, str]:
    """The OS family and its version as a person would name them."""
    if sys.platform.startswith("win"):
        return "Windows", platform.version()
    if sys.platform == "darwin":
        return "macOS", platform.mac_ver()[0]
    try:
        pretty = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:
        pretty = ""
    return platform.system() or "Linux", pretty or platform.release()


def read_enrolment(home: DeviceHome) -> Enrolment | None:
    try:
        data = json.loads(home.enrolment_file.read_text())
        return Enrolment(**data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise EnrolmentError(f"{home.enrolment_file} is unreadable: {exc}") from exc


def device_identity(home: DeviceHome) -> DeviceIdentity | None:
    """This device's identity when it is enrolled (enrolment and key both present)."""
    try:
        enrolment = read_enrolment(home)
        if enrolment is None:
            return None
        return DeviceIdentity(enrolment, load_key(home.key_file))
    except (EnrolmentError, DeviceKeyError):
        return None


def _write_enrolment(home: DeviceHome, enrolment: Enrolment) -> None:
    partial = home.enrolment_file.with_suffix(".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(asdict(enrolment), out, indent=2)
    os.replace(partial, home.enrolment_file)


async def enroll(settings: AppSettings, home: DeviceHome, name: str | None) -> DeviceRecord:
    """Sign in, make the key, register the device; the key stays only on disk here."""
    existing = read_enrolment(home)
    if existing is not None:
        raise EnrolmentError(
            f"this device is already enrolled as {existing.name!r} with {existing.server}; "
            "retire it before enrolling again"
        )
    token = await sign_in(settings, interactive=False)
    key = create_key(home.key_file)
    os_name, os_version = os_facts()
    try:
        request = enroll_request(
            key,
            name=name or socket.gethostname(),
            os=os_name,
            os_version=os_version[:100],
            helpline_version=program_version(),
        )
    except ValidationError as exc:
        home.key_file.unlink()
        raise EnrolmentError(f"cannot enrol as {name!r}: {exc.errors()[0]['msg']}") from exc
    try:
        response = await DeviceApi(settings, token).enroll(request)
    except ApiError as exc:
        home.key_file.unlink()  # a key nobody knows is no identity
        raise EnrolmentError(
            f"the server refused the enrolment: {exc.message}" if exc.status else exc.message,
            refused=exc.refused,
        ) from exc
    _write_enrolment(
        home,
        Enrolment(
            device_id=response.device.id,
            name=response.device.name,
            server=settings.server,
            check_in_seconds=response.check_in_seconds,
            server_key=response.server_key or "",
        ),
    )
    return response.device
