"""Managed devices through both desktop apps, for the README's screenshots.

``python -m tests.ui.device_tour OUT_DIR`` starts a throwaway server, enrols a device, runs
its agent (dry run), and from the helper's devices window asks for diagnostics and a lock;
then saves the helper's devices window and the sharer's "This device" window.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from client.devices.console import DeviceConsole
from client.devices.home import DeviceHome
from client.settings import AppSettings
from devtools.server import start_server
from tests.device_agent.conftest import ADMIN, DEVICE_DIRECTORY, Devices, stop_agent
from tests.ui.conftest import until


async def _drive(window) -> None:
    window.service.search("")
    await until(lambda: window.list.count() == 1, what="the device is listed")
    window.list.setCurrentRow(0)
    for count, kind in enumerate(("lock", "diagnostics"), start=1):
        window.kind.setCurrentIndex(window.kind.findData(kind))
        window.request_button.click()
        await until(lambda n=count: _finished(window, n), timeout=60, what=f"the {kind} finishes")
    rows = range(window.table.rowCount())
    window.table.selectRow(next(r for r in rows if window.records[r].action.value == "diagnostics"))
    window.report_button.click()
    await until(lambda: window.report_view.sections, what="the report")
    await asyncio.sleep(0.5)
    window.service.stop()


def _finished(window, rows: int) -> bool:
    states = [record.state.value for record in window.records]
    return len(states) == rows and all(state in ("succeeded", "failed") for state in states)


def main(out_dir: str, suffix: str = "") -> int:
    import qasync
    from PySide6.QtWidgets import QApplication

    from helper_app.views.devices_service import DevicesService
    from helper_app.views.devices_window import DevicesWindow
    from sharer_app.views.device_status import DeviceStatusWindow

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from desktop_widgets.desktop_app import prepare_application

    app = QApplication(sys.argv)
    prepare_application(app, "helpline-helper")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        server = start_server(DEVICE_DIRECTORY, home / "server-data")
        devices = Devices(server, home)
        devices.enroll(home / "device", "FIN-LAPTOP-7")
        agent = devices.agent(home / "device")
        try:
            agent.wait_for("checked_in")
            console = DeviceConsole(AppSettings(server=server.url, user=ADMIN))
            window = DevicesWindow(DevicesService(console), confirm=lambda name: name)
            window.resize(1200, 860)
            window.show()
            with loop:
                loop.run_until_complete(_drive(window))
            window.grab().save(str(out / f"helper-devices{suffix}.png"))
            status = DeviceStatusWindow(DeviceHome(home / "device"))
            status.resize(1000, 440)
            status.show()
            app.processEvents()
            status.grab().save(str(out / f"sharer-device{suffix}.png"))
        finally:
            stop_agent(agent)
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(*(sys.argv[1:3] or ["docs/screenshots"])))
