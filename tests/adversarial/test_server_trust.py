"""Trust in the server, attacked: a first-use key dressed as verified, a caller dictating a
``--server-key`` over the organisation's pin, a broken ``helpline.toml`` falling back to
first use, and a redirect that carries the sign-in token to a host the apps would refuse.

Real server processes and real headless apps, each test with its own configuration folders
(the suite's ``app_folders``); the redirecting server is a few lines of HTTP on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
import websockets

from client.trust import FIRST_USE_REASON
from devtools.headless import HeadlessApp

HELPER, SHARER = "alice@contoso.example", "bob@contoso.example"
TOKEN = "token-that-must-not-leave-loopback"


def _card(server, sharer_home) -> dict:
    """The card as a sharer on another machine than the helper's (its own data folder, where
    the keys it has seen are kept) is shown it."""
    helper = HeadlessApp("helper_app", "--server", server.url, "--user", HELPER)
    sharer = None
    try:
        code = helper.wait_for("code")["code"]
        sharer = HeadlessApp(
            "sharer_app", "--server", server.url, "--user", SHARER, "--code", code,
            env={"XDG_DATA_HOME": str(sharer_home)},
        )  # fmt: skip
        return sharer.wait_for("helper_identity")
    finally:
        helper.close()
        if sharer is not None:
            sharer.close()


def _refused_at_start(*args: str, env: dict | None = None) -> str:
    """Run the helper app, which must stop at once with status 2 and one error line."""
    app = subprocess.run(
        [sys.executable, "-m", "helper_app", "--headless", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    assert app.returncode == 2, app.stdout + app.stderr
    assert "Traceback" not in app.stderr
    [error] = [line for line in app.stderr.splitlines() if "error:" in line]
    return error


@pytest.mark.display
def test_a_first_use_key_is_not_shown_as_verified(signaling_server, xvfb_display, tmp_path):
    first = _card(signaling_server, tmp_path / "sharer-machine")
    assert first["verified"] is False
    assert first["server_trust"] == "first_use"
    assert first["reason"] == FIRST_USE_REASON
    # Known from then on: the same key is no longer first use.
    again = _card(signaling_server, tmp_path / "sharer-machine")
    assert again["server_trust"] == "pinned" and again["verified"] is True


def _pin(app_folders, fingerprint: str):
    config = app_folders / "site-config" / "helpline" / "helpline.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'server_key = "{fingerprint}"\n')
    return config


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_a_dictated_server_key_does_not_override_the_organisations_pin(
    signaling_server, app_folders, how
):
    config = _pin(app_folders, signaling_server.key_fingerprint())
    look_alike = "SHA256:lookalikelookalikelookalikelookalikelookalik"
    flag = ("--server-key", look_alike) if how == "flag" else ()
    env = {"HELPLINE_SERVER_KEY": look_alike} if how == "environment" else {}
    error = _refused_at_start("--server", signaling_server.url, "--user", HELPER, *flag, env=env)
    assert str(config) in error and look_alike in error and "pin wins" in error


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("", 1),
        ("# only a comment\n", 1),
        ('server = "https://helpline.contoso.example"\nserver_key = \n', 2),
        ('server = "https://helpline.contoso.example"\nserver_key = 42\n', 2),
    ],
)
def test_a_broken_or_empty_configuration_refuses_to_start(app_folders, text, line):
    config = app_folders / "config" / "helpline" / "helpline.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    error = _refused_at_start("--server", "http://127.0.0.1:1", "--user", HELPER)
    assert str(config) in error and f"line {line}" in error


@contextlib.asynccontextmanager
async def _redirecting_to(target_host: str) -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback "server" that signs in development users and redirects its websocket to a
    real websocket server on ``target_host``, which records whatever reaches it."""
    received: list[str] = []

    async def record(ws) -> None:
        async for message in ws:
            received.append(str(message))

    target = await websockets.serve(record, target_host, 0)
    port = target.sockets[0].getsockname()[1]
    location = f"ws://{target_host}:{port}/v1/ws".encode()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if head.startswith(b"POST /dev-idp/token"):
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            body = json.dumps({"access_token": TOKEN, "token_type": "Bearer"}).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )
        else:
            writer.write(
                b"HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n"
                b"Connection: close\r\n\r\n" % location
            )
        await writer.drain()
        writer.close()

    front = await asyncio.start_server(answer, "127.0.0.1", 0)
    front_port = front.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{front_port}", received
    finally:
        front.close()
        target.close()
        await target.wait_closed()


async def test_a_redirect_to_another_host_gets_no_token():
    async with _redirecting_to("0.0.0.0") as (url, received):
        app = HeadlessApp("helper_app", "--server", url, "--user", HELPER)
        try:
            error = await asyncio.to_thread(app.wait_for, "error")
            assert error["code"] == "sign_in_failed"
            assert "redirect" in error["message"]
            assert await asyncio.to_thread(app.close) == 1
        finally:
            app.close()
    assert not any(TOKEN in message for message in received), received
