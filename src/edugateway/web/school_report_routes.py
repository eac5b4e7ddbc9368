"""The deputy director's reports of 004 §5 on the web: a form (school, month or period), the report in the app's
layout, and its XLSX and printable HTML to download. Built on request from the local database.

Any signed-in account may read the reports of its schools; another school is "not found" (404), never
"forbidden", as on every page: the page must not confirm it exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import Response

from edugateway.errors import ValidationError
from edugateway.school_reports.model import SchoolReport
from edugateway.school_reports.month import month_report
from edugateway.school_reports.period import period_report
from edugateway.school_reports.render_html import render_body, render_html
from edugateway.school_reports.render_xlsx import render_xlsx
from edugateway.school_reports.service import marked_from_grade, previous_month
from edugateway.store.schools import StoredSchool
from edugateway.store.scoped_schools import school_in_scope, schools_in_scope
from edugateway.web.context import Reader, SignedIn, web_state
from edugateway.web.report_routes import XLSX
from edugateway.web.row_ids import parse_id
from edugateway.web.templating import render

router = APIRouter()

Text = Annotated[str, Query(max_length=100)]


@router.get("/school-reports")
def form(request: Request, who: Reader) -> Response:
    return _page(request, who, None, None, {})


@router.get("/school-reports/month")
def month_page(request: Request, who: Reader, school: Text = "", month: Text = "") -> Response:
    query = {"school": school, "month": month}
    return _shown(request, who, query, lambda s: _month(request, s.code, month))


@router.get("/school-reports/period")
def period_page(
    request: Request, who: Reader, school: Text = "", period: Text = "", year: Text = "", academic_year: Text = ""
) -> Response:
    query = {"school": school, "period": period, "year": year, "academic_year": academic_year}
    return _shown(request, who, query, lambda s: _period(request, s, period, year, academic_year))


@router.get("/school-reports/month.{fmt}")
def month_file(request: Request, who: Reader, fmt: str, school: Text = "", month: Text = "") -> Response:
    chosen = _school(request, who, school)
    return _file(fmt, _built(lambda: _month(request, chosen.code, month)))


@router.get("/school-reports/period.{fmt}")
def period_file(
    request: Request,
    who: Reader,
    fmt: str,
    school: Text = "",
    period: Text = "",
    year: Text = "",
    academic_year: Text = "",
) -> Response:
    chosen = _school(request, who, school)
    return _file(fmt, _built(lambda: _period(request, chosen, period, year, academic_year)))


def _school(request: Request, who: SignedIn, school: str) -> StoredSchool:
    school_id = parse_id(school)
    found = school_in_scope(web_state(request).db, who.account.schools, school_id) if school_id else None
    if found is None:
        raise HTTPException(status_code=404)
    return found


def _month(request: Request, code: str, month: str) -> SchoolReport:
    state = web_state(request)
    return month_report(state.db, code, month, marked_from_grade=marked_from_grade(state.settings))


def _period(request: Request, school: StoredSchool, period: str, year: str, academic_year: str) -> SchoolReport:
    name = None if year else period.strip()
    if name == "":
        raise ValidationError("write a period's name (e.g. 2 четверть) or choose the whole year")
    start_year = parse_id(academic_year) if academic_year.strip() else None
    if academic_year.strip() and start_year is None:
        raise ValidationError(f"academic year {academic_year!r} is not a year such as 2026")
    state = web_state(request)
    return period_report(
        state.db, school.code, name, academic_year=start_year, marked_from_grade=marked_from_grade(state.settings)
    )


def _built(build: Callable[[], SchoolReport]) -> SchoolReport:
    try:
        return build()
    except ValidationError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None


def _download(content: bytes, media_type: str, filename: str) -> Response:
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"}
    )


def _file(fmt: str, report: SchoolReport) -> Response:
    if fmt == "xlsx":
        return _download(render_xlsx(report), XLSX, f"{report.stem}.xlsx")
    if fmt == "html":
        return _download(render_html(report).encode("utf-8"), "text/html; charset=utf-8", f"{report.stem}.html")
    raise HTTPException(status_code=404)


def _shown(
    request: Request, who: SignedIn, query: dict[str, str], build: Callable[[StoredSchool], SchoolReport]
) -> Response:
    chosen = _school(request, who, query["school"])
    try:
        report = build(chosen)
    except ValidationError as exc:
        return _page(request, who, None, str(exc), query, status_code=400)
    return _page(request, who, report, None, query)


def _page(
    request: Request,
    who: SignedIn,
    report: SchoolReport | None,
    error: str | None,
    query: dict[str, str],
    *,
    status_code: int = 200,
) -> Response:
    schools = schools_in_scope(web_state(request).db, who.account.schools)
    kind = "month" if "month" in query else "period"
    response = render(
        request,
        "school_reports.html",
        {
            "schools": schools,
            "query": query,
            "report": report,
            "body": render_body(report) if report else None,
            "downloads": f"/school-reports/{kind}" if report else None,
            "download_query": urlencode(query),
            "error": error,
            "default_month": previous_month(dt.date.today()),
        },
        who=who,
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"  # personal data: not kept in the browser's cache
    return response
