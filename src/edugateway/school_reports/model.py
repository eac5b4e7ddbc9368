"""A deputy director's report (004 §5) as plain tables: what the XLSX, the printable HTML and the web page show.

Each table's columns say how their values are shown: text, a count, a percentage (0–100, one decimal) or a ratio.
A value the data cannot give (a share of nothing) is None and shown as a dash, never as 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Value = str | int | float | None
ColumnKind = Literal["text", "count", "percent", "ratio"]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Table:
    key: str  # stable: tests and sheet order rely on it
    title: str
    columns: list[Column]
    rows: list[dict[str, Value]]
    sheet: str = ""  # a short name for the XLSX sheet (at most 31 characters); empty: the title

    @property
    def sheet_name(self) -> str:
        return self.sheet or self.title


@dataclass(frozen=True)
class SchoolReport:
    kind: Literal["month", "period", "year"]
    school_code: str
    school_name: str
    title: str  # «Отчёт о заполнении электронного журнала и накопляемости отметок»
    subject: str  # what it is about: «ноябрь 2026 г.», «2 четверть 2026/2027 учебного года»
    span: tuple[dt.date, dt.date]
    basis: str  # the regulation's clause the report answers
    generated_at: dt.datetime
    timezone: str  # the school's zone: the heading shows the time the report was made on its wall clock
    stem: str  # the files' name without extension
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def percent(part: int, whole: int) -> float | None:
    """part of whole in %, one decimal; None of nothing."""
    return round(100 * part / whole, 1) if whole else None
