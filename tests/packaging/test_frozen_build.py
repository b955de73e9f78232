"""The frozen Linux build, as a user installs it: bundles and .deb packages from scripts/build.sh.

Built once per run (a few minutes) and shared by every test here. A bundle that misses a
module, a Qt plugin or a codec fails one of these tests instead of a user: each test runs the
bundles' own executables, never the virtual environment's code.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from devtools.display import xvfb
from devtools.headless import HeadlessApp
from devtools.server import DEV_DIRECTORY, ServerProcess, start_server
from devtools.waiting import wait_until
from tests.display_tools import xdotool_mouse_location
from tests.fixtures_display import SCREEN

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ("helpline-helper", "helpline-sharer", "helpline-signaling")
HELPER = "alice@contoso.example"
SHARER = "bob@contoso.example"

# The first test waits for the build: minutes on a quiet machine, more on a busy one.
pytestmark = [pytest.mark.display, pytest.mark.timeout(1800)]


def program(dist: Path, name: str) -> list[str]:
    return [str(dist / name / name)]


@pytest.fixture
def frozen_server(dist, tmp_path):
    server = start_server(
        DEV_DIRECTORY, tmp_path / "server", program=program(dist, "helpline-signaling")
    )
    yield server
    server.stop()


def test_every_bundle_answers_its_version_and_carries_the_notices(dist):
    for name in PROGRAMS:
        done = subprocess.run(
            [*program(dist, name), "--version"], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"{name} 0."), done.stdout
        notices = (dist / name / "_internal" / "THIRD-PARTY-NOTICES.txt").read_text()
        assert "aiortc" in notices or name == "helpline-signaling"
        assert "cryptography" in notices
        assert (dist / name / "_internal" / "LICENSE").read_text().startswith("\n")


def test_a_session_between_the_frozen_apps_streams_and_injects(dist, frozen_server: ServerProcess):
    with xvfb(*SCREEN) as display:
        helper = HeadlessApp(
            "helper_app",
            "--server", frozen_server.url, "--user", HELPER,
            program=program(dist, "helpline-helper"),
        )  # fmt: skip
        sharer = None
        try:
            code = helper.wait_for("code")["code"]
            sharer = HeadlessApp(
                "sharer_app",
                "--server", frozen_server.url, "--user", SHARER, "--code", code,
                "--consent", "control",
                env={"DISPLAY": display},
                program=program(dist, "helpline-sharer"),
            )  # fmt: skip
            helper.wait_for("connected")
            events = helper.wait_until(
                lambda evs: any(e["event"] == "stats" and e["frames"] > 0 for e in evs)
            )
            [stats, *_] = [e for e in events if e["event"] == "stats" and e["frames"] > 0]
            assert (stats["width"], stats["height"]) == SCREEN
            helper.send("mouse_move", x=0.25, y=0.5)
            wait_until(
                lambda: xdotool_mouse_location(display) == (SCREEN[0] // 4, SCREEN[1] // 2),
                "the sharer's pointer moved by the frozen helper",
            )
            helper.send("end")
            assert sharer.wait_for("ended")["reason"] == "helper_ended"
        finally:
            helper.close()
            if sharer is not None:
                sharer.close()


def test_the_frozen_helper_opens_its_window(dist, frozen_server: ServerProcess, tmp_path):
    with xvfb(*SCREEN) as display:
        proc = subprocess.Popen(
            [*program(dist, "helpline-helper"), "--server", frozen_server.url, "--user", HELPER],
            env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            found = wait_until(
                lambda: subprocess.run(
                    ["xdotool", "search", "--name", "Helpline — Helper"],
                    env={**os.environ, "DISPLAY": display},
                    capture_output=True,
                    text=True,
                ).stdout.strip(),
                "the frozen helper's window",
            )
            assert found
            assert proc.poll() is None
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err


def test_the_frozen_agent_carries_out_an_action(dist, tmp_path):
    server = start_server(
        ROOT / "tests" / "device_agent" / "devices-identity.toml",
        tmp_path / "server",
        program=program(dist, "helpline-signaling"),
    )
    sharer, helper = program(dist, "helpline-sharer"), program(dist, "helpline-helper")
    data_dir = tmp_path / "device"
    try:
        enrolled = subprocess.run(
            [*sharer, "enroll", "--server", server.url, "--user", SHARER,
             "--name", "FIN-LAPTOP-9", "--data-dir", str(data_dir), "--json"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert enrolled.returncode == 0, enrolled.stderr
        agent = HeadlessApp(
            "sharer_app",
            "agent", "--server", server.url, "--data-dir", str(data_dir), "--dry-run",
            headless=False,
            program=sharer,
        )  # fmt: skip
        try:
            agent.wait_for("checked_in")
            done = subprocess.run(
                [*helper, "action", "FIN-LAPTOP-9", "lock", "--wait", "--server", server.url,
                 "--user", "erin@contoso.example", "--json"],
                capture_output=True, text=True, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            assert '"succeeded"' in done.stdout and "loginctl lock-sessions" in done.stdout
        finally:
            agent.close()
    finally:
        server.stop()


def test_the_debian_packages_hold_the_apps_the_agent_unit_and_the_server(dist):
    debs = {p.name.split("_")[0]: p for p in dist.glob("*.deb")}
    assert set(debs) == {"helpline-config", *PROGRAMS}

    def contents(name: str) -> str:
        return subprocess.run(
            ["dpkg-deb", "--contents", str(debs[name])], capture_output=True, text=True, check=True
        ).stdout

    sharer = contents("helpline-sharer")
    for path in (
        "./usr/lib/helpline-sharer/helpline-sharer",
        "./usr/bin/helpline-sharer -> ../lib/helpline-sharer/helpline-sharer",
        "./usr/share/applications/helpline-sharer.desktop",
        "./usr/share/icons/hicolor/scalable/apps/helpline-sharer.svg",
        "./lib/systemd/system/helpline-agent.service",
        "./usr/share/polkit-1/rules.d/50-helpline-agent.rules",
    ):
        assert path in sharer, path
    assert "./usr/share/applications/helpline-helper.desktop" in contents("helpline-helper")
    server = contents("helpline-signaling")
    assert "./lib/systemd/system/helpline-signaling.service" in server
    assert "./etc/helpline/signaling.env" in server
    assert "./etc/xdg/helpline/helpline.toml" in contents("helpline-config")


def test_the_debian_packages_pass_lintian_without_errors(dist):
    for deb in sorted(dist.glob("*.deb")):
        done = subprocess.run(
            ["lintian", "--tag-display-limit", "0", str(deb)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        errors = [line for line in done.stdout.splitlines() if line.startswith("E:")]
        assert errors == [], f"{deb.name}:\n" + "\n".join(errors)
