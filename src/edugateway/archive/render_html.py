"""The summary sheet as one printable HTML file: inline styles, no external resources, a page per class.

The archive must open in any browser in 25 years, offline, so the page carries everything it needs and nothing
it fetches. Every value is autoescaped (names and subject names come from school data).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from edugateway.archive.labels import (
    NO_SUBJECTS,
    RESULT_HEADERS,
    RESULTS_TITLE,
    SIGNATURE_DATE,
    SIGNATURES,
    STUDENT_HEADERS,
    class_title,
    result_values,
    show,
    summary_title,
)
from edugateway.archive.summary_sheet import SummarySheet
from edugateway.private_files import FileKind, write_private

TEMPLATES = Path(__file__).with_name("templates")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a misspelt name fails the test run, not the archive silently
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["show"] = show
    env.globals.update(
        class_title=class_title,
        result_values=result_values,
        student_headers=STUDENT_HEADERS,
        result_headers=RESULT_HEADERS,
        results_title=RESULTS_TITLE,
        signatures=SIGNATURES,
        signature_date=SIGNATURE_DATE,
        summary_title=summary_title,
        no_subjects=NO_SUBJECTS,
    )
    return env


def render_html(sheet: SummarySheet) -> str:
    return _environment().get_template("summary_sheet.html").render(sheet=sheet)


def write_html(sheet: SummarySheet, path: Path) -> None:
    write_private(path, render_html(sheet).encode("utf-8"), FileKind.SHARED)
