"""Lists of identity cases: the clerk's queue, a page at a time with its facet counts, and `cases list`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from edugateway.store.db import Database
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import IdentityCaseRow, PersonRow, SchoolRow

_Case = IdentityCaseRow


UNASSIGNED = ""  # the assignee filter's value for "nobody"
# The queue's orders: name -> columns; each ends with the id so a page boundary never moves.
SORTS: dict[str, tuple[Any, ...]] = {
    "opened": (_Case.opened_at, _Case.id),
    "-opened": (_Case.opened_at.desc(), _Case.id.desc()),
    "name": (PersonRow.last_name, PersonRow.first_name, PersonRow.middle_name, _Case.id),
    "class": (_Case.class_name, PersonRow.last_name, _Case.id),
    "type": (_Case.case_type, _Case.opened_at, _Case.id),
    "assignee": (_Case.assignee, _Case.opened_at, _Case.id),
}


@dataclass(frozen=True, slots=True)
class CaseFilter:
    school_id: int | None = None
    class_name: str | None = None
    case_type: str | None = None
    status: str | None = None  # None: every status
    search: str | None = None  # words of the person's name, each the start of a part of it
    role: str | None = None  # a person role: student, teacher, parent, staff
    assignee: str | None = None  # a login, UNASSIGNED, or None: anyone
    sort: str = "opened"


def _name_word(word: str) -> ColumnElement[bool]:
    """One typed word as the start of the last, first or middle name, whatever case it was typed in. SQLite's
    lower() knows only Latin letters, so the spellings a name is stored in are tried instead of lowering."""
    spellings = {word, word.lower(), word.capitalize(), word.upper()}
    spellings |= {s.replace("е", "ё") for s in spellings} | {s.replace("ё", "е") for s in spellings}
    columns = (PersonRow.last_name, PersonRow.first_name, PersonRow.middle_name)
    return or_(*(column.startswith(s, autoescape=True) for column in columns for s in sorted(spellings)))


def _conditions(chosen: CaseFilter, scope: SchoolScope, *, without: str | None = None) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [scope.where(_Case.school_id)]
    for word in (chosen.search or "").split()[:5]:
        found.append(_name_word(word))
    if chosen.role:
        # Roles are stored sorted and comma-separated; no role's name is part of another's.
        found.append(PersonRow.roles.contains(chosen.role, autoescape=True))
    if chosen.assignee is not None:
        found.append(_Case.assignee.is_(None) if chosen.assignee == UNASSIGNED else _Case.assignee == chosen.assignee)
    if chosen.school_id is not None:
        found.append(_Case.school_id == chosen.school_id)
    if chosen.class_name:
        found.append(_Case.class_name == chosen.class_name)
    if chosen.case_type and without != "case_type":
        found.append(_Case.case_type == chosen.case_type)
    if chosen.status is not None and without != "status":
        found.append(_Case.status == chosen.status)
    return found


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case in a list, with its person's name (never the SNILS) and its school."""

    case_id: int
    school_code: str
    school_name: str
    last_name: str
    first_name: str
    middle_name: str | None
    class_name: str | None
    case_type: str
    detail: str | None
    status: str
    assignee: str | None
    opened_at: dt.datetime
    roles: str = ""  # the person's roles as stored ("parent,teacher")


@dataclass(frozen=True, slots=True)
class QueueSlice:
    lines: list[CaseLine]
    total: int
    page: int  # the page asked for, kept within 1..pages
    pages: int
    by_type: dict[str, int]  # every filter but the case type
    by_status: dict[str, int]  # every filter but the status
    schools: list[tuple[int, str]]  # the schools in scope that have a case: (id, name), by name
    classes: list[str]  # the classes that have a case (of the chosen school), unordered


def _lines() -> Select[
    tuple[int, str, str, str, str, str | None, str | None, str, str | None, str, str | None, dt.datetime, str]
]:
    return (
        select(
            _Case.id,
            SchoolRow.code,
            SchoolRow.name,
            PersonRow.last_name,
            PersonRow.first_name,
            PersonRow.middle_name,
            _Case.class_name,
            _Case.case_type,
            _Case.detail,
            _Case.status,
            _Case.assignee,
            _Case.opened_at,
            PersonRow.roles,
        )
        .join(PersonRow, PersonRow.id == _Case.person_id)
        .join(SchoolRow, SchoolRow.id == _Case.school_id)
    )


def _counted(conditions: list[ColumnElement[bool]]) -> Select[tuple[int]]:
    return select(func.count()).select_from(_Case).join(PersonRow, PersonRow.id == _Case.person_id).where(*conditions)


