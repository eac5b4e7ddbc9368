"""The nightly reconciliation reports: the history, one report in the app's layout, and its XLSX and JSON.
Any signed-in account may read those of its schools (a viewer included): they are what a director is meant to
see. Another school's report is "not found" (404), never "forbidden": the page must not confirm it exists."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import FileResponse, Response

from edugateway.reconciliation.render_html import STYLESHEET, render_report_body
from edugateway.reconciliation.render_json import render_json
from edugateway.reconciliation.render_summary import SUMMARY_STYLESHEET, render_summary_body
from edugateway.reconciliation.render_xlsx import render_xlsx
from edugateway.reconciliation.report import Report
from edugateway.reconciliation.report_files import report_stem
from edugateway.reconciliation.report_view import change_kind, change_text, platform_title
from edugateway.web.context import Reader, SignedIn, web_state
from edugateway.web.finals_routes import changed_finals
from edugateway.web.report_history import StoredReport, load_history, load_report
from edugateway.web.row_ids import RowId, parse_id
from edugateway.web.templating import render

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_TITLES = {"running": "идёт", "done": "готов", "failed": "ошибка"}


@router.get("/reports")
def history(
    request: Request,
    who: Reader,
    school: Annotated[str, Query()] = "",
    platform: Annotated[str, Query()] = "",
) -> Response:
    # A value that makes no sense is ignored rather than refused: a bookmarked link may be old.
    school_id = parse_id(school)
    found = load_history(web_state(request).db, who.account.schools, school_id, platform.strip()[:64] or None)
    response = render(
        request,
        "reports.html",
        {
            "history": found,
            "chosen_school": school_id,
            "chosen_platform": platform,
            "status_titles_report": STATUS_TITLES,
            "platform_title": platform_title,
            "change_text": change_text,
            "change_kind": change_kind,
        },
        who=who,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/reports/report.css")
def stylesheet() -> Response:
    # The report's own stylesheet, linked because the CSP forbids inline style; the file on disk inlines it.
    return FileResponse(STYLESHEET, media_type="text/css")


@router.get("/reports/summary.css")
def summary_stylesheet() -> Response:
    return FileResponse(SUMMARY_STYLESHEET, media_type="text/css")


def _stored(request: Request, who: SignedIn, report_id: int) -> StoredReport:
    found = load_report(web_state(request).db, report_id, who.account.schools)
    if found is None:
        raise HTTPException(status_code=404)
    return found


def _finished(stored: StoredReport) -> Report:
    if stored.report is None:
        raise HTTPException(status_code=404)  # a failed or running night has no files to download
    return stored.report


@router.get("/reports/{report_id:int}")
def report_page(request: Request, who: Reader, report_id: RowId) -> Response:
    stored = _stored(request, who, report_id)
    body = None
    if stored.report is not None:
        body = render_report_body(
            stored.report, stored.previous_summary, zone=_zone(stored.timezone), case_url="/cases/{}"
        )
    response = render(
        request,
        "report_page.html",
        {
            "stored": stored,
            "body": body,
            "platform_name": platform_title(stored.platform),
            "status_title": STATUS_TITLES.get(stored.status, stored.status),
            "changed_finals": changed_finals(who, stored.report),
        },
        who=who,
    )
    response.headers["Cache-Control"] = "no-store"  # personal data: not kept in the browser's cache
    return response


@router.get("/reports/{report_id:int}/summary")
def report_summary(request: Request, who: Reader, report_id: RowId) -> Response:
    """The director's one page, to print (A4): the same as the file written beside the report and the e-mail."""
    stored = _stored(request, who, report_id)
    report = _finished(stored)
    body = render_summary_body(report, stored.previous_summary, zone=_zone(stored.timezone))
    response = render(request, "report_summary_page.html", {"stored": stored, "body": body}, who=who)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/reports/{report_id:int}.xlsx")
def report_xlsx(request: Request, who: Reader, report_id: RowId) -> Response:
    stored = _stored(request, who, report_id)
    report = _finished(stored)
    content = render_xlsx(report, stored.previous_summary, zone=_zone(stored.timezone))
    return _download(content, XLSX, f"{report_stem(report)}.xlsx")


@router.get("/reports/{report_id:int}.json")
def report_json(request: Request, who: Reader, report_id: RowId) -> Response:
    report = _finished(_stored(request, who, report_id))
    return _download(render_json(report), "application/json; charset=utf-8", f"{report_stem(report)}.json")


def _download(content: bytes, media_type: str, filename: str) -> Response:
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(content, media_type=media_type, headers=headers)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
