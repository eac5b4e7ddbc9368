"""Issue 17, finding 7: the sysadmin's web page of the run journal and job history per school: status, counts,
errors (masked) and times in the school's zone, of the account's schools only; clerks are refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from web_client import Site, serve

from edugateway.config.settings import SchoolSettings, Settings
from edugateway.store.db import Database
from edugateway.store.tables import ImportRunRow, JobRunRow, SyncRunRow
from edugateway.web.accounts import add_user
from support.clerk_school import (
    CODE,
    OTHER_CODE,
    PASSWORD,
    add_accounts,
    add_other_school,
    add_school,
    cheap_passwords,
    snils,
)

START = dt.datetime(2026, 11, 20, 21, 5, tzinfo=dt.UTC)  # 02:05 the next day in Yekaterinburg (UTC+5)


@pytest.fixture
def runs_site(database: Database) -> Iterator[Site]:
    school = add_school(database)
    add_accounts(database, cheap_passwords())
    other = add_other_school(database, cheap_passwords())
    add_user(database, cheap_passwords(), "sysadm7", PASSWORD, "admin", schools=[CODE], full_name="Сисадмин", actor="t")
    with database.session() as session:
        session.add(
            SyncRunRow(
                school_id=school.school_id,
                platform="dnevnik",
                entities=["persons"],
                directions={"persons": "push"},
                status="failed",
                started_at=START,
                finished_at=START + dt.timedelta(minutes=6, seconds=34),
                counts={"persons": {"read": 1000, "created": 3, "updated": 0}},
                error=f"record of Кузнецов Пётр Андреевич with SNILS {snils('334455667')} refused: 400",
            )
        )
        session.add(
            SyncRunRow(
                school_id=other.school_id,
                platform="ecp",
                entities=["persons"],
                directions={"persons": "push"},
                status="done",
                started_at=START,
                finished_at=START,
            )
        )
        session.add(
            JobRunRow(
                job="nightly-report-dnevnik",
                kind="reconcile",
                school=CODE,
                platform="dnevnik",
                scheduled_for=START,
                trigger="schedule",
                status="done",
                holder="host:1:a",
                attempts=1,
                started_at=START,
                finished_at=START + dt.timedelta(seconds=42),
                summary={"report_id": 5},
            )
        )
        session.add(
            JobRunRow(
                job="sync-ecp",
                kind="sync",
                school=OTHER_CODE,
                platform="ecp",
                scheduled_for=START,
                trigger="manual",
                status="failed",
                holder="cli:root",
                started_at=START,
            )
        )
        session.add(
            ImportRunRow(
                school_id=school.school_id,
                source="xlsx",
                mode="bulk",
                location="/srv/in/roster.xlsx",
                started_at=START,
                finished_at=START + dt.timedelta(seconds=3),
                status="done",
                counts={"person_created": 12, "person_updated": 0},
            )
        )
    settings = Settings(schools=[SchoolSettings(code=CODE, timezone="Asia/Yekaterinburg")])
    with serve(database, settings) as client:
        yield Site(database, school, client)


def test_the_sysadmin_reads_runs_of_their_schools_in_the_schools_zone(runs_site: Site) -> None:
    runs_site.sign_in("sysadm7")

    page = runs_site.client.get("/runs")

    assert page.status_code == 200
    text = page.text
    sync = text.split('id="sync-runs"', 1)[1].split("</table>", 1)[0]
    assert "Дневник.ру" in sync
    assert "ошибка" in sync
    assert "21.11.2026 02:05 (+05, Asia/Yekaterinburg)" in sync
    assert "6 мин 34 с" in sync
    assert "люди: прочитано 1000, создано 3" in sync
    assert "Кузнецов Пётр Андреевич" not in text  # the error, masked
    assert snils("334455667") not in text
    jobs = text.split('id="job-runs"', 1)[1].split("</table>", 1)[0]
    assert "nightly-report-dnevnik, по расписанию" in jobs
    assert "готово" in jobs
    imports = text.split('id="import-runs"', 1)[1].split("</table>", 1)[0]
    assert "таблица Excel" in imports
    assert "люди: создано 12" in imports
    assert "ГИС ЕЦП" not in text  # the other school's sync and job: not this admin's
    assert "sync-ecp" not in text
    assert '<a href="/runs">Запуски</a>' in text


def test_an_admin_of_every_school_sees_every_school_and_can_choose_one(runs_site: Site) -> None:
    runs_site.sign_in("admin")
    assert "ГИС ЕЦП" in runs_site.client.get("/runs").text
    only = runs_site.client.get(f"/runs?school={runs_site.school.school_id}").text
    assert "ГИС ЕЦП" not in only
    assert "Дневник.ру" in only


@pytest.mark.parametrize("username", ["ivanova", "petrov"])
def test_clerks_and_viewers_are_refused_the_run_journal(runs_site: Site, username: str) -> None:
    runs_site.sign_in(username)
    answer = runs_site.client.get("/runs")
    assert answer.status_code == 403
    assert "только администратору" in answer.text
    assert '<a href="/runs">' not in runs_site.client.get("/cases").text
