"""The console in a real browser (Debian's chromium through Playwright) against a real server
process, real headless sessions and a real device agent (``--dry-run``)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from devtools.headless import HeadlessApp
from devtools.server import start_server
from tests.console.people import ALICE, BOB, CAROL, DANA, DIRECTORY, ERIN, FRANK, VIC
from tests.device_agent.conftest import Devices, stop_agent

# The screenshot script points this at docs/screenshots; otherwise they go to the test's folder.
SHOTS = "HELPLINE_CONSOLE_SCREENSHOTS"
BAD_IMPACTS = {"serious", "critical"}


@pytest.fixture
def live(tmp_path):
    server = start_server(DIRECTORY, tmp_path / "server-data")
    yield server
    server.stop()


@pytest.fixture
def devices(live, tmp_path):
    return Devices(live, tmp_path)


@pytest.fixture(autouse=True)
def no_policy_violations(page):
    """Nothing the console needs is blocked by its own Content-Security-Policy."""
    blocked: list[str] = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )
    yield
    assert blocked == []


def sign_in(page, server, upn: str) -> None:
    page.goto(server.url + "/console/login")
    page.select_option("#user", upn)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console/sessions")


def headless_sessions(server) -> None:
    """Two real attempts: alice→bob, declined; alice→carol, refused as out of her scope."""
    for sharer, args, outcome in ((BOB, ("--consent", "decline"), "ended"),
                                  (CAROL, (), "error")):  # fmt: skip
        helper = HeadlessApp("helper_app", "--server", server.url, "--user", ALICE)
        code = helper.wait_for("code")["code"]
        app = HeadlessApp(
            "sharer_app", "--server", server.url, "--user", sharer, "--code", code, *args
        )
        app.wait_for(outcome)
        helper.close()
        app.close()


def api_sessions(server, upn: str, **params: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {server.token_for(upn)}"}
    response = httpx.get(server.url + "/v1/audit/sessions", headers=headers, params=params)
    return list(response.json()["sessions"])


def test_sign_in_and_sign_out(page, live):
    sign_in(page, live, DANA)
    expect(page.get_by_text("Dana Auditor")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/console/login")
    page.goto(live.url + "/console/sessions")
    assert page.url.endswith("/console/login")  # the session ended on the server


def test_the_sessions_report_of_real_sessions_by_mouse_keyboard_and_csv(
    page, live, xvfb_display, tmp_path
):
    headless_sessions(live)
    sign_in(page, live, DANA)
    rows = page.locator("table.report tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.report")).to_contain_text("Bob Example")
    expect(page.locator("table.report")).to_contain_text("Carol Example")
    page.select_option("#outcome", "declined")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**outcome=declined**")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("declined")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [r["record_id"] for r in exported] == [
        r["id"] for r in api_sessions(live, DANA, outcome="declined")
    ]

    # The keyboard alone: tab to the sharer filter, type, Enter; tab to the record, Enter.
    page.goto(live.url + "/console/sessions")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "sharer":
            break
    page.keyboard.type(CAROL)
    page.keyboard.press("Enter")
    page.wait_for_url("**sharer=carol**")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("out_of_scope")
    for _ in range(40):
        page.keyboard.press("Tab")
        if "/console/sessions/" in (page.evaluate("document.activeElement.href") or ""):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/sessions/*")
    expect(page.get_by_text("The audit chain verifies over this record")).to_be_visible()


def test_a_lock_from_the_console_reaches_a_real_agent_and_the_page_follows(
    page, live, devices, tmp_path
):
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    sign_in(page, live, ERIN)
    page.goto(f"{live.url}/console/devices/{device['id']}")
    page.select_option("#action", "lock")
    page.get_by_role("button", name="Request").click()
    page.wait_for_selector('#actions [data-state="pending"]')  # the device is offline
    page.evaluate("window.notReloaded = true")
    agent = devices.agent(data_dir)
    try:
        page.wait_for_selector('#actions [data-state="succeeded"]', timeout=60_000)
        assert page.evaluate("window.notReloaded") is True  # htmx swapped it in, no reload
        assert "lock" in page.locator("#actions tbody tr").first.inner_text()
    finally:
        stop_agent(agent)


def test_a_wipe_requested_by_one_admin_is_approved_by_a_second(page, live, devices, browser):
    device = devices.enroll(Path(str(live.data_dir) + "-device"), "FIN-LAPTOP-8")
    sign_in(page, live, ERIN)
    page.goto(f"{live.url}/console/devices/{device['id']}")
    page.select_option("#action", "wipe")
    page.fill("#confirm", "FIN-LAPTOP-8")
    page.get_by_role("button", name="Request").click()
    expect(page.get_by_text("waiting for a second person").first).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # never one's own
    second = browser.new_context().new_page()
    try:
        sign_in(second, live, FRANK)
        second.goto(live.url + "/console/approvals")
        second.get_by_role("button", name="Approve").click()
        expect(second.get_by_text("wipe of FIN-LAPTOP-8 approved")).to_be_visible()
    finally:
        second.context.close()
    page.reload()
    expect(page.get_by_text(f"approved by {FRANK}")).to_be_visible()


def test_help_started_in_the_console_runs_in_the_helper_app_and_is_photographed(
    page, live, devices, xvfb_display, tmp_path
):
    """A real sharer app waiting on an enrolled device, a real helper app signed in as the
    console's user: the button asks the app, the person consents, the page follows it."""
    shots = Path(os.environ.get(SHOTS) or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-9")
    sharer = HeadlessApp(
        "sharer_app", "--server", live.url, "--user", BOB, "--await-help", "--data-dir",
        str(data_dir), "--consent", "view", env={"DISPLAY": xvfb_display},
    )  # fmt: skip
    helper = HeadlessApp("helper_app", "--server", live.url, "--user", ALICE)
    try:
        sharer.wait_for("awaiting_help")
        helper.wait_for("code")
        sign_in(page, live, ALICE)
        page.goto(f"{live.url}/console/devices/{device['id']}")
        page.evaluate("window.notReloaded = true")
        page.get_by_role("button", name="Start help on this device").click()
        page.wait_for_selector('#help [data-state="active"]', timeout=60_000)
        assert page.evaluate("window.notReloaded") is True  # htmx swapped it in
        assert helper.wait_for("help_asked")["device_id"] == device["id"]
        helper.wait_for("connected")
        helper.wait_until(lambda events: any(e.get("frames", 0) > 0 for e in events))
        page.set_viewport_size({"width": 1440, "height": 900})
        page.screenshot(path=str(shots / "console-device-help.png"), full_page=True)
        helper.send("end")
        sharer.wait_for("ended")
        page.wait_for_selector('#help [data-state="ended"]', timeout=60_000)
    finally:
        helper.close()
        sharer.close()


def test_every_page_passes_an_accessibility_scan_and_is_photographed(
    page, live, devices, browser, xvfb_display, tmp_path
):
    shots = Path(os.environ.get(SHOTS) or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    headless_sessions(live)
    data_dir = tmp_path / "device"
    device = devices.enroll(data_dir, "FIN-LAPTOP-7")
    agent = devices.agent(data_dir)
    try:
        agent.wait_for("checked_in")
        done = devices.action("FIN-LAPTOP-7", "diagnostics", "--wait")
        assert done.json["state"] == "succeeded", done.err
        devices.action("FIN-LAPTOP-7", "lock", "--wait")
        devices.action("FIN-LAPTOP-7", "wipe", "--confirm", "FIN-LAPTOP-7")
    finally:
        stop_agent(agent)
    page.set_viewport_size({"width": 1440, "height": 900})
    axe = Axe()
    record = api_sessions(live, DANA, outcome="declined")[0]["id"]

    def check(name: str, path: str) -> None:
        page.goto(live.url + path)
        violations = axe.run(page).response["violations"]
        bad = [(v["id"], v["impact"]) for v in violations if v["impact"] in BAD_IMPACTS]
        assert bad == [], f"{path}: {bad}"
        page.screenshot(path=str(shots / f"console-{name}.png"), full_page=True)

    check("login", "/console/login")
    sign_in(page, live, DANA)
    check("sessions", "/console/sessions")
    check("session", f"/console/sessions/{record}")
    check("audit", "/console/audit")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live, FRANK)
    check("devices", "/console/devices")
    check("device", f"/console/devices/{device['id']}")
    check("approvals", "/console/approvals")
    check("roles", f"/console/roles?device={device['id']}")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live, VIC)
    check("refused", "/console/sessions")
