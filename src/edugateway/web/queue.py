"""The clerk's queue: cases filtered by school, class, case type, status, role, assignee and name, in a chosen
order, with counts, a page at a time.

Counts are facets: the counts per case type obey every filter except the case type, and those per status
every filter except the status, so each number says what choosing it would show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from edugateway.identity.case_types import CaseStatus
from edugateway.store.case_lists import SORTS, UNASSIGNED, CaseFilter, CaseLine, assignees_in, queue_slice
from edugateway.store.case_page import account_names
from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope
from edugateway.web.shown_words import person_title

PAGE_SIZE = 50
ANY_STATUS = "all"
MINE = "me"  # the assignee filter's "мои": whoever is signed in
NOBODY = "none"  # the assignee filter's "не назначен"
SORT_TITLES: dict[str, str] = {
    "opened": "сначала старые",
    "-opened": "сначала новые",
    "name": "по ФИО",
    "class": "по классу",
    "type": "по виду замечания",
    "assignee": "по исполнителю",
}
ROLE_CHOICES: dict[str, str] = {"student": "ученики", "teacher": "учителя", "parent": "родители", "staff": "сотрудники"}


@dataclass(frozen=True, slots=True)
class QueueFilter:
    school_id: int | None = None
    class_name: str | None = None
    case_type: str | None = None
    status: str = CaseStatus.OPEN.value  # or ANY_STATUS
    page: int = 1
    search: str = ""
    role: str | None = None
    assignee: str = ""  # "": anyone; MINE, NOBODY or a login
    sort: str = "opened"

    def cases(self, me: str) -> CaseFilter:
        """The filter as the store applies it; `me` is the signed-in login ("мои")."""
        status = None if self.status == ANY_STATUS else self.status
        assignee = {"": None, MINE: me, NOBODY: UNASSIGNED}.get(self.assignee, self.assignee)
        sort = self.sort if self.sort in SORTS else "opened"
        return CaseFilter(
            self.school_id, self.class_name, self.case_type, status, self.search or None, self.role, assignee, sort
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The query string of this filter with `changes`, for links; empty values left out. A changed
        filter goes back to its first page."""
        chosen = replace(self, **({"page": 1} | changes))
        params = {
            "school": "" if chosen.school_id is None else str(chosen.school_id),
            "class": chosen.class_name or "",
            "type": chosen.case_type or "",
            "status": chosen.status,
            "q": chosen.search,
            "role": chosen.role or "",
            "assignee": chosen.assignee,
            "sort": "" if chosen.sort == "opened" else chosen.sort,
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
    assignee: str | None  # the login, as stored
    assignee_name: str | None  # the account's display name
    role: str  # «Ученик», «Учитель»


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
    assignees: list[tuple[str, str]]  # (login, display name) of the accounts cases are assigned to


def queue_row(line: CaseLine, names: dict[str, str]) -> QueueRow:
    return QueueRow(
        line.case_id,
        line.school_name,
        " ".join(p for p in (line.last_name, line.first_name, line.middle_name) if p),
        line.class_name,
        line.case_type,
        line.detail,
        line.status,
        line.opened_at,
        line.assignee,
        names.get(line.assignee, line.assignee) if line.assignee else None,
        person_title(line.roles),
    )


def load_names(db: Database) -> dict[str, str]:
    with db.session() as session:
        return account_names(session)


def load_queue(db: Database, chosen: QueueFilter, scope: SchoolScope, *, me: str) -> QueuePage:
    """The queue of the scope's schools only (the account's)."""
    found = queue_slice(db, chosen.cases(me), scope=scope, page=chosen.page, page_size=PAGE_SIZE)
    names = load_names(db)
    rows = [queue_row(line, names) for line in found.lines]
    classes = sorted(found.classes, key=_class_order)
    assignees = sorted(((a, names.get(a, a)) for a in assignees_in(db, scope)), key=lambda pair: pair[1])
    return QueuePage(
        rows, found.total, found.page, found.pages, found.by_type, found.by_status, found.schools, classes, assignees
    )


def _class_order(name: str) -> tuple[int, str]:
    """«2А» before «10Б»: by the grade number, then the letter."""
    digits = "".join(c for c in name if c.isdigit())
    return (int(digits) if digits else 99, name)
