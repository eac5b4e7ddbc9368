"""The night's report for one school and platform: named sections of findings, each a table with Russian
column headers, so one model serves the HTML page, the XLSX workbook (a sheet per section) and JSON.

Section keys are stable (`persons.only_local`, `compliance.lesson_without_topic` …): the trend against the
previous night and the tests are keyed by them. A finding row is a flat dict of JSON values whose keys are
the section's column keys; rows are never truncated (the report is the record of what was found).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SectionGroup(StrEnum):
    RECONCILIATION = "reconciliation"  # local against the platform, through the id-link map
    IDENTITY = "identity"  # open identity cases (ЕСИА)
    COMPLIANCE = "compliance"  # how the journal is kept (DOMAIN.md rules)


class Column(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    title: str  # the Russian header


class Section(BaseModel):
    key: str
    group: SectionGroup
    title: str  # Russian, as a deputy director reads it
    description: str = ""  # what the section lists and, for a rule, where it comes from (regulation)
    entity: str | None = None  # persons, classes, lessons, marks … (reconciliation sections)
    columns: list[Column]
    rows: list[dict[str, Any]] = Field(default_factory=list)
    # Why a rule was not judged, shown instead of its count: «не применяется (…)» (the regulation does not set it
    # here) or «не проверяется: …» (the platform's data cannot show it, or it was never pulled).
    not_checked: str | None = None
    # A view of other sections' findings (the per-teacher rollup): its rows are not findings of their own.
    rollup: bool = False

    @property
    def total(self) -> int:
        """The findings: rows a recorded decision justifies (`"justified": true`) are listed but not counted."""
        return len(self.rows) - self.justified

    @property
    def justified(self) -> int:
        return sum(1 for row in self.rows if row.get("justified") is True)


class EntityCounts(BaseModel):
    """Per entity: how many records each side has and how the comparison came out."""

    entity: str
    local: int = 0
    remote: int = 0
    equal: int = 0
    different: int = 0
    only_local: int = 0
    only_remote: int = 0
    duplicated: int = 0


# The per-teacher rollup (compliance_teachers.py) counts other sections' findings again: a stored summary's total
# leaves it out.
TEACHER_ROLLUP_KEY = "compliance.by_teacher"


def summary_findings(summary: Mapping[str, Any]) -> int:
    """The findings of a stored summary (section key -> findings), without the rollup."""
    return sum(int(n) for key, n in summary.items() if key != TEACHER_ROLLUP_KEY)


class Report(BaseModel):
    school: str  # the school's code
    school_name: str
    platform: str
    generated_at: dt.datetime
    as_of: dt.date  # the day the report is about (the school's local date)
    span_start: dt.date | None = None  # the journal days compared and checked
    span_end: dt.date | None = None
    counts: list[EntityCounts] = Field(default_factory=list)
    figures: dict[str, float] = Field(default_factory=dict)  # control figures, e.g. share of students with no mark
    sections: list[Section] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)  # what could not be compared, and why

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def summary(self) -> dict[str, int]:
        """Section key -> number of findings: what the trend compares night to night. A section not checked has
        no number (it is not «0 found»), so it is left out."""
        return {s.key: s.total for s in self.sections if s.not_checked is None}

    def findings(self) -> int:
        """How many findings the report has: the sections' rows, without the rollups that count them again."""
        return sum(s.total for s in self.sections if not s.rollup)


def trend(current: dict[str, int], previous: dict[str, int] | None) -> dict[str, int | None]:
    """Section key -> change in findings since the previous report (None when there was none to compare)."""
    if previous is None:
        return dict.fromkeys(current)
    return {key: total - previous.get(key, 0) for key, total in current.items()}
