"""End-to-end fixtures: the app served by a real server in a thread, driven by headless Chromium."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server
from werkzeug.wsgi import ClosingIterator

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


class _ClosesEveryResponse:
    """The app, keeping each response body until it is closed.

    Werkzeug's server skips closing a body when the browser drops the connection while the
    server drains it (a page's service-worker fetch cut off by the end of a test); the open
    file of a static response then warns when collected, in whichever test runs at that time.
    What is still open when the server stops is closed here instead.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.open: set[ClosingIterator] = set()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = self.app(environ, start_response)
        wrapped = ClosingIterator(body, [lambda: self._done(wrapped)])
        with self.lock:
            self.open.add(wrapped)
        return wrapped

    def _done(self, wrapped: ClosingIterator) -> None:
        with self.lock:
            self.open.discard(wrapped)

    def close_the_rest(self) -> None:
        with self.lock:
            left, self.open = list(self.open), set()
        for body in left:
            body.close()


# The service worker has installed and taken the page over (its shell fetched).
SERVICE_WORKER_READY = "navigator.serviceWorker && navigator.serviceWorker.controller !== null"


def wait_until(page, expression: str, seconds: float = 10) -> None:
    """Poll a JavaScript expression from here until it is true. Playwright's wait_for_function
    polls by evaluating a string in the page, which the app's CSP (no 'unsafe-eval') refuses
    whenever the first check is not already true; page.evaluate is not subject to it."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still not true after {seconds} s: {expression}"
        page.wait_for_timeout(50)


def wait_for_service_worker(page) -> None:
    """Until the service worker controls the page. A page that loaded while the worker was
    still activating is taken over by its claim, which a busy machine was once seen not to do
    within 10 s; the page's next load is then controlled for certain, as a user's would be."""
    try:
        wait_until(page, SERVICE_WORKER_READY)
    except AssertionError:
        page.reload()
        wait_until(page, SERVICE_WORKER_READY, seconds=20)


def new_screen(browser, live_server: str, path: str = "/display"):
    """A 1920x1080 TV opened on the screen page: its context, page, pairing code (without its
    spacing) and the page errors it will collect."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + path)
    code = page.inner_text(".ds-pair-code").replace("\n", "").replace(" ", "")
    return context, page, code, errors


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app (and its database) served on a free port; yields the base URL."""
    served = _ClosesEveryResponse(app)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        served.close_the_rest()


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
