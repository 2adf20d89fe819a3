"""End-to-end fixtures: the app served by a real server in a thread, driven by headless Chromium."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app (and its database) served on a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def _chromium() -> Iterator[object]:
    """One headless Chromium (Debian's) per test file: starting it takes about a second."""
    if CHROMIUM is None:
        pytest.skip(
            "chromium is not installed (apt-get install chromium) so the browser tests skip"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser(_chromium) -> Iterator[object]:
    """The file's Chromium; every context a test opens (its own cookies, storage, cache and
    service workers, like a new browser's) is closed after the test."""
    assert not _chromium.contexts, "a context left open by an earlier test"
    try:
        yield _chromium
    finally:
        for context in _chromium.contexts:
            context.close()
