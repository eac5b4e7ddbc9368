"""The yearly summary sheets (сводные ведомости) and their integrity-checked archive."""

from edugateway.archive.summary_sheet import SummarySheet, build_summary_sheet

__all__ = ["SummarySheet", "build_summary_sheet"]
