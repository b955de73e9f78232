"""The helper's screens react to engine events and send the right commands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QGuiApplication

from client.session.events import (
    AllowedChanged,
    ChatReceived,
    CodeIssued,
    Connected,
    ConsentGiven,
    ControlChanged,
    Ended,
    ErrorReported,
    FileFailed,
    FileSending,
    HelpRequestSent,
    PermissionsChanged,
    SharerJoined,
    SignedIn,
    Stats,
)
from client.settings import AppSettings
from common.devices.records import DeviceSummary
from tests.ui.fakes import RecordingEngine


@pytest.fixture
def window(qtbot, qt_display, run_async):
    from helper_app.views.main_window import HelperWindow
    from helper_app.views.service import HelperService

    service = HelperService(AppSettings(server="http://127.0.0.1:9"))
    engine = RecordingEngine()
    engine.subscribe(service._forward)
    service.engine = engine
    window = HelperWindow(service)
    qtbot.addWidget(window)
    window.show()
    window.engine = engine
    return window


def test_sign_in_page_lists_development_users(qtbot, window):
    page = window.sign_in_page
    window.service.users.emit(
        [{"upn": "alice@contoso.example", "name": "Alice", "job_title": "Support"}], ""
    )
    assert page.users.isVisibleTo(window) and not page.entra.isVisibleTo(window)
    with qtbot.waitSignal(page.sign_in) as signal:
        page.button.click()
    assert signal.args == ["alice@contoso.example"]


def test_without_a_development_provider_it_offers_microsoft_sign_in(qtbot, window):
    window.service.users.emit([], "no development provider")
    page = window.sign_in_page
    assert page.entra.isVisibleTo(window) and not page.button.isVisibleTo(window)
    with qtbot.waitSignal(page.sign_in) as signal:
        page.entra.click()
    assert signal.args == [None]


def test_code_page_shows_the_code_time_left_and_copies(window):
    from datetime import UTC, datetime, timedelta

    expires = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    window.engine.emit(CodeIssued(code="ABCD-EFGH", expires_at=expires))
    assert window.stack.currentWidget() is window.code_page
    assert window.code_page.code.text() == "ABCD-EFGH"
    assert window.code_page.expires.text().startswith(("Expires in 9:", "Expires in 10:"))
    window.code_page.copy.click()
    assert QGuiApplication.clipboard().text() == "ABCD-EFGH"
    window.code_page.again.click()
    # New code goes to the engine through the service (scheduled on the loop).


def test_an_expired_code_says_so(window):
    window.engine.emit(CodeIssued(code="ABCD-EFGH", expires_at="2020-01-01T00:00:00+00:00"))
    assert "expired" in window.code_page.expires.text()


def test_the_helper_sees_the_device_before_the_session(window):
    proven = DeviceSummary(
        enrolled=True,
        id="dev-1",
        name="FIN-LAPTOP-7",
        os="Linux",
        os_version="Debian 12",
        last_check_in=datetime(2026, 11, 30, 1, 2, tzinfo=UTC),
    )
    window.engine.emit(SharerJoined(sharer="bob@contoso.example", device_name="x", device=proven))
    assert (
        "Enrolled device FIN-LAPTOP-7 (Linux Debian 12), last check-in 2026-11-30 01:02 UTC"
        in window.status_page.detail.text()
    )
    claimed = DeviceSummary(enrolled=False, name="BOB-PC")
    window.engine.emit(
        SharerJoined(sharer="bob@contoso.example", device_name="BOB-PC", device=claimed)
    )
    assert "Unenrolled device BOB-PC (name not verified)" in window.status_page.detail.text()


def test_waiting_connecting_session_and_end(window):
    engine = window.engine
    engine.emit(
        SharerJoined(sharer="bob@contoso.example", device_name="BOB-PC", permissions=["chat"])
    )
    assert window.stack.currentWidget() is window.status_page
    assert "bob@contoso.example on BOB-PC" in window.status_page.detail.text()
    engine.emit(ConsentGiven(level="view"))
    assert window.status_page.title.text() == "Connecting…"
    engine.emit(Connected())
    assert window.stack.currentWidget() is window.session_page
    engine.emit(Stats(frames=10, fps=29.6, width=1280, height=800, rtt_ms=4.2, quality="sharp"))
    assert window.session_page.live.text() == "1280x800 sharp · 30 fps · RTT 4 ms"
    engine.emit(
        Stats(frames=90, fps=58.7, width=640, height=400, rtt_ms=4.0, quality="moving", scale=0.5)
    )
    assert window.session_page.live.text() == "640x400 moving (50%) · 59 fps · RTT 4 ms"
    assert window.session_page.mode.text() == "View only"
    engine.emit(ControlChanged(granted=True))
    assert window.session_page.mode.text() == "● Controlling"
    assert not window.session_page.request_action.isEnabled()
    engine.emit(ChatReceived.model_validate({"from": "sharer", "text": "<b>hi</b>"}))
    assert window.session_page.chat.isVisibleTo(window)
    assert window.session_page.chat.log.toPlainText() == "bob@contoso.example: <b>hi</b>"
    engine.emit(Ended(reason="sharer_ended"))
    assert window.stack.currentWidget() is window.ended_page
    assert window.ended_page.reason.text() == "The person you were helping ended the session."


def test_toolbar_buttons_reach_the_engine(window, run_async):
    import asyncio

    window.engine.emit(Connected())
    window.session_page.request_action.trigger()
    window.session_page.chat.entry.setText("hello")
    window.session_page.chat.entry.returnPressed.emit()
    window.session_page.end_action.trigger()
    run_async(asyncio.sleep(0.1))
    assert window.engine.called("request_control") == [()]
    assert window.engine.called("chat") == [("hello",)]
    assert window.engine.called("end") == [()]


def test_remote_screen_sends_input_only_with_control_and_focus(qtbot, window):
    import av
    import numpy as np

    screen = window.session_page.screen
    window.engine.emit(Connected())
    frame = av.VideoFrame.from_ndarray(np.zeros((400, 640, 3), np.uint8), format="rgb24")
    screen.show_frame(frame)
    screen.resize(640, 600)  # letterboxed above and below
    sent = []
    screen.input_event.connect(sent.append)
    qtbot.mouseMove(screen, screen.rect().center())
    qtbot.mouseClick(screen, Qt.MouseButton.LeftButton, pos=screen.rect().center())
    assert sent == [], "view only: nothing leaves the widget"

    window.engine.emit(ControlChanged(granted=True))
    window.activateWindow()
    screen.setFocus()
    qtbot.waitUntil(screen.hasFocus)
    qtbot.mouseClick(screen, Qt.MouseButton.LeftButton, pos=screen.rect().center())
    assert {"type": "mouse_button", "button": "left", "down": True} in sent
    moves = [e for e in sent if e["type"] == "mouse_move"]
    assert moves and abs(moves[0]["x"] - 0.5) < 0.01 and abs(moves[0]["y"] - 0.5) < 0.01
    assert screen.normalise(QPointF(5, 5)) is None, "letterbox is not the remote screen"
    qtbot.keyClick(screen, Qt.Key.Key_A)
    qtbot.keyClick(screen, Qt.Key.Key_Return)
    keys = [(e["key"], e["down"]) for e in sent if e["type"] == "key"]
    assert keys == [("a", True), ("a", False), ("enter", True), ("enter", False)]


def test_errors_are_shown_in_plain_words(window):
    window.on_event(ErrorReported(code="sign_in_failed", message="cannot reach the server"))
    assert window.sign_in_page.status.text() == "cannot reach the server"
    assert window.sign_in_page.status.textFormat() == Qt.TextFormat.PlainText


def test_a_pause_shows_over_the_picture_at_once_and_the_status_stays_honest(window):
    from client.session.events import PauseChanged

    engine = window.engine
    engine.emit(Connected())
    engine.emit(ControlChanged(granted=True))
    page = window.session_page
    assert not page.paused_notice.isVisibleTo(window)
    engine.emit(PauseChanged(paused=True))
    assert page.paused_notice.isVisibleTo(window)
    assert page.paused_notice.text() == "Paused by the sharer"
    assert page.paused_notice.geometry() == page.screen.geometry(), "it covers the picture"
    assert page.mode.text() == "Paused by the sharer"
    engine.emit(Stats(frames=10, fps=0.0, width=1280, height=800, rtt_ms=3.0))
    assert page.live.text() == "1280x800 moving · paused · RTT 3 ms"
    engine.emit(PauseChanged(paused=False))
    assert not page.paused_notice.isVisibleTo(window)
    assert page.mode.text() == "● Controlling"


def test_first_use_and_the_network_path_are_said(window):
    window.engine.emit(SignedIn(user="a@contoso.example", name="A", server_trust="first_use"))
    assert "key is now remembered" in window.statusBar().currentMessage()
    window.engine.emit(ConsentGiven(level="view"))
    window.engine.emit(Connected(relayed=False))
    assert window.statusBar().currentMessage() == "Connected directly."
    window.engine.emit(Connected(relayed=True))
    assert "relay server" in window.statusBar().currentMessage()


def test_chat_is_offered_only_when_the_role_allows_it(window):
    engine = window.engine
    engine.emit(SharerJoined(sharer="bob@contoso.example", device_name="", permissions=["view"]))
    engine.emit(ConsentGiven(level="view"))
    engine.emit(Connected())
    assert not window.session_page.chat_action.isVisible()
    engine.emit(
        SharerJoined(sharer="bob@contoso.example", device_name="", permissions=["chat", "view"])
    )
    assert window.session_page.chat_action.isVisible()
    engine.emit(PermissionsChanged(permissions=["view"], dropped=["chat"], message="No chat."))
    assert not window.session_page.chat_action.isVisible()
    assert not window.session_page.chat.isVisibleTo(window)
    assert window.statusBar().currentMessage() == "No chat."


def test_help_on_this_device_from_the_devices_window_asks_the_engine(window, run_async):
    import asyncio

    from common.devices.records import DeviceRecord

    window.open_devices()
    devices = window.devices_window
    assert not devices.help_button.isEnabled()  # no device chosen yet
    device = DeviceRecord(
        id="dev-1", name="FIN-LAPTOP-7", owner="bob@contoso.example", groups=["finance"],
        enrolled_at=datetime(2026, 11, 30, tzinfo=UTC),
    )  # fmt: skip
    devices.show_devices([device])
    devices.list.setCurrentRow(0)
    assert devices.help_button.isEnabled()
    devices.help_button.click()
    run_async(asyncio.sleep(0.1))
    assert window.engine.called("help_device") == [("dev-1",)]
    window.engine.emit(
        HelpRequestSent(
            device_id="dev-1", device_name="FIN-LAPTOP-7", expires_at="2026-12-03T14:05:00+00:00"
        )
    )
    assert window.stack.currentWidget() is window.status_page
    assert window.status_page.title.text() == "Asking FIN-LAPTOP-7…"
    assert "If nobody answers by 14:05 UTC" in window.status_page.detail.text()
    devices.close()


def test_the_picture_toggles_between_fit_and_one_to_one(window):
    page = window.session_page
    assert not page.screen.one_to_one
    page.actual_size_action.trigger()
    assert page.screen.one_to_one and page.scroll.widget() is page.screen
    page.actual_size_action.trigger()
    assert not page.screen.one_to_one


def test_send_file_only_while_the_sharer_allows_files_and_it_can_be_cancelled(
    window, run_async, monkeypatch
):
    import asyncio

    window.engine.emit(ConsentGiven(level="view", allow=["clipboard"]))
    window.engine.emit(Connected())
    action = window.session_page.send_file_action
    assert not action.isVisible()
    window.engine.emit(AllowedChanged(allow=["files"]))
    assert action.isVisible()
    monkeypatch.setattr(
        "helper_app.views.main_window.choose_file_to_send", lambda _parent: "/var/log/syslog"
    )
    action.trigger()
    window.engine.emit(FileSending(id="a" * 16, name="syslog", size=4096, sha256="cd" * 32))
    row = window.files.rows["a" * 16]
    assert window.files.isVisible() and "waiting" in row.status.text()
    assert row.cancel.isVisibleTo(window.files) and not row.save.isVisibleTo(window.files)
    row.cancel.click()
    window.engine.emit(
        FileFailed(id="a" * 16, reason="cancelled", message="the transfer was cancelled")
    )
    assert row.status.text() == "The transfer was cancelled."
    window.engine.emit(AllowedChanged(allow=[]))
    assert not action.isVisible()
    run_async(asyncio.sleep(0.05))
    assert window.engine.called("send_file") == [("/var/log/syslog",)]
    assert window.engine.called("cancel_file") == [("a" * 16,)]
