"""One account enrolling devices in a loop: an account without the ``actions`` permission
holds a few devices at most, and every account's enrolments are rate-limited."""

from __future__ import annotations

import httpx
import pytest

from common.devices.signing import enroll_request, generate_device_key
from devtools.server import start_server
from tests.devices.conftest import ERIN, NOBODY, directory_file

CAP = 3
PER_MINUTE = 8


@pytest.fixture
def server(tmp_path):
    env = {
        "HELPLINE_MAX_DEVICES_PER_ACCOUNT": str(CAP),
        "HELPLINE_ENROLMENTS_PER_MINUTE": str(PER_MINUTE),
    }
    server = start_server(directory_file(tmp_path), tmp_path / "server-data", env=env)
    yield server
    server.stop()


def _enroll(server, upn: str, n: int) -> httpx.Response:
    body = enroll_request(generate_device_key(), name=f"PC-{n}", os="Linux")
    return httpx.post(
        server.url + "/v1/devices/enroll",
        json=body.model_dump(mode="json"),
        headers={"Authorization": f"Bearer {server.token_for(upn)}"},
        timeout=10,
    )


def test_an_account_without_actions_enrols_a_few_devices_only(server):
    answers = [_enroll(server, NOBODY, n) for n in range(CAP + 5)]
    assert [a.status_code for a in answers[:CAP]] == [201] * CAP
    assert {a.status_code for a in answers[CAP:]} == {429}
    assert str(CAP) in answers[CAP].json()["detail"]


def test_enrolments_are_rate_limited_even_for_device_admins(server):
    answers = [_enroll(server, ERIN, n) for n in range(PER_MINUTE + 4)]
    assert [a.status_code for a in answers[:PER_MINUTE]] == [201] * PER_MINUTE
    refused = answers[PER_MINUTE:]
    assert {a.status_code for a in refused} == {429}
    assert all(int(a.headers["Retry-After"]) >= 1 for a in refused)
