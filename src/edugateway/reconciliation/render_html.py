"""The report as HTML for a director or deputy: a standalone file (its stylesheet inline, charts inline SVG, no
script, nothing fetched) and the same body for the web app, which links the stylesheet instead because its
CSP allows no inline style.

Cell texts are computed here, once, so a section of thousands of rows is one plain loop in the template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from edugateway.reconciliation.first_screen import FirstScreen, first_screen
from edugateway.reconciliation.lookalikes import marked
from edugateway.reconciliation.regulation_names import in_director_words
from edugateway.reconciliation.report import Report, Section, SectionGroup
from edugateway.reconciliation.report_view import (
    COUNT_COLUMNS,
    EMPTY_TEXT,
    ENTITY_TITLES,
    FIGURE_TITLES,
    GROUP_TITLES,
    SummaryLine,
    capitalised,
    cell_text,
    change_kind,
    change_text,
    findings_per_class,
    percent,
    platform_title,
    scrubbed,
    show_date,
    show_time,
    summary_lines,
)
from edugateway.reconciliation.svg_charts import Bar, bar_chart, stacked_chart

TEMPLATES = Path(__file__).with_name("templates")
STYLESHEET = TEMPLATES / "report.css"
OPEN_ROWS = 15  # a section with more findings than this starts collapsed: the page stays a page
CASE_COLUMN = "case_id"  # the ЕСИА section's case number: a link to the case in the web app

_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["change_text"] = change_text
_env.filters["change_kind"] = change_kind


@dataclass(frozen=True, slots=True)
class SectionView:
    key: str
    group_title: str
    title: str
    description: str
    headers: list[str]
    rows: list[list[str | Markup]]  # Markup: a link to a case, or a value with its Latin letters marked
    empty_text: str
    total: int
    justified: int = 0  # rows listed as justified, not counted as findings
    not_checked: str | None = None  # «Не проверяется: причина» / «Не применяется (…)», shown instead of a count

    @property
    def collapsed(self) -> bool:
        return len(self.rows) > OPEN_ROWS


@dataclass(frozen=True, slots=True)
class ReportView:
    school: str
    school_name: str
    platform: str
    as_of: str
    span: str
    generated_at: str
    lines: list[tuple[str, list[SummaryLine]]]  # group title -> its sections' totals
    total: int
    total_change: int | None
    first: FirstScreen  # what is wrong, its trend, who must fix it; the empty and unchecked sections in a line
    findings_chart: Markup
    class_chart: Markup | None
    counts: list[tuple[str, list[int]]]
    count_headers: list[str]
    figures: list[tuple[str, str]]
    notes: list[str]
    sections: list[SectionView]  # with findings (or not checked): the report's body
    empty_sections: list[SectionView]  # without findings: one collapsed list, still linkable


def report_view(
    report: Report, previous_summary: dict[str, int] | None, zone: dt.tzinfo | None, case_url: str | None = None
) -> ReportView:
    """`case_url` ("/cases/{}") links each ЕСИА case number to its page; the file on disk has no app to link to."""
    report = scrubbed(report)
    lines = summary_lines(report, previous_summary)
    groups = [(GROUP_TITLES[g], [line for line in lines if line.group is g]) for g in SectionGroup]
    groups = [(title, found) for title, found in groups if found]
    bars: list[Bar] = []
    for title, found in groups:
        bars.append(Bar(title, 0, heading=True))
        bars.extend(Bar(line.title, line.total) for line in found if not line.rollup and line.not_checked is None)
    per_class = findings_per_class(report)
    titles = {s.key: s.title for s in report.sections}
    first = first_screen(report, previous_summary)
    sections = [_section_view(s, case_url) for s in report.sections]
    return ReportView(
        school=report.school,
        school_name=report.school_name,
        platform=platform_title(report.platform),
        as_of=show_date(report.as_of),
        span=_span(report.span_start, report.span_end),
        generated_at=show_time(report.generated_at, zone),
        lines=groups,
        total=first.total,
        total_change=first.total_change,
        first=first,
        findings_chart=bar_chart(bars, "Найдено по разделам"),
        class_chart=stacked_chart(per_class, titles, "Нарушения по классам") if per_class else None,
        counts=[
            (ENTITY_TITLES.get(c.entity, c.entity), [getattr(c, key) for key, _ in COUNT_COLUMNS])
            for c in report.counts
        ],
        count_headers=[title for _, title in COUNT_COLUMNS],
        figures=[(FIGURE_TITLES.get(name, name), percent(value)) for name, value in report.figures.items()],
        notes=report.notes,
        sections=[v for v in sections if v.rows or v.not_checked],
        empty_sections=[v for v in sections if not v.rows and not v.not_checked],
    )


def _section_view(section: Section, case_url: str | None) -> SectionView:
    return SectionView(
        key=section.key,
        group_title=GROUP_TITLES[section.group],
        title=section.title,
        description=in_director_words(section.description),
        headers=[c.title for c in section.columns],
        rows=[[_cell(c.key, row.get(c.key), case_url) for c in section.columns] for row in section.rows],
        empty_text=EMPTY_TEXT[section.group],
        total=section.total,
        justified=section.justified,
        not_checked=capitalised(section.not_checked) if section.not_checked else None,
    )


def _cell(key: str, value: object, case_url: str | None) -> str | Markup:
    text = cell_text(value)
    if key == CASE_COLUMN and case_url and text.isdigit():
        return Markup('<a href="{}">{}</a>').format(case_url.format(text), text)
    return marked(text) or text


def _span(start: dt.date | None, end: dt.date | None) -> str:
    if start is None and end is None:
        return "—"
    return f"{show_date(start)} – {show_date(end)}"


def render_report_body(
    report: Report,
    previous_summary: dict[str, int] | None,
    *,
    zone: dt.tzinfo | None = None,
    case_url: str | None = None,
) -> Markup:
    """The report as an <article class="report">, for a page that brings report.css itself."""
    view = report_view(report, previous_summary, zone, case_url)
    return Markup(_env.get_template("report_body.html").render(view=view))  # noqa: S704 -- autoescaped template


def render_html(report: Report, previous_summary: dict[str, int] | None, *, zone: dt.tzinfo | None = None) -> str:
    """A complete, self-contained HTML document: readable offline, printable on A4 landscape."""
    body = render_report_body(report, previous_summary, zone=zone)
    css = Markup(STYLESHEET.read_text(encoding="utf-8"))  # noqa: S704 -- our own stylesheet, no "</style>" in it
    return _env.get_template("report_document.html").render(report=report, body=body, css=css)
