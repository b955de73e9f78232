"""A real server with a directory made for devices: admins who act on finance devices, a
viewer, an admin of another group, owners in finance and hr, and the device policy."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from devtools.server import ServerProcess, start_server

ERIN = "erin@contoso.example"  # device admin over finance
FRANK = "frank@contoso.example"  # a second device admin over finance
VIC = "vic@contoso.example"  # may view finance devices, no actions
SAM = "sam@contoso.example"  # device admin over sales only
BOB = "bob@contoso.example"  # owner, finance
CAROL = "carol@contoso.example"  # owner, hr
NOBODY = "nobody@contoso.example"  # no roles, no groups

DIRECTORY = """
tenant = "contoso.example"
verified_domains = ["contoso.example"]

[devices]
allow_unenrolled = {allow_unenrolled}
groups = ["managed"]

[roles.device-admin]
permissions = ["view", "control", "actions"]
scopes = ["finance"]

[roles.device-viewer]
permissions = ["view"]
scopes = ["finance"]

[roles.sales-admin]
permissions = ["view", "actions"]
scopes = ["sales"]

[roles.auditor]
permissions = ["reports"]
scopes = ["*"]

[[users]]
upn = "erin@contoso.example"
name = "Erin Admin"
roles = ["device-admin"]

[[users]]
upn = "frank@contoso.example"
name = "Frank Admin"
roles = ["device-admin"]

[[users]]
upn = "vic@contoso.example"
name = "Vic Viewer"
roles = ["device-viewer"]

[[users]]
upn = "sam@contoso.example"
name = "Sam Sales"
roles = ["sales-admin"]

[[users]]
upn = "dana@contoso.example"
name = "Dana Auditor"
roles = ["auditor"]

[[users]]
upn = "bob@contoso.example"
name = "Bob Example"
groups = ["finance"]

[[users]]
upn = "carol@contoso.example"
name = "Carol Example"
groups = ["hr"]

[[users]]
upn = "nobody@contoso.example"
name = "No Body"
"""


def directory_file(folder: Path, *, allow_unenrolled: bool = True) -> Path:
    path = folder / "devices-identity.toml"
    path.write_text(DIRECTORY.format(allow_unenrolled=str(allow_unenrolled).lower()))
    return path


@pytest.fixture
def device_server(tmp_path):
    server = start_server(directory_file(tmp_path), tmp_path / "server-data")
    yield server
    server.stop()


class Api:
    """The /v1/devices API as one user sees it."""

    def __init__(self, server: ServerProcess, upn: str) -> None:
        self._server = server
        self._headers = {"Authorization": f"Bearer {server.token_for(upn)}"}

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(self._server.url + path, headers=self._headers, params=params, timeout=10)

    def post(self, path: str, body: dict[str, object] | None = None) -> httpx.Response:
        return httpx.post(self._server.url + path, headers=self._headers, json=body, timeout=10)

    def act(self, device_id: str, action: str, **fields: object) -> httpx.Response:
        return self.post(f"/v1/devices/{device_id}/actions", {"action": action, **fields})


@pytest.fixture
def api(device_server):
    def as_user(upn: str) -> Api:
        return Api(device_server, upn)

    return as_user
