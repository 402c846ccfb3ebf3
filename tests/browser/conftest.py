"""Fixtures of the browser tests: a live CKAN server and headless Chromium.

``live_server`` serves CKAN's WSGI app with werkzeug's threaded server on
127.0.0.1 and a free port, in a background thread, for one test; every
request thread gets its own scoped SQLAlchemy session (CKAN removes it after
each request), so data created by factories (which commit) is visible.
``page`` opens a fresh browser context on that server; ``shot(step)`` saves
``screenshots/<test>--<nn>-<step>.png``, and a failing test leaves a
``<test>--failure.png``.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


class _QuietHandler(WSGIRequestHandler):
    """No access log (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture
def empty_site(clean_db: None, clean_index: None) -> None:
    """An empty database and an empty search index, committed.

    ``clean_db`` does not empty the embedded index table (spmd_search_doc):
    without ``clean_index`` the datasets of earlier tests stay searchable.
    The index rows are deleted through the test thread's session: commit, so
    that the server threads see the empty index too.
    """
    from ckan import model

    model.Session.commit()


@pytest.fixture
def live_server(
    empty_site: None, with_plugins: None, ckan_config: Any, make_app: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """CKAN served over HTTP for the duration of one test: its base URL."""
    apps: list[Any] = []

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        return apps[0](environ, start_response)

    # Bind first (port 0: the system picks a free port), so that the site URL
    # is known before CKAN builds its app.
    server = make_server(
        "127.0.0.1", 0, wsgi, threaded=True, request_handler=_QuietHandler
    )
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(ckan_config, "ckan.site_url", url)
    apps.append(make_app().app)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-ckan", daemon=True
    )
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


def _slug(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-")


@pytest.fixture
def page(browser: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in a fresh context; requests off the live server are aborted.

    The browser asks for English: the portal must be French by default,
    whatever the visitor's browser prefers (English lives under /en/).
    """
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    # No network on the machine: fail fast anything that is not the portal.
    context.route(
        re.compile(r"^(?!" + re.escape(live_server) + r"/)"), lambda route: route.abort()
    )
    page = context.new_page()
    yield page
    if request.node.stash.get(_FAILED, False):
        _save(page, f"{_slug(request.node.name)}--failure")
    context.close()


def _save(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shot(page: Any, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """``shot("step")`` saves a full-page screenshot named after test and step."""
    counter = iter(range(1, 100))
    test = _slug(request.node.name)

    def take(step: str) -> Path:
        return _save(page, f"{test}--{next(counter):02d}-{_slug(step)}")

    return take
