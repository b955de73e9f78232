"""A helper and a sharer headless app joined by a real code on a real server."""

from __future__ import annotations

from devtools.headless import HeadlessApp
from devtools.server import ServerProcess

HELPER, SHARER = "alice@contoso.example", "bob@contoso.example"


def pair(
    server: ServerProcess,
    display: str,
    *sharer_args: str,
    helper: str = HELPER,
    env: dict[str, str] | None = None,
    sharer_env: dict[str, str] | None = None,
) -> tuple[HeadlessApp, HeadlessApp]:
    """The sharer captures ``display``; ``sharer_args`` (``--consent``, ``--allow``) are its;
    ``env`` is both apps' environment on top of the test's, ``sharer_env`` the sharer's own."""
    helper_app = HeadlessApp("helper_app", "--server", server.url, "--user", helper, env=env)
    code = helper_app.wait_for("code")["code"]
    sharer = HeadlessApp(
        "sharer_app", "--server", server.url, "--user", SHARER, "--code", code,
        *sharer_args, env={**(env or {}), **(sharer_env or {}), "DISPLAY": display},
    )  # fmt: skip
    return helper_app, sharer
