"""Browser tests: Playwright for Python driving Debian's /usr/bin/chromium (never a downloaded browser) against
the clerk's pages on loopback, with the real verifier asking the СМЭВ/ЕСИА emulator.

Without chromium the tests are skipped with a note, unless EDUGATEWAY_REQUIRE_BROWSER is set (CI), when they
fail: a browser test that quietly never runs proves nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from e2e_pages import CHROMIUM, PHONE, Pages
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from edugateway.config.settings import Settings
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.smev import ENDPOINT, create_app
from edugateway.store.db import Database
from edugateway.web.app import create_app as create_web_app
from edugateway.web.throttle import LoginThrottle, ThrottleLimits
from support.clerk_school import (
    CODE,
    add_accounts,
    add_platform_record,
    add_school,
    cheap_passwords,
    esia_world,
    verifier_for,
)


# Module-scoped, not session-scoped: Playwright's sync API keeps an event loop running in the main thread while
# it is started, and every later test that calls asyncio.run (the verifier, async tests) would fail.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        if os.environ.get("EDUGATEWAY_REQUIRE_BROWSER"):
            pytest.fail(f"EDUGATEWAY_REQUIRE_BROWSER is set but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"no {CHROMIUM}: browser tests skipped (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def smev_url() -> Iterator[str]:
    with BackgroundServer(create_app(esia_world(), response_delay_s=0.05).app) as server:
        yield server.base_url + ENDPOINT


@pytest.fixture
def pages(sqlite_db: Database, smev_url: str) -> Iterator[Pages]:
    """The school verified for real (its cases opened by ЕСИА's answers), three accounts, the pages served."""
    school = add_school(sqlite_db)
    verifier = verifier_for(smev_url)
    # In its own thread: Playwright's sync API keeps an event loop running in this one, and the verifier
    # starts its own with asyncio.run (as it does in the web server's worker threads).
    with ThreadPoolExecutor(1) as worker:
        worker.submit(verifier.verify_school, sqlite_db, CODE, actor="verify").result()
    add_platform_record(sqlite_db, school)
    add_accounts(sqlite_db, cheap_passwords())
    app = create_web_app(
        sqlite_db,
        Settings(),
        verifier=verifier,
        passwords=cheap_passwords(),
        throttle=LoginThrottle(ThrottleLimits(failure_delay_s=0.2)),
    )
    with BackgroundServer(app) as server:
        yield Pages(server.base_url, sqlite_db, school)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="ru-RU")
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="ru-RU", viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()
