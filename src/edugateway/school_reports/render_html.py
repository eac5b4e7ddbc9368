"""A report as one printable HTML file (A4 landscape, @media print): inline styles, nothing fetched, every value
autoescaped (names come from school and platform data). `render_body` is the part the web page embeds."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from edugateway.school_reports.model import SchoolReport, Table
from edugateway.school_reports.render_text import heading_lines, show

TEMPLATES = Path(__file__).with_name("templates")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a misspelt name fails the tests, not a report silently
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(heading_lines=heading_lines)
    return env


def _cells(report: SchoolReport) -> list[tuple[Table, list[list[tuple[str, str, str]]]]]:
    """Each table with rows, and its rows as (kind, column title, shown text) cells: formatted here, once, rather
    than through a template call per cell (a year's per-pupil table has tens of thousands). The title labels the
    cell where the web app shows a table row as a card (a phone)."""
    return [
        (t, [[(c.kind, c.title, show(row.get(c.key), c.kind)) for c in t.columns] for row in t.rows])
        for t in report.tables
        if t.rows
    ]


def render_html(report: SchoolReport) -> str:
    return _environment().get_template("school_report.html").render(report=report, tables=_cells(report))


def render_body(report: SchoolReport) -> Markup:
    """The heading, tables and notes without the page around them (no <style>: the app's CSP forbids inline);
    already escaped, so the page template inserts it as it is."""
    body = _environment().get_template("school_report_body.html").render(report=report, tables=_cells(report))
    return Markup(body)  # noqa: S704
