"""The sharer's screens: code entry, the card, consent, the banner and its controls."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from client.session.events import (
    AllowedChanged,
    ChatReceived,
    ClipboardReceived,
    Connected,
    ControlChanged,
    ControlRequested,
    Ended,
    ErrorReported,
    FileOffered,
    FileProgress,
    FileReceived,
    HelperIdentityShown,
    PauseChanged,
    PermissionsChanged,
    SignedIn,
    SnapshotTakenShown,
)
from client.settings import AppSettings
from common.permissions import ConsentChoice
from tests.ui.fakes import RecordingEngine

CARD = HelperIdentityShown(**{
    "verified": True, "name": "Alice Example", "upn": "alice@contoso.example",
    "company": "Contoso", "verified_domain": "contoso.example", "job_title": "Support Engineer",
    "offered_levels": ["view", "control"], "permissions": ["chat", "control", "view"],
})  # fmt: skip


@pytest.fixture
def window(qtbot, qt_display, run_async):
    from sharer_app.views.main_window import SharerWindow
    from sharer_app.views.service import SharerService

    engine = RecordingEngine()

    def factory(_settings):
        return engine

    service = SharerService(AppSettings(server="http://127.0.0.1:9"), factory)
    engine.subscribe(service._forward)
    service.engine = engine
    window = SharerWindow(service)
    qtbot.addWidget(window)
    qtbot.addWidget(window.banner)
    window.show()
    window.engine = engine
    return window


@pytest.mark.parametrize("typed", ["abcd-efgh", "ABCD EFGH", " abcdefgh ", "Ab-Cd_Ef.Gh"])
def test_code_entry_is_forgiving(qtbot, window, typed):
    page = window.entry_page
    page.code.setText(typed)
    with qtbot.waitSignal(page.connect_requested) as signal:
        page.button.click()
    assert signal.args[1] == "ABCDEFGH"


@pytest.mark.parametrize("typed", ["", "abc", "ABCD-EFG0", "ABCD-EFGHJK"])
def test_what_cannot_be_a_code_gets_an_inline_error(qtbot, window, typed):
    page = window.entry_page
    page.code.setText(typed)
    with qtbot.assertNotEmitted(page.connect_requested):
        page.button.click()
    assert "eight letters and digits" in page.error.text()


def test_server_errors_show_on_the_entry_page(window):
    window.on_event(ErrorReported(code="invalid_code", message="That code is not valid."))
    assert window.entry_page.error.text() == "That code is not valid."
    assert window.entry_page.button.isEnabled()
    window.on_event(ErrorReported(code="out_of_scope", message="Alice is not allowed to help you"))
    assert "not allowed" in window.entry_page.error.text()


def test_verified_card_and_three_choices(window, run_async):
    window.engine.emit(CARD)
    page = window.consent_page
    assert window.stack.currentWidget() is page
    assert page.name.text() == "Alice Example"
    assert page.verified.text() == "✔ Verified organisation: contoso.example"
    assert page.control.isVisibleTo(window)
    page.control.click()
    run_async(asyncio.sleep(0.05))
    assert window.engine.called("consent") == [(ConsentChoice.CONTROL, [])]
    assert window.stack.currentWidget() is window.status_page


def test_unverified_card_warns_and_control_only_when_offered(window, run_async):
    card = CARD.model_copy(
        update={"verified": False, "verified_domain": "", "offered_levels": ["view"]}
    )
    window.engine.emit(card)
    page = window.consent_page
    assert page.verified.text().startswith("⚠ Not verified")
    assert not page.control.isVisibleTo(window)
    assert page.decline.isEnabled(), "declining is never delayed"
    page.decline.click()
    run_async(asyncio.sleep(0.05))
    assert window.engine.called("consent") == [(ConsentChoice.DECLINE, [])]


def test_separate_choices_are_offered_unticked_shown_in_the_banner_and_revocable(window, run_async):
    window.engine.emit(CARD.model_copy(update={"choices": ["clipboard", "elevate"]}))
    page = window.consent_page
    assert [n for n, box in page.choices.items() if box.isVisibleTo(window)] == [
        "clipboard",
        "elevate",
    ]
    assert not any(box.isChecked() for box in page.choices.values())
    page.choices["clipboard"].setChecked(True)
    page.view.click()
    run_async(asyncio.sleep(0.05))
    assert window.engine.called("consent") == [(ConsentChoice.VIEW, ["clipboard"])]

    window.engine.emit(Connected())
    window.engine.emit(AllowedChanged(allow=["clipboard"]))
    assert "clipboard" in window.banner.choices.text()
    window.banner.revoke.click()
    run_async(asyncio.sleep(0.05))
    assert window.engine.called("set_allowed") == [([],)]
    window.engine.emit(SnapshotTakenShown(by="Alice Example"))
    assert window.banner.note.text() == "Alice Example saved a picture of your screen."
    window.engine.emit(ClipboardReceived(text="ipconfig /all"))
    assert QGuiApplication.clipboard().text() == "ipconfig /all"


def test_names_from_the_other_side_are_plain_text(window):
    hostile = '<b>Bob</b><img src="http://evil.example/x.png">'
    window.engine.emit(CARD.model_copy(update={"name": hostile, "job_title": "<i>CEO</i>"}))
    for label in (window.consent_page.name, window.consent_page.job_title):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert window.consent_page.name.text() == hostile


def test_banner_shows_who_and_obeys(window, run_async):
    engine = window.engine
    engine.emit(CARD)
    engine.emit(Connected())
    banner = window.banner
    assert banner.isVisible()
    assert banner.message.text() == "Alice Example (Contoso) is viewing your screen."
    assert banner.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    engine.emit(ControlChanged(granted=True))
    assert banner.message.text() == "Alice Example (Contoso) is controlling your screen."
    banner.control.click()
    engine.emit(ControlRequested())
    assert banner.request_row.isVisibleTo(banner)
    banner.allow.click()
    engine.emit(ControlRequested())
    banner.deny.click()
    banner.pause.click()
    engine.emit(PauseChanged(paused=True))
    assert banner.message.text().startswith("Sharing paused")
    engine.emit(ChatReceived.model_validate({"from": "helper", "text": "<script>x</script>"}))
    assert window.sharing_page.chat.log.toPlainText() == "Alice Example: <script>x</script>"
    banner.stop_button.click()
    run_async(asyncio.sleep(0.05))
    assert engine.called("revoke_control") == [()]
    assert engine.called("grant_control") == [()]
    assert engine.called("deny_control") == [()]
    assert engine.called("set_paused") == [(True,)]
    assert engine.called("end") == [()]
    engine.emit(Ended(reason="sharer_ended"))
    assert not banner.isVisible()
    assert window.ended_page.reason.text() == "You stopped sharing."


def test_no_chat_box_when_the_helper_may_not_chat(window):
    engine = window.engine
    engine.emit(CARD.model_copy(update={"permissions": ["view"]}))
    engine.emit(Connected())
    assert window.sharing_page.chat.isHidden() and window.banner.chat.isHidden()
    engine.emit(CARD)
    assert not window.sharing_page.chat.isHidden() and not window.banner.chat.isHidden()
    engine.emit(PermissionsChanged(permissions=["view"], dropped=["chat"], message="No chat."))
    assert window.sharing_page.chat.isHidden() and window.banner.chat.isHidden()
    assert window.statusBar().currentMessage() == "No chat."


def test_stop_works_while_connecting(window, run_async):
    window.engine.emit(CARD)
    window.consent_page.view.click()
    window.status_page.button.click()
    run_async(asyncio.sleep(0.05))
    assert window.engine.called("end") == [()]


def test_connection_lost_is_said_plainly(window):
    window.engine.emit(CARD)
    window.engine.emit(Connected())
    window.engine.emit(Ended(reason="helper_disconnected"))
    assert window.ended_page.reason.text() == "Your helper's connection was lost."


def test_a_card_from_a_foreign_server_says_why_and_the_path_is_shown(window):
    window.engine.emit(SignedIn(user="bob@contoso.example", name="Bob", server_trust="mismatch"))
    assert "not your organisation's server" in window.statusBar().currentMessage()
    reason = "signed by a key (SHA256:x) that is not your organisation's server key"
    window.engine.emit(CARD.model_copy(update={"verified": False, "reason": reason}))
    assert reason in window.consent_page.verified.text()
    window.engine.emit(Connected(relayed=True))
    assert "through your organisation's relay server" in window.sharing_page.status.text()


def test_an_unverified_helper_needs_a_wait_and_words_before_allow(window, qtbot, monkeypatch):
    """A scammer on the phone cannot rush a click: the buttons wait, then ask for words."""
    monkeypatch.setattr(type(window.consent_page), "UNVERIFIED_WAIT_SECONDS", 0.3)
    window.engine.emit(CARD.model_copy(update={"verified": False, "verified_domain": ""}))
    page = window.consent_page
    assert not page.view.isEnabled() and not page.control.isEnabled()
    assert page.confirm.isVisibleTo(window)
    page.confirm.setText("I know this person")
    assert not page.view.isEnabled(), "the words alone do not skip the wait"
    qtbot.waitUntil(page.view.isEnabled)
    page.confirm.setText("ok")
    assert not page.view.isEnabled(), "other words do not do"
    window.engine.emit(CARD)
    assert page.view.isEnabled() and not page.confirm.isVisibleTo(window), "verified: at once"


SHA = "ab" * 32


def test_files_are_offered_unticked_then_sent_and_accepted_from_the_banner(
    window, run_async, monkeypatch, tmp_path
):
    engine = window.engine
    files = window.files
    engine.emit(CARD.model_copy(update={"choices": ["clipboard", "files"]}))
    box = window.consent_page.choices["files"]
    assert box.isVisibleTo(window) and not box.isChecked()
    box.setChecked(True)
    window.consent_page.view.click()
    engine.emit(Connected())
    assert not window.banner.send_button.isVisibleTo(window.banner)
    engine.emit(AllowedChanged(allow=["files"]))
    assert window.banner.send_button.isVisibleTo(window.banner)
    monkeypatch.setattr(
        "sharer_app.views.main_window.choose_file_to_send", lambda _parent: "/tmp/setup.log"
    )
    window.banner.send_button.click()

    # An offer brings the files window to the front, with the helper's name and the size.
    engine.emit(FileOffered(id="1" * 16, name="fix.reg", size=2048, sha256=SHA))
    assert files.isVisible()
    row = files.rows["1" * 16]
    assert row.title.text() == "Alice Example offers fix.reg"
    assert "2.0 KB" in row.status.text()
    assert row.save.isVisibleTo(files) and row.decline.isVisibleTo(files)
    assert not row.bar.isVisibleTo(files)
    files.chooser = lambda _parent, name: str(tmp_path) if name == "fix.reg" else ""
    row.save.click()
    engine.emit(FileProgress(id="1" * 16, bytes=1024))
    assert row.bar.isVisibleTo(files) and row.bar.value() == 1024
    assert row.cancel.isVisibleTo(files)
    engine.emit(FileReceived(id="1" * 16, path=str(tmp_path / "fix.reg"), sha256=SHA))
    assert "Saved as" in row.status.text() and not row.cancel.isVisibleTo(files)

    engine.emit(FileOffered(id="2" * 16, name="other.exe", size=10, sha256=SHA))
    files.rows["2" * 16].decline.click()
    run_async(asyncio.sleep(0.05))
    assert engine.called("consent") == [(ConsentChoice.VIEW, ["files"])]
    assert engine.called("send_file") == [("/tmp/setup.log",)]
    assert engine.called("accept_file") == [("1" * 16, str(tmp_path))]
    assert engine.called("decline_file") == [("2" * 16,)]
