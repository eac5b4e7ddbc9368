"""The region's night on /runs in chromium (issue 19: the dashboard "in Russian like the other admin pages",
usable at 1366 and 375 px): a queue holding a fire in each state on PostgreSQL; the counts and the rows read at
both widths, and on a phone nothing is wider than the screen. Screenshots in tests/e2e/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_pages import PHONE, screenshot, sign_in
from playwright.sync_api import Browser, expect

from edugateway.emulators.server import BackgroundServer
from edugateway.store.db import Database
from edugateway.store.tables import SchoolRow
from edugateway.web.app import create_app
from edugateway.web.throttle import LoginThrottle, ThrottleLimits
from support.clerk_school import add_accounts, cheap_passwords
from support.night_queue import SCHOOLS, night_settings, plant_queue_night


@pytest.fixture
def night_url(database: Database, tmp_path: Path) -> Iterator[str]:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the procrastinate executor runs on PostgreSQL only")
    settings, _config = night_settings(database, tmp_path, "procrastinate")
    plant_queue_night(database, settings)
    with database.session() as session:
        session.add_all([SchoolRow(code=code, name=f"МАОУ «Гимназия №{n}» г. Екатеринбург") for n, code in
                         enumerate(SCHOOLS, start=1)])  # fmt: skip
    add_accounts(database, cheap_passwords())
    app = create_app(
        database, settings, passwords=cheap_passwords(), throttle=LoginThrottle(ThrottleLimits(failure_delay_s=0))
    )
    with BackgroundServer(app) as server:
        yield server.base_url


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (PHONE["width"], PHONE["height"])])
def test_the_night_reads_at_desktop_and_phone_width(browser: Browser, night_url: str, width: int, height: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})
    sign_in(page, night_url, "admin")
    page.goto(f"{night_url}/runs")
    counts = page.locator("#night-counts")
    expect(counts).to_contain_text("2 в очереди")
    expect(counts).to_contain_text("1 повторяется")
    expect(page.locator("#night-board")).to_contain_text("night-host-2 pid 4242")
    expect(page.locator("#night-workers")).to_contain_text("молчит")
    screenshot(page, f"night-board-{width}.png")
    document, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert document <= window, f"the page is {document} px wide in a {window} px window"
    page.close()
