"""The director's one page: the report's first screen alone (what is wrong with its trend, the sections without
findings and those not checked in a line each, who must fix it by teacher and class), laid out for one A4 sheet.

The same HTML is written beside the night's report (`<stem>-summary.html`, its stylesheet inline), is the body of
the nightly e-mail, and, with the stylesheet linked (the app's CSP forbids inline style), the web app's print view.
It starts from `scrubbed(report)`, as every rendering does: no SNILS, and no pupil's name (it lists teachers and
classes only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from edugateway.reconciliation.first_screen import FirstScreen, first_screen
from edugateway.reconciliation.render_html import TEMPLATES, _env
from edugateway.reconciliation.report import Report
from edugateway.reconciliation.report_view import platform_title, scrubbed, show_date, show_time

SUMMARY_STYLESHEET = TEMPLATES / "report_summary.css"
WRONG_LINES = 12  # what fits one A4 page with the two «кому исправлять» lists
WHO_LINES = 5


@dataclass(frozen=True, slots=True)
class SummaryView:
    school_name: str
    platform: str
    as_of: str
    generated_at: str
    first: FirstScreen
    more_wrong: int  # sections with findings beyond the page's lines
    report_url: str | None  # the full report in the web app, when known


def summary_view(
    report: Report, previous_summary: dict[str, int] | None, zone: dt.tzinfo | None, report_url: str | None = None
) -> SummaryView:
    report = scrubbed(report)
    first = first_screen(report, previous_summary, class_limit=WHO_LINES)
    shown = FirstScreen(
        wrong=first.wrong[:WRONG_LINES],
        clean=first.clean,
        not_checked=first.not_checked,
        teachers=first.teachers[:WHO_LINES],
        classes=first.classes,
        total=first.total,
        total_change=first.total_change,
    )
    return SummaryView(
        school_name=report.school_name,
        platform=platform_title(report.platform),
        as_of=show_date(report.as_of),
        generated_at=show_time(report.generated_at, zone),
        first=shown,
        more_wrong=max(0, len(first.wrong) - WRONG_LINES),
        report_url=report_url,
    )


def render_summary_body(
    report: Report,
    previous_summary: dict[str, int] | None,
    *,
    zone: dt.tzinfo | None = None,
    report_url: str | None = None,
) -> Markup:
    """The one page as an <article class="director-summary">, for a page that links report_summary.css."""
    view = summary_view(report, previous_summary, zone, report_url)
    return Markup(_env.get_template("report_summary.html").render(view=view))  # noqa: S704 -- autoescaped template


def render_summary_html(
    report: Report,
    previous_summary: dict[str, int] | None,
    *,
    zone: dt.tzinfo | None = None,
    report_url: str | None = None,
) -> str:
    """A complete document, its stylesheet inline: the file beside the report and the e-mail's body."""
    body = render_summary_body(report, previous_summary, zone=zone, report_url=report_url)
    css = Markup(SUMMARY_STYLESHEET.read_text(encoding="utf-8"))  # noqa: S704 -- our own stylesheet
    return _env.get_template("report_summary_document.html").render(report=report, body=body, css=css)
