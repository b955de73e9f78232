"""How the device service's refusals, and ids that cannot be one, become console pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from signaling.console.context import PageRefused
from signaling.devices.routes import HTTP_STATUS
from signaling.devices.rules import Refused
from signaling.devices.service import DevicesUnavailable

ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@contextmanager
def answering() -> Iterator[None]:
    try:
        yield
    except Refused as exc:
        raise PageRefused(HTTP_STATUS[exc.kind], exc.message) from exc
    except DevicesUnavailable as exc:
        raise PageRefused(503, "device records cannot be read or written right now") from exc


def checked(identifier: str, what: str) -> str:
    if not ID.match(identifier):
        raise PageRefused(404, f"there is no such {what}")
    return identifier
