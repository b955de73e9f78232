"""Every window and dialog of both apps, built with pytest-qt and put in the states a person
sees (a card shown, a session live, a report open), for the tests that walk all widgets:
accessible names and focus (test_accessibility), words in French (test_translations).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from client.devices.countdown import RestartCountdown
from client.devices.home import DeviceHome
from client.session.events import (
    AllowedChanged,
    CodeIssued,
    Connected,
    ControlChanged,
    ControlRequested,
    HelperIdentityShown,
    SharerJoined,
    Stats,
)
from client.settings import AppSettings
from common.devices.actions import ActionRecord
from common.devices.records import DeviceRecord
from tests.ui.fakes import RecordingEngine

CARD = HelperIdentityShown(**{
    "verified": False, "name": "Alice Example", "upn": "alice@contoso.example",
    "company": "Contoso", "verified_domain": "", "job_title": "Support Engineer",
    "offered_levels": ["view", "control"], "permissions": ["chat", "control", "view"],
    "choices": ["clipboard", "elevate"],
})  # fmt: skip
NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
DEVICE = DeviceRecord(
    id="dev-1", name="FIN-LAPTOP-7", os="Linux", os_version="Debian 12", owner="bob",
    groups=["finance"], enrolled_at=NOW, last_check_in=NOW, online=True,
)  # fmt: skip
ACTIONS = [
    ActionRecord(id="a1", device="dev-1", action="diagnostics", state="succeeded",
                 requested_by="erin", requested_at=NOW, has_report=True, result="report"),
    ActionRecord(id="a2", device="dev-1", action="wipe", state="pending", requested_by="erin",
                 requested_at=NOW, needs_approval=True),
]  # fmt: skip
SECTIONS: dict[str, Any] = {
    "os": {"system": "Linux", "release": "6.1", "hostname": "fin-laptop-7",
           "distribution": "Debian GNU/Linux 12"},
    "hardware": {"machine": "x86_64", "processor": "Intel", "cpus": 8, "memory_bytes": 2**34},
    "disks": [{"mount": "/", "total_bytes": 2**38, "free_bytes": 2**36}],
    "network": {"fqdn": "fin-laptop-7.contoso.example", "interfaces": ["eth0"],
                "addresses": ["10.0.0.7"]},
    "uptime_seconds": 93784,
    "helpline": {"version": "0.9", "python": "3.11"},
    "helpline_logs": {"agent.log": ["started", "checked in"]},
}  # fmt: skip
REPORT: dict[str, Any] = {"collected_at": "2026-12-03T09:30:00Z", "sections": SECTIONS}
# Words from the other side or the data, the same in every language.
DATA = {
    "Alice Example", "Support Engineer", "Contoso", "alice@contoso.example", "FIN-LAPTOP-7",
    "fin-laptop-7", "Debian GNU/Linux 12", "Intel", "fin-laptop-7.contoso.example", "eth0",
    "agent.log",
}  # fmt: skip


def build_all(qtbot: Any, run_async: Any, tmp_path: Path) -> dict[str, QWidget]:
    """Each top-level window or dialog by name, shown, in a representative state."""
    from client.devices.console import DeviceConsole
    from helper_app.views.devices_service import DevicesService
    from helper_app.views.devices_window import DevicesWindow, device_details
    from helper_app.views.main_window import HelperWindow
    from helper_app.views.service import HelperService
    from sharer_app.views.device_status import DeviceStatusWindow
    from sharer_app.views.main_window import SharerWindow
    from sharer_app.views.restart_dialog import RestartDialog
    from sharer_app.views.service import SharerService

    settings = AppSettings(server="http://127.0.0.1:9")
    windows: dict[str, QWidget] = {}

    helper_engine = RecordingEngine()
    helper_service = HelperService(settings)
    helper_engine.subscribe(helper_service._forward)
    helper_service.engine = helper_engine  # type: ignore[assignment]
    helper = HelperWindow(helper_service)
    helper_engine.emit(CodeIssued(code="ABCD-EFGH", expires_at=NOW.isoformat()))
    helper_engine.emit(SharerJoined(sharer="bob", device_name="BOB-PC", permissions=["chat"]))
    helper_engine.emit(Connected())
    helper_engine.emit(ControlChanged(granted=True))
    helper_engine.emit(Stats(frames=3, fps=30, width=1280, height=800, rtt_ms=4.0))
    helper.session_page.chat_action.setChecked(True)
    windows["helper"] = helper

    devices = DevicesWindow(DevicesService(DeviceConsole(settings)))
    devices.show_devices([DEVICE])
    # Chosen without asking the (absent) server for its actions: they are shown below.
    devices.list.blockSignals(True)
    devices.list.setCurrentRow(0)
    devices.list.blockSignals(False)
    devices.details.setText(device_details(DEVICE))
    devices.show_actions(DEVICE.id, ACTIONS)
    devices.show_report("a1", REPORT)
    windows["devices"] = devices

    sharer_engine = RecordingEngine()
    sharer_service = SharerService(settings, lambda _settings: sharer_engine)  # type: ignore[arg-type,return-value]
    sharer_engine.subscribe(sharer_service._forward)
    sharer_service.engine = sharer_engine  # type: ignore[assignment]
    sharer = SharerWindow(sharer_service)
    sharer_engine.emit(CARD)
    windows["sharer"] = sharer
    sharer_engine.emit(Connected())
    sharer_engine.emit(AllowedChanged(allow=["clipboard"]))
    sharer_engine.emit(ControlRequested())
    windows["banner"] = sharer.banner
    sharer.stack.setCurrentWidget(sharer.consent_page)

    windows["device_status"] = DeviceStatusWindow(DeviceHome(tmp_path / "device"))

    async def countdown() -> RestartCountdown:
        return RestartCountdown(seconds=300, postpone_by=3600)

    windows["restart"] = RestartDialog(run_async(countdown()))
    for widget in windows.values():
        qtbot.addWidget(widget)
        widget.show()
    run_async(asyncio.sleep(0.05))
    return windows


def descendants(top: QWidget) -> list[QWidget]:
    return [top, *top.findChildren(QWidget)]
