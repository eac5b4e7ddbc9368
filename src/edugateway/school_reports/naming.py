"""The reports' file names: ASCII, no path separators, one per school, kind and period (a rerun replaces it)."""

from __future__ import annotations

from edugateway.reconciliation.report_files import safe_part


def report_stem(school_code: str, kind: str, what: str) -> str:
    """«s1-month-2026-11», «s1-period-2026-2_chetvert», «s1-year-2026»."""
    return f"{safe_part(school_code)}-{kind}-{safe_part(what)}"
