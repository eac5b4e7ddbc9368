"""The report's files: <reports_dir>/<school>/<stem>.xlsx and .html, readable by the gateway's group only
(private_files.SHARED, like the nightly report), each replaced whole on a rerun."""

from __future__ import annotations

from pathlib import Path

from edugateway.private_files import FileKind, write_private
from edugateway.reconciliation.report_files import safe_part
from edugateway.school_reports.model import SchoolReport
from edugateway.school_reports.render_html import render_html
from edugateway.school_reports.render_xlsx import render_xlsx


def write_report_files(report: SchoolReport, reports_dir: Path) -> dict[str, Path]:
    """Writes the XLSX and the HTML; returns format -> path."""
    directory = reports_dir / safe_part(report.school_code)
    written: dict[str, Path] = {}
    for fmt, content in (("xlsx", render_xlsx(report)), ("html", render_html(report).encode("utf-8"))):
        target = directory / f"{report.stem}.{fmt}"
        write_private(target, content, FileKind.SHARED)
        written[fmt] = target
    return written
