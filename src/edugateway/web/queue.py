"""The clerk's queue: cases filtered by school, class, case type and status, with counts, a page at a time.

Counts are facets: the counts per case type obey every filter except the case type, and those per status
every filter except the status, so each number says what choosing it would show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from edugateway.identity.case_types import CaseStatus
from edugateway.store.case_lists import CaseFilter, queue_slice
from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope

PAGE_SIZE = 50
ANY_STATUS = "all"


@dataclass(frozen=True, slots=True)
class QueueFilter:
    school_id: int | None = None
    class_name: str | None = None
    case_type: str | None = None
    status: str = CaseStatus.OPEN.value  # or ANY_STATUS
    page: int = 1

    def cases(self) -> CaseFilter:
        """The filter as the store applies it."""
        status = None if self.status == ANY_STATUS else self.status
        return CaseFilter(self.school_id, self.class_name, self.case_type, status)

    def query(self, **changes: Any) -> dict[str, str]:
        """The query string of this filter with `changes`, for links; empty values left out. A changed
        filter goes back to its first page."""
        chosen = replace(self, **({"page": 1} | changes))
        params = {
            "school": "" if chosen.school_id is None else str(chosen.school_id),
            "class": chosen.class_name or "",
            "type": chosen.case_type or "",
            "status": chosen.status,
            "page": "" if chosen.page == 1 else str(chosen.page),
        }
        return {k: v for k, v in params.items() if v}


@dataclass(frozen=True, slots=True)
class QueueRow:
    case_id: int
    school_name: str
    person_name: str
    class_name: str | None
    case_type: str
    detail: str | None
    status: str
    opened_at: dt.datetime
    assignee: str | None


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    by_type: dict[str, int]
    by_status: dict[str, int]
    schools: list[tuple[int, str]]
    classes: list[str]


def load_queue(db: Database, chosen: QueueFilter, scope: SchoolScope) -> QueuePage:
    """The queue of the scope's schools only (the account's)."""
    found = queue_slice(db, chosen.cases(), scope=scope, page=chosen.page, page_size=PAGE_SIZE)
    rows = [
        QueueRow(
            line.case_id,
            line.school_name,
            " ".join(p for p in (line.last_name, line.first_name, line.middle_name) if p),
            line.class_name,
            line.case_type,
            line.detail,
            line.status,
            line.opened_at,
            line.assignee,
        )
        for line in found.lines
    ]
    classes = sorted(found.classes, key=_class_order)
    return QueuePage(rows, found.total, found.page, found.pages, found.by_type, found.by_status, found.schools, classes)


def _class_order(name: str) -> tuple[int, str]:
    """«2А» before «10Б»: by the grade number, then the letter."""
    digits = "".join(c for c in name if c.isdigit())
    return (int(digits) if digits else 99, name)
