"""The clerk's queue: cases filtered by school, class, case type and status, with counts, a page at a time.

Counts are facets: the counts per case type obey every filter except the case type, and those per status
every filter except the status, so each number says what choosing it would show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from edugateway.identity.case_types import CaseStatus
from edugateway.store.db import Database
from edugateway.store.tables import IdentityCaseRow, PersonRow, SchoolRow

PAGE_SIZE = 50
ANY_STATUS = "all"


@dataclass(frozen=True, slots=True)
class QueueFilter:
    school_id: int | None = None
    class_name: str | None = None
    case_type: str | None = None
    status: str = CaseStatus.OPEN.value  # or ANY_STATUS
    page: int = 1

    def conditions(self, *, without: str | None = None) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.school_id is not None:
            found.append(IdentityCaseRow.school_id == self.school_id)
        if self.class_name:
            found.append(IdentityCaseRow.class_name == self.class_name)
        if self.case_type and without != "case_type":
            found.append(IdentityCaseRow.case_type == self.case_type)
        if self.status != ANY_STATUS and without != "status":
            found.append(IdentityCaseRow.status == self.status)
        return found

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


def load_queue(db: Database, chosen: QueueFilter) -> QueuePage:
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(IdentityCaseRow).where(*chosen.conditions())) or 0
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, chosen.page), pages)
        found = session.execute(
            select(IdentityCaseRow, PersonRow, SchoolRow.name)
            .join(PersonRow, PersonRow.id == IdentityCaseRow.person_id)
            .join(SchoolRow, SchoolRow.id == IdentityCaseRow.school_id)
            .where(*chosen.conditions())
            .order_by(IdentityCaseRow.opened_at, IdentityCaseRow.id)  # the oldest problem first
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).all()
        rows = [
            QueueRow(
                case.id,
                school_name,
                " ".join(p for p in (person.last_name, person.first_name, person.middle_name) if p),
                case.class_name,
                case.case_type,
                case.detail,
                case.status,
                case.opened_at,
                case.assignee,
            )
            for case, person, school_name in found
        ]
        by_type = _counts(session, IdentityCaseRow.case_type, chosen.conditions(without="case_type"))
        by_status = _counts(session, IdentityCaseRow.status, chosen.conditions(without="status"))
        schools = [
            (sid, name)
            for sid, name in session.execute(
                select(SchoolRow.id, SchoolRow.name)
                .where(SchoolRow.id.in_(select(IdentityCaseRow.school_id)))
                .order_by(SchoolRow.name)
            ).all()
        ]
        class_query = select(IdentityCaseRow.class_name).where(IdentityCaseRow.class_name.is_not(None)).distinct()
        if chosen.school_id is not None:
            class_query = class_query.where(IdentityCaseRow.school_id == chosen.school_id)
        classes = sorted((c for c in session.scalars(class_query).all() if c), key=_class_order)
    return QueuePage(rows, total, page, pages, by_type, by_status, schools, classes)


def _counts(
    session: Session, column: InstrumentedAttribute[str], conditions: list[ColumnElement[bool]]
) -> dict[str, int]:
    found = session.execute(select(column, func.count()).where(*conditions).group_by(column)).tuples()
    return {str(key): int(n) for key, n in found}


def _class_order(name: str) -> tuple[int, str]:
    """«2А» before «10Б»: by the grade number, then the letter."""
    digits = "".join(c for c in name if c.isdigit())
    return (int(digits) if digits else 99, name)
