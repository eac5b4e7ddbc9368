"""The yearly summary sheets (сводные ведомости) and their integrity-checked archive."""

from edugateway.archive.manifest import Problem, ProblemKind, VerifyResult, verify_archive
from edugateway.archive.service import write_archive
from edugateway.archive.summary_sheet import SummarySheet, build_summary_sheet

__all__ = [
    "Problem",
    "ProblemKind",
    "SummarySheet",
    "VerifyResult",
    "build_summary_sheet",
    "verify_archive",
    "write_archive",
]
