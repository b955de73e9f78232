"""The whole server app in this process (Starlette's TestClient), for tests of its rules.

The subprocess tests prove the real thing runs; these reach the same routes, hub and audit
through the ASGI interface, without ports or processes, so each rule is cheap to pin down.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from common.protocol import Hello, Message, ResumeToken, encode_message, parse_message
from signaling.app import create_app
from signaling.audit.store import AuditFilter, AuditStore
from signaling.database.schema import open_database
from signaling.settings import ServerSettings

# Roles for the rules: an operator with chat, one without chat, a viewer, an auditor.
DIRECTORY = """
tenant = "contoso.example"
verified_domains = ["contoso.example"]

[roles.operator]
permissions = ["view", "control", "chat"]
scopes = ["finance"]

[roles.silent-operator]
permissions = ["view", "control"]
scopes = ["finance"]

[roles.auditor]
permissions = ["reports"]
scopes = ["*"]

[roles.finance-auditor]
permissions = ["reports"]
scopes = ["finance"]

[[users]]
upn = "alice@contoso.example"
name = "Alice Example"
company = "Contoso"
job_title = "Support Engineer"
roles = ["operator"]

[[users]]
upn = "sam@contoso.example"
name = "Sam Silent"
roles = ["silent-operator"]

[[users]]
upn = "bob@contoso.example"
name = "Bob Example"
groups = ["finance"]

[[users]]
upn = "bea@contoso.example"
name = "Bea Example"
groups = ["finance"]

[[users]]
upn = "carol@contoso.example"
name = "Carol Example"
groups = ["hr"]

[[users]]
upn = "dana@contoso.example"
name = "Dana Auditor"
roles = ["auditor"]

[[users]]
upn = "fred@contoso.example"
name = "Fred Finance Auditor"
roles = ["finance-auditor"]
"""


class Peer:
    """One websocket to the in-process server, speaking typed messages."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        # Resume tokens come unasked once a session is active; kept aside, not in recv's way.
        self.resume_tokens: list[ResumeToken] = []

    def send(self, message: Message) -> None:
        self.ws.send_text(encode_message(message))

    def send_raw(self, data: dict[str, Any]) -> None:
        self.ws.send_text(json.dumps(data))

    def recv(self) -> Any:
        """The next message other than a resume token (those go to ``resume_tokens``)."""
        while True:
            message = parse_message(self.ws.receive_text())
            if not isinstance(message, ResumeToken):
                return message
            self.resume_tokens.append(message)


class InProcessServer:
    def __init__(
        self, client: TestClient, settings: ServerSettings, stack: contextlib.ExitStack
    ) -> None:
        self.client = client
        self.settings = settings
        self.data_dir = settings.data_dir
        self._stack = stack

    def token_for(self, upn: str) -> str:
        response = self.client.post("/dev-idp/token", json={"upn": upn})
        response.raise_for_status()
        return str(response.json()["access_token"])

    def connect(self) -> Peer:
        return Peer(self._stack.enter_context(self.client.websocket_connect("/v1/ws")))

    def signed_in(self, upn: str, role: str, device: str = "") -> Peer:
        peer = self.connect()
        peer.send(Hello(token=self.token_for(upn), role=role, device_name=device))
        welcome = peer.recv()
        assert welcome.type == "welcome", welcome
        return peer

    def audit(self, **where: Any) -> list[dict[str, Any]]:
        """The audit as the server wrote it, read from its database (SQLite or another)."""
        store = AuditStore(open_database(self.settings.db_url))
        try:
            return store.query(AuditFilter(**where))
        finally:
            store.engine.dispose()


@contextlib.contextmanager
def in_process_server(
    tmp_path: Path, directory_text: str = DIRECTORY, **settings: Any
) -> Iterator[InProcessServer]:
    directory = tmp_path / "directory.toml"
    directory.write_text(directory_text)
    data_dir = tmp_path / "data"
    server_settings = ServerSettings(data_dir=data_dir, dev_identity=directory, **settings)
    app = create_app(server_settings)
    with contextlib.ExitStack() as stack:
        client = stack.enter_context(TestClient(app, base_url="http://localhost"))
        yield InProcessServer(client, server_settings, stack)
