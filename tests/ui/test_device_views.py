"""The sharer's device views: enrolled status, what ran and when, the restart warning."""

from __future__ import annotations

import json

from client.devices.countdown import RestartCountdown
from client.devices.home import DeviceHome
from client.devices.journal import ActionJournal
from client.devices.keys import create_key


def test_an_unenrolled_device_says_so(qtbot, qt_display, tmp_path):
    from sharer_app.views.device_status import DeviceStatusWindow

    window = DeviceStatusWindow(DeviceHome(tmp_path / "device"))
    qtbot.addWidget(window)
    assert "not enrolled" in window.summary.text()
    assert window.table.rowCount() == 0


def test_the_user_sees_what_ran_on_the_device_and_when(qtbot, qt_display, tmp_path):
    from sharer_app.views.device_status import DeviceStatusWindow

    home = DeviceHome(tmp_path / "device")
    create_key(home.key_file)
    home.enrolment_file.write_text(
        json.dumps(
            {
                "device_id": "d-1",
                "name": "FIN-7",
                "server": "https://h.example",
                "check_in_seconds": 900,
            }
        )
    )
    journal = ActionJournal(home)
    journal.begin("a1", "lock", "erin@contoso.example")
    journal.finish("a1", "succeeded", {"result": "done"})
    journal.begin("a2", "fresh_start", "erin@contoso.example")
    journal.finish("a2", "failed", {"result": "fresh start is a Windows feature"})
    window = DeviceStatusWindow(home)
    qtbot.addWidget(window)
    assert "enrolled as FIN-7 with https://h.example" in window.summary.text()
    rows = [
        [window.table.item(row, col).text() for col in (0, 1, 4, 5)]
        for row in range(window.table.rowCount())
    ]
    assert rows == [
        ["fresh start", "erin@contoso.example", "failed", "fresh start is a Windows feature"],
        ["lock", "erin@contoso.example", "succeeded", "done"],
    ]
    assert all(window.table.item(row, 2).text() for row in range(2))


def test_the_remaining_time_reads_as_minutes_and_seconds():
    from sharer_app.views.restart_dialog import remaining_text

    assert remaining_text(300).endswith("restart this computer in 5:00. Save your work.")
    assert "in 0:01" in remaining_text(0.2) and "in 0:00" in remaining_text(0)


def test_the_restart_warning_allows_one_postponement(qtbot, run_async):
    from sharer_app.views.restart_dialog import RestartDialog

    async def scenario() -> None:
        countdown = RestartCountdown(seconds=300, postpone_by=3600)
        dialog = RestartDialog(countdown)
        qtbot.addWidget(dialog)
        assert "restart this computer in 5:00" in dialog.remaining.text() or (
            "restart this computer in 4:5" in dialog.remaining.text()
        )
        assert dialog.postpone_button.isEnabled()
        dialog.postpone_button.click()
        assert countdown.postponed and not dialog.postpone_button.isEnabled()
        assert "in 65:00" in dialog.remaining.text() or "in 64:5" in dialog.remaining.text()

    run_async(scenario())
