"""The region's night on the admin's /runs page (issue 19: "a dashboard row per school in the web app and `jobs
status`: queued, running where, done, failed, retrying"): the counts at the top, the workers with their last
heartbeat, one row per school and job, in Russian; an admin given one school sees only it. On PostgreSQL with a
queue holding a fire in each state (support/night_queue.py), and on the local executor (SQLite too)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from web_client import Site, serve

from edugateway.config.settings import Settings
from edugateway.store.db import Database
from edugateway.store.tables import SchoolRow
from edugateway.web.accounts import add_user
from support.clerk_school import PASSWORD, add_accounts, cheap_passwords
from support.night_queue import SCHOOLS, PlantedNight, night_settings, plant_queue_night

NAMES = {code: f"Школа №{n}" for n, code in enumerate(SCHOOLS, start=1)}


@dataclass
class Night:
    site: Site
    planted: PlantedNight | None


def _site(database: Database, settings: Settings) -> Iterator[httpx.Client]:
    with database.session() as session:
        session.add_all([SchoolRow(code=code, name=name) for code, name in NAMES.items()])
    add_accounts(database, cheap_passwords())
    add_user(database, cheap_passwords(), "sysadm2", PASSWORD, "admin", schools=["s2"], full_name="Сисадмин", actor="t")
    with serve(database, settings) as client:
        yield client


@pytest.fixture
def queue_night(database: Database, tmp_path: Path) -> Iterator[Night]:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the procrastinate executor runs on PostgreSQL only")
    settings, _config = night_settings(database, tmp_path, "procrastinate")
    planted = plant_queue_night(database, settings)
    for client in _site(database, settings):
        yield Night(Site(database, None, client), planted)  # type: ignore[arg-type]  # no clerk school here


def _section(page: str) -> str:
    return page.split('id="night"', 1)[1].split("</section>", 1)[0]


def _counts(section: str) -> dict[str, int]:
    counts = section.split('id="night-counts"', 1)[1].split("</ul>", 1)[0]
    return {word: int(n) for n, word in re.findall(r"<b>(\d+)</b> ([а-я ]+)</li>", counts)}


def _row(section: str, school: str, job: str) -> str:
    board = section.split('id="night-board"', 1)[1].split("</table>", 1)[0]
    rows = board.split("<tr>")[2:]
    return next(r for r in rows if f"<div>{NAMES[school]}</div>" in r and f"<div>{job}</div>" in r)


def test_the_admin_of_every_school_sees_each_state_with_counts_and_workers(queue_night: Night) -> None:
    queue_night.site.sign_in("admin")
    page = queue_night.site.client.get("/runs")
    assert page.status_code == 200
    section = _section(page.text)

    assert _counts(section) == {"в очереди": 2, "выполняется": 1, "готово": 1, "ошибок": 1, "повторяется": 1}
    assert "очередь procrastinate" in section
    workers = section.split('id="night-workers"', 1)[1].split("</p>", 1)[0]
    planted = queue_night.planted
    assert planted is not None
    assert f"№{planted.live_worker} на связи" in workers
    assert f"№{planted.dead_worker} молчит" in workers
    assert "(MSK, Europe/Moscow)" in workers
    assert f"night-host-2 pid 4242 (задание очереди {planted.running_job})" in _row(section, "s2", "nightly")
    assert "(+05, Asia/Yekaterinburg)" in _row(section, "s2", "nightly")
    assert "1, попытка 1, в " in _row(section, "s3", "nightly")
    assert "готово, " in _row(section, "s1", "nightly")
    assert "<div>0, 1</div>" in _row(section, "s4", "nightly")
    assert "не запускалось" in _row(section, "s1", "month")


def test_an_admin_of_one_school_sees_only_it(queue_night: Night) -> None:
    queue_night.site.sign_in("sysadm2")
    section = _section(queue_night.site.client.get("/runs").text)

    assert _counts(section) == {"в очереди": 0, "выполняется": 1, "готово": 0, "ошибок": 0, "повторяется": 0}
    for other in ("s1", "s3", "s4"):
        assert NAMES[other] not in section
    assert "night-host-2 pid 4242 (задание очереди" in _row(section, "s2", "nightly")


def test_the_school_filter_narrows_the_board(queue_night: Night) -> None:
    queue_night.site.sign_in("admin")
    with queue_night.site.db.session() as session:
        s3 = session.query(SchoolRow).filter_by(code="s3").one().id
    section = _section(queue_night.site.client.get(f"/runs?school={s3}").text)
    assert _counts(section)["повторяется"] == 1
    assert _counts(section)["в очереди"] == 1
    assert NAMES["s1"] not in section


def test_the_local_executor_says_there_is_no_queue(database: Database, tmp_path: Path) -> None:
    settings, _config = night_settings(database, tmp_path, "local")
    for client in _site(database, settings):
        site = Site(database, None, client)  # type: ignore[arg-type]
        site.sign_in("admin")
        section = _section(client.get("/runs").text)
        assert "локальный: демон сам выполняет задания, очереди нет" in section
        assert 'id="night-workers"' not in section
        assert _counts(section) == {"в очереди": 0, "выполняется": 0, "готово": 0, "ошибок": 0, "повторяется": 0}
        assert "не запускалось" in _row(section, "s4", "nightly")
