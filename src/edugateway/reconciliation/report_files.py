"""The rendered report on disk: `<school>-<platform>-<as_of>.html|.xlsx|.json` in one directory, and beside them
`<…>-summary.html`, the director's one printable page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from edugateway.private_files import FileKind, write_private
from edugateway.reconciliation.render_html import render_html
from edugateway.reconciliation.render_json import render_json
from edugateway.reconciliation.render_summary import render_summary_html
from edugateway.reconciliation.render_xlsx import render_xlsx
from edugateway.reconciliation.report import Report

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_CYRILLIC = dict(zip("абвгдезиклмнопрстуфыэ", "abvgdeziklmnoprstufye", strict=True)) | {
    "ё": "e", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ь": "", "ю": "yu", "я": "ya",
}  # fmt: skip


def safe_part(value: str) -> str:
    """ASCII letters, digits, `_` and `-` only (Cyrillic transliterated): a name every filesystem and archive
    tool accepts as it is, and no path separators."""
    latin = "".join(_latin(c) for c in value)
    return _UNSAFE.sub("_", latin).strip("_-") or "x"


def _latin(char: str) -> str:
    lower = char.lower()
    if lower not in _CYRILLIC:
        return char
    latin = _CYRILLIC[lower]
    return latin.capitalize() if char != lower else latin


def report_stem(report: Report) -> str:
    return f"{safe_part(report.school)}-{safe_part(report.platform)}-{report.as_of.isoformat()}"


def render_all(
    report: Report, previous_summary: dict[str, int] | None, *, zone: dt.tzinfo | None = None
) -> dict[str, bytes]:
    """Format (html, xlsx, json) -> the file's content."""
    return {
        "html": render_html(report, previous_summary, zone=zone).encode("utf-8"),
        "xlsx": render_xlsx(report, previous_summary, zone=zone),
        "json": render_json(report),
    }


def write_report_files(
    report: Report,
    previous_summary: dict[str, int] | None,
    directory: Path,
    *,
    zone: dt.tzinfo | None = None,
) -> dict[str, Path]:
    """Writes the three files and the summary page and returns format -> path ("summary" for the page). Each file
    is written beside its final name and then renamed over it, so a reader (the web page, the archive) never sees
    half a file; a rerun of the same night replaces the files. They hold personal data: readable by the owner
    and the gateway's group only."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = report_stem(report)
    written: dict[str, Path] = {}
    for fmt, content in render_all(report, previous_summary, zone=zone).items():
        target = directory / f"{stem}.{fmt}"
        write_private(target, content, FileKind.SHARED)
        written[fmt] = target
    summary = directory / f"{stem}-summary.html"
    write_private(summary, render_summary_html(report, previous_summary, zone=zone).encode("utf-8"), FileKind.SHARED)
    written["summary"] = summary
    return written