def queue_slice(db: Database, chosen: CaseFilter, *, scope: SchoolScope, page: int, page_size: int) -> QueueSlice:
    """The cases of the scope's schools the filter keeps, the oldest problem first, one page of them; every count
    and list of choices is of the scope's schools too."""
    with db.session() as session:
        total = session.scalar(_counted(_conditions(chosen, scope))) or 0
        pages = max(1, -(-total // page_size))
        page = min(max(1, page), pages)
        found = session.execute(
            _lines()
            .where(*_conditions(chosen, scope))
            .order_by(*SORTS.get(chosen.sort, SORTS["opened"]))
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).tuples()
        lines = [CaseLine(*row) for row in found]
        by_type = _counts(session, _Case.case_type, _conditions(chosen, scope, without="case_type"))
        by_status = _counts(session, _Case.status, _conditions(chosen, scope, without="status"))
        schools = [
            (sid, name)
            for sid, name in session.execute(
                select(SchoolRow.id, SchoolRow.name)
                .where(SchoolRow.id.in_(select(_Case.school_id)), scope.where(SchoolRow.id))
                .order_by(SchoolRow.name)
            ).all()
        ]
        class_query = (
            select(_Case.class_name).where(_Case.class_name.is_not(None), scope.where(_Case.school_id)).distinct()
        )
        if chosen.school_id is not None:
            class_query = class_query.where(_Case.school_id == chosen.school_id)
        classes = [c for c in session.scalars(class_query).all() if c]
    return QueueSlice(lines, total, page, pages, by_type, by_status, schools, classes)


def _counts(
    session: Session, column: InstrumentedAttribute[str], conditions: list[ColumnElement[bool]]
) -> dict[str, int]:
    found = session.execute(
        select(column, func.count())
        .select_from(_Case)
        .join(PersonRow, PersonRow.id == _Case.person_id)
        .where(*conditions)
        .group_by(column)
    ).tuples()
    return {str(key): int(n) for key, n in found}


def queue_lines(db: Database, chosen: CaseFilter, *, scope: SchoolScope, limit: int) -> list[CaseLine]:
    """Every case of the scope's schools the filter keeps, in the filter's order, at most `limit` (the export)."""
    query = _lines().where(*_conditions(chosen, scope)).order_by(*SORTS.get(chosen.sort, SORTS["opened"]))
    with db.session() as session:
        return [CaseLine(*row) for row in session.execute(query.limit(limit)).tuples()]


def assignees_in(db: Database, scope: SchoolScope) -> list[str]:
    """The logins the scope's cases are assigned to, for the queue's assignee filter."""
    query = select(_Case.assignee).where(_Case.assignee.is_not(None), scope.where(_Case.school_id)).distinct()
    with db.session() as session:
        return sorted(a for a in session.scalars(query) if a)


def case_lines(
    db: Database,
    *,
    school_code: str | None = None,
    status: str | None = None,
    case_type: str | None = None,
    class_name: str | None = None,
) -> list[CaseLine]:
    """The cases by school, class, the person's last name and id (what `cases list` prints)."""
    query = _lines().order_by(SchoolRow.code, _Case.class_name, PersonRow.last_name, _Case.id)
    if school_code:
        query = query.where(SchoolRow.code == school_code)
    if status:
        query = query.where(_Case.status == status)
    if case_type:
        query = query.where(_Case.case_type == case_type)
    if class_name:
        query = query.where(_Case.class_name == class_name)
    with db.session() as session:
        return [CaseLine(*row) for row in session.execute(query).tuples()]


@dataclass(frozen=True, slots=True)
class ReportedCase:
    """A case as the night's report lists it: its person by local key."""

    case_id: int
    case_type: str
    detail: str | None
    person_key: str
    class_name: str | None
    opened_at: dt.datetime
    assignee: str | None


def school_cases(
    session: Session, school_id: int, *, status: str, case_types: Collection[str] | None = None
) -> list[ReportedCase]:
    """The school's cases in this status (of these types, or all), by case type, class and id."""
    wanted = [] if case_types is None else [_Case.case_type.in_(sorted(case_types))]
    rows = session.execute(
        select(
            _Case.id,
            _Case.case_type,
            _Case.detail,
            PersonRow.source_id,
            _Case.class_name,
            _Case.opened_at,
            _Case.assignee,
        )
        .join(PersonRow, PersonRow.id == _Case.person_id)
        .where(_Case.school_id == school_id, _Case.status == status, *wanted)
        .order_by(_Case.case_type, _Case.class_name, _Case.id)
    ).tuples()
    return [ReportedCase(*row) for row in rows]
