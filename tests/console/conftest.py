"""The console against the in-process server (HTTP-level tests) and a real server process
with Debian's chromium driven by Playwright (browser tests)."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.console.people import DIRECTORY, ConsoleUser
from tests.signaling.inprocess import in_process_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def server(tmp_path):
    with in_process_server(tmp_path, DIRECTORY.read_text()) as running:
        yield running


@pytest.fixture
def person(server):
    """Someone at the console; call it again for another person (their own cookie)."""
    return lambda: ConsoleUser(server.client)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, never a downloaded browser (there is no network to download it).

    Playwright for this module only: its synchronous API keeps an event loop running in the
    main thread while it is started, which the suite's asyncio tests cannot share, so it is
    stopped before the next module (pytest-playwright's own fixtures live for the session).
    """
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            "the console's browser tests need Debian's chromium: source scripts/bootstrap.sh"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()
