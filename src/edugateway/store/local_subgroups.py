"""The school's own subgroups (classes with a parent), by homeroom and subject: what a platform's subgroup lesson
is filed under when the platform names its groups but does not identify them (ЕЦП, sync/subgroups.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from edugateway.store.tables import ClassRow, SubjectRow


@dataclass(frozen=True)
class LocalSubgroup:
    key: str  # the subgroup's local key (source id)
    name: str


@dataclass(frozen=True)
class LocalSubgroups:
    """Active subgroups by (homeroom key, subject key); class and subject names by key, for what the run says."""

    groups: dict[tuple[str, str], list[LocalSubgroup]] = field(default_factory=dict)
    class_names: dict[str, str] = field(default_factory=dict)
    subject_names: dict[str, str] = field(default_factory=dict)

    def of(self, homeroom: str, subject: str) -> list[LocalSubgroup]:
        return self.groups.get((homeroom, subject), [])


def load_local_subgroups(session: Session, school_id: int) -> LocalSubgroups:
    parent = aliased(ClassRow)
    rows = session.execute(
        select(ClassRow.source_id, ClassRow.name, parent.source_id, SubjectRow.source_id)
        .join(parent, parent.id == ClassRow.parent_id)
        .join(SubjectRow, SubjectRow.id == ClassRow.subject_id)
        .where(ClassRow.school_id == school_id, ClassRow.active.is_(True))
        .order_by(ClassRow.source_id)
    )
    groups: defaultdict[tuple[str, str], list[LocalSubgroup]] = defaultdict(list)
    for key, name, homeroom, subject in rows.tuples():
        groups[(homeroom, subject)].append(LocalSubgroup(key, name))
    classes = session.execute(select(ClassRow.source_id, ClassRow.name).where(ClassRow.school_id == school_id))
    subjects = session.execute(select(SubjectRow.source_id, SubjectRow.name).where(SubjectRow.school_id == school_id))
    return LocalSubgroups(dict(groups), dict(classes.tuples().all()), dict(subjects.tuples().all()))
