"""The helper's devices window against a real server: search, details, actions, refusals."""

from __future__ import annotations

import pytest

from client.devices.console import DeviceConsole
from client.settings import AppSettings
from devtools.server import start_server
from tests.device_agent.conftest import (
    ADMIN,
    DEVICE_DIRECTORY,
    NO_ACTIONS,
    OTHER_SCOPE_ADMIN,
    Devices,
    stop_agent,
)
from tests.ui.conftest import until


@pytest.fixture
def enrolled(tmp_path):
    server = start_server(DEVICE_DIRECTORY, tmp_path / "server-data")
    devices = Devices(server, tmp_path)
    device = devices.enroll(tmp_path / "device", "FIN-LAPTOP-7")
    yield server, device
    server.stop()


def test_the_helper_reads_a_diagnostics_report(qtbot, run_async, tmp_path):
    server = start_server(DEVICE_DIRECTORY, tmp_path / "server-data")
    devices = Devices(server, tmp_path)
    devices.enroll(tmp_path / "device", "FIN-LAPTOP-7")
    agent = devices.agent(tmp_path / "device")
    window = _window(qtbot, server, ADMIN)

    async def scenario() -> None:
        window.service.search("")
        await until(lambda: window.list.count() == 1, what="the device is listed")
        window.list.setCurrentRow(0)
        window.kind.setCurrentIndex(window.kind.findData("diagnostics"))
        window.request_button.click()
        await until(
            lambda: window.table.rowCount() == 1 and window.table.item(0, 1).text() == "succeeded",
            timeout=60,
            what="the diagnostics arrive",
        )
        window.table.selectRow(0)
        assert window.report_button.isEnabled() and not window.save_button.isEnabled()
        window.report_button.click()
        await until(lambda: window.report_view.sections, what="report")
        assert window.report_view.sections == [
            "System", "Hardware", "Disks", "Network", "Recent agent log"
        ]  # fmt: skip
        assert "free of" in window.report_view.toPlainText(), "disks read as sizes, not bytes"
        assert window.save_button.isEnabled()

    try:
        agent.wait_for("checked_in")
        run_async(scenario())
    finally:
        window.close()
        stop_agent(agent)
        server.stop()


def _window(qtbot, server, user, confirm=lambda name: None):
    from helper_app.views.devices_service import DevicesService
    from helper_app.views.devices_window import DevicesWindow

    console = DeviceConsole(AppSettings(server=server.url, user=user))
    window = DevicesWindow(DevicesService(console), confirm=confirm)
    qtbot.addWidget(window)
    window.show()
    return window


def test_find_a_device_see_it_and_follow_an_action(qtbot, run_async, enrolled):
    server, _device = enrolled
    window = _window(qtbot, server, ADMIN, confirm=lambda name: name)

    async def scenario() -> None:
        window.search.setText("fin-lap")
        await until(lambda: window.list.count() == 1, what="the device is listed")
        window.list.setCurrentRow(0)
        details = window.details.text()
        assert "FIN-LAPTOP-7" in details and "Owner: bob@contoso.example" in details
        assert "Linux" in details and "Last check-in: never" in details
        window.kind.setCurrentIndex(window.kind.findData("wipe"))
        window.request_button.click()
        await until(lambda: window.table.rowCount() == 1, what="the wipe is listed")
        assert window.table.item(0, 1).text() == "pending (needs a second approver)"
        window.table.selectRow(0)
        assert window.cancel_button.isEnabled() and window.approve_button.isEnabled()
        window.approve_button.click()  # one's own request
        await until(lambda: window.message.text(), what="the refusal is shown")
        window.cancel_button.click()
        await until(lambda: window.table.item(0, 1).text() == "cancelled", what="cancelled")

    run_async(scenario())
    window.close()


def test_no_permission_and_out_of_scope_are_refused_in_the_window(qtbot, run_async, enrolled):
    server, _device = enrolled
    outsider = _window(qtbot, server, OTHER_SCOPE_ADMIN)
    no_actions = _window(qtbot, server, NO_ACTIONS)

    async def scenario() -> None:
        outsider.service.search("")
        await until(lambda: "No device" in outsider.details.text(), what="nothing visible")
        assert outsider.list.count() == 0
        # Alice sees the device (her role covers finance) but may not act on it.
        no_actions.service.search("")
        await until(lambda: no_actions.list.count() == 1, what="listed for alice")
        no_actions.list.setCurrentRow(0)
        no_actions.kind.setCurrentIndex(no_actions.kind.findData("lock"))
        no_actions.request_button.click()
        await until(lambda: no_actions.message.text(), what="the refusal is shown")
        assert no_actions.table.rowCount() == 0

    run_async(scenario())
    outsider.close()
    no_actions.close()
