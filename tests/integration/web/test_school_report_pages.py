"""The deputy's reports of 004 §5 on the web: a form, the report in the page, its XLSX and printable HTML; a
user of another school gets «not found» (404) for the report, its downloads and in the school choice."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from web_client import Site, serve

from edugateway.store.db import Database
from edugateway.store.tables import ClassRow, LessonRow, SubjectRow
from support.clerk_school import (
    OTHER_SCHOOL_NAME,
    SCHOOL_NAME,
    add_accounts,
    add_other_school,
    add_school,
    cheap_passwords,
)


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    school = add_school(database)
    add_accounts(database, cheap_passwords())
    add_other_school(database, cheap_passwords())
    with database.session() as session:
        class_id = session.scalar(
            select(ClassRow.id).where(ClassRow.school_id == school.school_id, ClassRow.name == "5А")
        )
        subject = SubjectRow(school_id=school.school_id, source_id="subj-math", name="Математика")
        session.add(subject)
        session.flush()
        for day in (9, 10, 11):
            session.add(
                LessonRow(
                    school_id=school.school_id,
                    source_id=f"les-{day}",
                    date=dt.date(2026, 11, day),
                    number=1,
                    class_id=class_id,
                    subject_id=subject.id,
                    topic="Дроби",
                )
            )
    with serve(database) as client:
        yield Site(database, school, client)


def _query(site: Site) -> dict[str, str]:
    return {"school": str(site.school.school_id), "month": "2026-11"}


def test_the_month_report_is_shown_and_downloads_as_xlsx_and_printable_html(site: Site) -> None:
    site.sign_in("ivanova")

    form = site.client.get("/school-reports")
    page = site.client.get("/school-reports/month", params=_query(site))
    xlsx = site.client.get("/school-reports/month.xlsx", params=_query(site))
    html = site.client.get("/school-reports/month.html", params=_query(site))

    assert form.status_code == 200
    assert SCHOOL_NAME in form.text
    assert OTHER_SCHOOL_NAME not in form.text  # not even as a choice
    assert page.status_code == 200
    assert 'data-table="fill_month"' in page.text
    assert "Математика" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert xlsx.status_code == 200
    assert 'filename="sch7-month-2026-11.xlsx"' in xlsx.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content))["За месяц"]
    assert [c.value for c in sheet[2]][2:4] == ["Математика", 3]
    assert "@media print" in html.text


def test_a_user_of_another_school_gets_not_found(site: Site) -> None:
    site.sign_in("sidorova")

    for path in ("/school-reports/month", "/school-reports/month.xlsx", "/school-reports/month.html"):
        answer = site.client.get(path, params=_query(site))
        assert answer.status_code == 404, path
        assert "Математика" not in answer.text
    assert SCHOOL_NAME not in site.client.get("/school-reports").text


def test_a_period_the_school_lacks_is_said_on_the_page(site: Site) -> None:
    site.sign_in("ivanova")

    page = site.client.get(
        "/school-reports/period", params={"school": str(site.school.school_id), "period": "2 четверть"}
    )

    assert page.status_code == 400
    assert 'id="report-error"' in page.text
    assert "has no reporting periods" in page.text
