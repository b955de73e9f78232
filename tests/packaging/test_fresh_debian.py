"""A new user on a fresh Debian machine, following the README's "Installing" section.

The four packages go in with apt (which pulls their dependencies from Debian's mirror); the
server and the device agent run as systemd services; a session runs between the installed
apps with the helper's identity verified against the pinned key; the device is enrolled, and
its agent carries out actions before and after ``systemctl restart`` and after the machine
reboots. Each test builds on the one before, as the user's steps do.

The machine is booted with systemd-nspawn (``fresh_machine``). An installed sharer that died
at its first ``import numpy`` (a library broken by ``strip``) was found this way: the bundle
tests run the build's folders, not what the packages put on a machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools.headless import HeadlessApp
from devtools.waiting import wait_until
from tests.packaging.fresh_machine import Machine, can_boot_machines, debootstrap, free_display

ROOT = Path(__file__).resolve().parents[2]
PORT = 18443
SERVER = f"http://127.0.0.1:{PORT}"
HELPER, SHARER, ADMIN = "alice@contoso.example", "bob@contoso.example", "erin@contoso.example"
DEVICE = "FIN-LAPTOP-9"
AGENT_DATA = "/var/lib/helpline-agent"

pytestmark = [
    pytest.mark.timeout(2400),
    pytest.mark.skipif(can_boot_machines() is not None, reason=str(can_boot_machines())),
]


@pytest.fixture(scope="module")
def machine(dist, tmp_path_factory) -> Iterator[Machine]:
    root = tmp_path_factory.mktemp("fresh-debian") / "root"
    debootstrap(root)
    for deb in dist.glob("*.deb"):
        (root / "root" / deb.name).write_bytes(deb.read_bytes())
    booted = Machine(root, root.parent / "boot.log")
    booted.boot()
    yield booted
    booted.poweroff()


def _installed(machine: Machine, package: str) -> bool:
    done = machine.run("dpkg-query", "-W", "-f=${Status}", package, check=False)
    return done.stdout == "install ok installed"


def test_apt_installs_the_four_packages_with_their_units_and_menu_entries(machine):
    debs = sorted(p.name for p in machine.root.joinpath("root").glob("*.deb"))
    machine.run("apt-get", "update", timeout=900)
    machine.run(
        "apt-get", "install", "-y", *(f"/root/{d}" for d in debs),
        env=("DEBIAN_FRONTEND=noninteractive",), timeout=1800,
    )  # fmt: skip
    for package in ("helpline-config", "helpline-helper", "helpline-sharer", "helpline-signaling"):
        assert _installed(machine, package), package
    for unit in ("helpline-signaling", "helpline-agent"):
        assert machine.run("systemctl", "is-enabled", unit).stdout.strip() == "enabled"
    for app in ("helpline-helper", "helpline-sharer"):
        assert machine.run(app, "--version").stdout.startswith(f"{app} 0.")
        entry = machine.root / "usr" / "share" / "applications" / f"{app}.desktop"
        assert f"Exec={app}" in entry.read_text()


def test_the_server_runs_as_a_service_once_configured(machine):
    identity = (ROOT / "tests" / "device_agent" / "devices-identity.toml").read_text()
    machine.write("/etc/helpline/lab-identity.toml", identity)
    machine.write(
        "/etc/helpline/signaling.env",
        f"HELPLINE_HOST=127.0.0.1\nHELPLINE_PORT={PORT}\nHELPLINE_DATA_DIR=/var/lib/helpline\n"
        "HELPLINE_DEV_IDENTITY=/etc/helpline/lab-identity.toml\n",
    )
    machine.run("systemctl", "restart", "helpline-signaling")
    wait_until(lambda: _healthy(), "the server answers /healthz")
    assert machine.run("systemctl", "show", "-p", "User", "helpline-signaling").stdout.strip() == (
        "User=helpline"
    )
    # What IT hands out with helpline-config: the server and its card-signing key.
    key = machine.run("helpline-signaling", "server-key", "--data-dir", "/var/lib/helpline")
    fingerprint = key.stdout.strip().splitlines()[-1]
    machine.write(
        "/etc/xdg/helpline/helpline.toml", f'server = "{SERVER}"\nserver_key = "{fingerprint}"\n'
    )


def _healthy() -> bool:
    try:
        return httpx.get(f"{SERVER}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_session_between_the_installed_apps_shows_the_verified_helper(machine):
    machine.run("apt-get", "install", "-y", "xvfb", env=("DEBIAN_FRONTEND=noninteractive",))
    display = free_display()
    machine.run("systemd-run", "--unit", "lab-display", "Xvfb", display, "-screen", "0",
                "1280x800x24", "-nolisten", "tcp")  # fmt: skip
    wait_until(lambda: f"X11-unix/X{display[1:]}" in Path("/proc/net/unix").read_text(), "Xvfb")
    inside = machine.inside(f"DISPLAY={display}")
    helper = HeadlessApp("helper_app", "--user", HELPER, prefix=inside, program=["helpline-helper"])
    sharer = None
    try:
        signed_in = helper.wait_for("signed_in")
        assert signed_in["server_trust"] == "configured", "the pinned key from helpline.toml"
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app", "--user", SHARER, "--code", code, "--consent", "view",
            prefix=inside, program=["helpline-sharer"],
        )  # fmt: skip
        shown = sharer.wait_for("helper_identity")
        assert shown["verified"] is True and shown["verified_domain"] == "contoso.example"
        helper.wait_for("connected")
        events = helper.wait_until(
            lambda evs: any(e["event"] == "stats" and e["frames"] > 0 for e in evs)
        )
        stats = [e for e in events if e["event"] == "stats" and e["frames"] > 0][-1]
        assert (stats["width"], stats["height"]) == (1280, 800)
        helper.send("end")
        assert sharer.wait_for("ended")["reason"] == "helper_ended"
    finally:
        helper.close()
        if sharer is not None:
            sharer.close()
        machine.run("systemctl", "stop", "lab-display", check=False)


def _action(machine: Machine, action: str) -> dict:
    done = machine.run(
        "helpline-helper", "action", DEVICE, action, "--wait", "--user", ADMIN, "--json"
    )
    return json.loads(done.stdout)


def _agent_does(machine: Machine, action: str) -> None:
    """The agent service is up and carries out ``action`` for the admin."""
    wait_until(
        lambda: (
            machine.run("systemctl", "is-active", "helpline-agent", check=False).stdout.strip()
            == "active"
        ),
        "the agent's service is active",
    )
    assert _action(machine, action)["state"] == "succeeded"


def test_the_enrolled_agent_runs_as_a_service_through_restarts_and_a_reboot(machine):
    enrolled = machine.run(
        "runuser", "-u", "helpline-agent", "--", "helpline-sharer", "enroll",
        "--data-dir", AGENT_DATA, "--user", SHARER, "--name", DEVICE, "--json",
    )  # fmt: skip
    assert json.loads(enrolled.stdout)["name"] == DEVICE
    machine.run("systemctl", "enable", "--now", "helpline-agent")
    _agent_does(machine, "diagnostics")
    user = machine.run("systemctl", "show", "-p", "User", "helpline-agent").stdout.strip()
    assert user == "User=helpline-agent", "not root: the polkit rules give it only what it needs"

    machine.run("systemctl", "restart", "helpline-agent")
    _agent_does(machine, "sync")
    machine.run("systemctl", "daemon-reexec")
    _agent_does(machine, "sync")

    machine.reboot()
    wait_until(_healthy, "the server is back after the reboot")
    _agent_does(machine, "sync")


def test_nothing_failed_on_the_machine(machine):
    failed = machine.run("systemctl", "--failed", "--no-legend", "--plain").stdout.strip()
    assert failed == "", failed
    journal = machine.run("journalctl", "-u", "helpline-agent", "-u", "helpline-signaling",
                          "--no-pager", "-o", "cat").stdout  # fmt: skip
    assert "Traceback" not in journal, journal[-3000:]


def test_the_agent_unit_is_sandboxed(machine):
    shown = machine.run(
        "systemctl", "show", "helpline-agent", "-p", "NoNewPrivileges", "-p", "ProtectSystem"
    ).stdout
    assert "NoNewPrivileges=yes" in shown and "ProtectSystem=strict" in shown
