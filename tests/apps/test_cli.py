"""What a new user types first: --version, --help, a URL without a scheme, no display."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from client.settings import AppSettings, normalise_server_url
from tests.headless_driver import HeadlessApp

APPS = [("helper_app", "helpline-helper"), ("sharer_app", "helpline-sharer")]


def _run(module: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(("module", "prog"), APPS)
def test_version(module, prog):
    result = _run(module, "--version")
    assert result.returncode == 0
    name, version = result.stdout.split()
    assert name == prog and version[0].isdigit()


@pytest.mark.parametrize(("module", "prog"), APPS)
def test_help_is_plain_and_documents_the_server_default_and_exit_statuses(module, prog):
    result = _run(module, "--help")
    assert result.returncode == 0
    text = result.stdout
    assert "``" not in text, "no raw reStructuredText"
    assert "[--server URL]" in text, "--server is optional"
    assert "http://127.0.0.1:8765" in text, "and its default is shown"
    for status in ("0  a session ran", "1  failed", "2  usage error", "3  refused"):
        assert status in text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("localhost:8765/", "http://localhost:8765"),
        ("[::1]:8765", "http://[::1]:8765"),
        ("helpline.contoso.example", "https://helpline.contoso.example"),
        ("https://helpline.contoso.example/", "https://helpline.contoso.example"),
    ],
)
def test_a_server_without_a_scheme_is_understood(typed, meant):
    assert normalise_server_url(typed) == meant
    settings = AppSettings(server=typed)
    assert settings.ws_url == meant.replace("http", "ws", 1) + "/v1/ws"


@pytest.mark.parametrize("typed", ["ftp://helpline.example", "http://", "ws://127.0.0.1:8765"])
def test_other_schemes_are_refused(typed):
    with pytest.raises(ValueError, match="server URL"):
        normalise_server_url(typed)


def test_a_real_session_starts_with_a_scheme_less_server(signaling_server):
    bare = signaling_server.url.removeprefix("http://")
    helper = HeadlessApp("helper_app", "--server", bare, "--user", "alice@contoso.example")
    assert helper.wait_for("code")["code"]
    assert helper.close() == 0


@pytest.mark.parametrize(("module", "prog"), APPS)
def test_without_a_display_the_desktop_app_says_so_instead_of_aborting(module, prog):
    result = _run(
        module,
        "--server",
        "http://127.0.0.1:1",
        env={"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": ""},
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"{prog}: no display found")
    assert "--headless" in result.stderr and "demo" in result.stderr
    assert "Traceback" not in result.stderr and "xcb" not in result.stderr


def test_the_display_check_follows_the_qt_platform():
    from desktop_widgets.display_check import missing_display

    def check(**env: str) -> str | None:
        return missing_display(env, platform="linux")

    assert check() is not None
    assert check(DISPLAY=":9") is None
    assert check(WAYLAND_DISPLAY="wayland-0") is None
    assert check(QT_QPA_PLATFORM="offscreen") is None
    assert check(QT_QPA_PLATFORM="xcb", WAYLAND_DISPLAY="wayland-0") is not None
    assert check(QT_QPA_PLATFORM="wayland", DISPLAY=":9") is not None
    assert missing_display({}, platform="win32") is None
