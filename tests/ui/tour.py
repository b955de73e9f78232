"""A whole session through both desktop apps, driven by their widgets like a person would.

The UI test runs it; ``python -m tests.ui.tour OUT_DIR`` runs it on a real server and saves a
screenshot of each main screen (the README links them from docs/screenshots/).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from client.settings import AppSettings
from tests.ui.conftest import until

Shoot = Callable[[str, QWidget], None]

ALICE = "alice@contoso.example"
BOB = "bob@contoso.example"


def _finished(row) -> bool:
    """A file's row once its transfer is over: no button is left to press."""
    return not (row.save.isVisibleTo(row) or row.cancel.isVisibleTo(row))


async def tour(server_url: str, shoot: Shoot | None = None) -> dict[str, object]:
    from helper_app.views.main_window import HelperWindow
    from helper_app.views.service import HelperService
    from sharer_app.engine_factory import build_engine
    from sharer_app.views.main_window import SharerWindow
    from sharer_app.views.service import SharerService

    def snap(name: str, widget: QWidget) -> None:
        if shoot is not None:
            shoot(name, widget)

    helper_service = HelperService(AppSettings(server=server_url))
    helper = HelperWindow(helper_service)
    helper.resize(1100, 720)
    helper.move(0, 40)
    helper.show()
    sharer_service = SharerService(AppSettings(server=server_url), build_engine)
    sharer = SharerWindow(sharer_service)
    sharer.resize(720, 720)
    sharer.move(1100, 120)
    sharer.show()
    try:
        helper_service.load_users()
        sharer_service.load_users()
        await until(lambda: helper.sign_in_page.users.count() > 0, what="helper user list")
        snap("helper-sign-in", helper)
        helper.sign_in_page.users.setCurrentIndex(helper.sign_in_page.users.findData(ALICE))
        helper.sign_in_page.button.click()
        await until(lambda: helper.stack.currentWidget() is helper.code_page, what="code")
        await asyncio.sleep(0.2)
        snap("helper-code", helper)
        code = helper.code_page.code.text()

        await until(lambda: sharer.entry_page.users.count() > 0, what="sharer user list")
        sharer.entry_page.select_user(BOB)
        sharer.entry_page.code.setText(code.lower().replace("-", " "))
        snap("sharer-code-entry", sharer)
        sharer.entry_page.button.click()
        await until(lambda: sharer.stack.currentWidget() is sharer.consent_page, what="card")
        snap("sharer-consent", sharer)
        await until(lambda: helper.stack.currentWidget() is helper.status_page, what="waiting")
        snap("helper-waiting", helper)
        verified = sharer.consent_page.verified.text()

        # The separate choices start unticked (as the screenshot shows); Bob allows two.
        sharer.consent_page.choices["clipboard"].setChecked(True)
        sharer.consent_page.choices["files"].setChecked(True)
        sharer.consent_page.view.click()
        await until(lambda: helper.stack.currentWidget() is helper.session_page, 60, "session")
        await until(lambda: helper.session_page.screen._frame is not None, 60, "first frame")
        await until(lambda: sharer.banner.isVisible(), what="banner")

        helper.session_page.request_action.trigger()
        await until(lambda: sharer.banner.request_row.isVisible(), what="control request")
        snap("sharer-banner-request", sharer.banner)
        sharer.banner.allow.click()
        await until(lambda: helper.session_page.screen.control, what="control granted")
        helper.session_page.chat_action.setChecked(True)
        helper.session_page.chat.entry.setText("Hi Bob, I can see your screen now.")
        helper.session_page.chat.entry.returnPressed.emit()
        await until(lambda: "Hi Bob" in sharer.sharing_page.chat.log.toPlainText(), what="chat")
        await asyncio.sleep(1.5)  # a few frames of the windows as they are now
        snap("helper-session", helper)
        snap("sharer-sharing", sharer)
        snap("sharer-banner", sharer.banner)

        # Alice sends a file (what "Send file…" does once its dialog has a path); Bob sees
        # the offer come to the front and saves it in the folder he picks.
        await until(lambda: helper.session_page.send_file_action.isVisible(), what="files")
        with tempfile.TemporaryDirectory() as files:
            sent = Path(files) / "network-fix.txt"
            sent.write_text("netsh winsock reset\n")
            folder = Path(files) / "Downloads"
            folder.mkdir()
            helper_service.send_file(str(sent))
            await until(lambda: bool(sharer.files.rows), what="file offer")
            await asyncio.sleep(0.3)
            snap("sharer-file-offer", sharer.files)
            [row] = sharer.files.rows.values()
            sharer.files.chooser = lambda _parent, _name: str(folder)
            row.save.click()
            # Whatever the language: the file is there, and both rows have nothing left to do.
            await until(lambda: (folder / sent.name).exists() and _finished(row), what="saved")
            await until(lambda: any(map(_finished, helper.files.rows.values())), what="file sent")
            snap("sharer-file-saved", sharer.files)
            saved = (folder / sent.name).read_text()

        sharer.banner.stop_button.click()
        await until(lambda: helper.stack.currentWidget() is helper.ended_page, what="ended")
        await until(lambda: sharer.stack.currentWidget() is sharer.ended_page, what="ended")
        snap("helper-ended", helper)
        return {
            "code": code,
            "verified": verified,
            "helper_reason": helper.ended_page.reason.text(),
            "sharer_reason": sharer.ended_page.reason.text(),
            "file_saved": saved,
            "frame_size": (helper_service.engine.width, helper_service.engine.height)
            if helper_service.engine
            else None,
        }
    finally:
        await helper_service.shutdown()
        await sharer_service.shutdown()
        helper.close()
        sharer.close()
        helper.files.close()
        sharer.files.close()


def main(out_dir: str, suffix: str = "") -> int:
    """Take the README's screenshots against a throwaway server on this display."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from devtools.server import DEV_DIRECTORY as DIRECTORY
    from devtools.server import start_server

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from desktop_widgets.desktop_app import prepare_application

    app = QApplication(sys.argv)
    prepare_application(app, "helpline-helper")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(DIRECTORY, Path(tmp) / "data")

        def shoot(name: str, widget: QWidget) -> None:
            widget.grab().save(str(out / f"{name}{suffix}.png"))

        try:
            with loop:
                print(loop.run_until_complete(tour(server.url, shoot)))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(*(sys.argv[1:3] or ["docs/screenshots"])))
