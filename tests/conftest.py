"""Fixtures built from the app factory, and real servers for the end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from quart.typing import TestClientProtocol as Client

from tests.support.servers import CHROMIUM, CHROMIUM_ARGS, LiveServer


@pytest.fixture
def settings(tmp_path: Path) -> dict[str, Any]:
    """Settings for an app of our own: a fresh database, no built-in feed."""
    return {"DATABASE": str(tmp_path / "test.sqlite3"), "FEED": False}


@pytest.fixture
async def app(settings: dict[str, Any]) -> AsyncIterator[Dash]:
    """A started app (before_serving and after_serving run around the test)."""
    from app import create_app  # here, not at the top: unit tests need no app

    dash_app = create_app(settings)
    async with dash_app.server.test_app():
        yield dash_app


@pytest.fixture
def client(app: Dash) -> Client:
    """Quart's test client for the app."""
    return app.server.test_client()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real `uvicorn app:server` on a free port, with its own database and no feed."""
    live = LiveServer(tmp_path).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium per test module, driven by Playwright.

    Per module, not per session: sync Playwright keeps an event loop running in this thread
    while it is open, and the async tests of other modules need the thread's loop free.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; console errors fail the test that made them."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of the test's own (tests/support/postgres.py), dropped afterwards."""
    from tests.support.postgres import fresh_database

    with fresh_database() as url:
        yield url
