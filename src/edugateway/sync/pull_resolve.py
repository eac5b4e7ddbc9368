"""A pulled journal record in local terms: the platform's ids resolved to local keys and row ids.

A record whose person, class, subject, lesson or period has no local counterpart cannot be stored; it becomes
`Unresolved` with a reason that says what to do, and the pull skips it into the run log. A lesson of a subgroup
the platform names without an id (ЕЦП) is filed by sync/subgroups.py. The digest covers
the canonical record with local keys, so linking a teacher later, or a corrected link, counts as a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from edugateway.connectors.base import Remote
from edugateway.domain.entities import Entity
from edugateway.domain.models import Attendance, Lesson, Mark, MarkKind
from edugateway.logs import get_logger
from edugateway.store.id_links import IdLinks, platform_ref
from edugateway.store.pulled_journal import LessonRef, LocalRoster
from edugateway.sync.subgroups import NoSubgroup, SubgroupFiler

log = get_logger(__name__)

NOUNS = {
    Entity.PERSONS: "person",
    Entity.CLASSES: "class",
    Entity.SUBJECTS: "subject",
    Entity.PERIODS: "reporting period",
    Entity.LESSONS: "lesson",
}
FINAL_KINDS = frozenset({MarkKind.PERIOD_FINAL, MarkKind.YEAR_FINAL})
# Times a platform may leave out: unknown, they stay out of the digest, so records digested before the times were
# mapped (and a platform that never sends them) do not all count as changed.
OPTIONAL_TIMES = frozenset({"starts_at", "ends_at", "homework_sent_at", "entered_at"})


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """Stored in UTC: SQLite keeps a datetime's wall time and drops its offset."""
    return value.astimezone(dt.UTC) if value is not None else None


class Unresolved(Exception):
    """A reference the local side cannot resolve; the message is the skip reason."""


@dataclass(frozen=True)
class Pulled:
    """One platform record ready to store: its local key, the row's column values, and the canonical record
    in local keys (what the digest covers)."""

    entity: Entity
    remote_id: str
    local_key: str
    new_link: bool  # the record is not linked yet: storing it adds a `pulled` link
    canonical: BaseModel
    values: dict[str, Any]
    period_end: dt.date | None = None  # a final mark's period end, for the retroactive check

    @property
    def digest(self) -> str:
        unknown = {name for name in OPTIONAL_TIMES if getattr(self.canonical, name, None) is None}
        return hashlib.sha256(self.canonical.model_dump_json(exclude=unknown).encode()).hexdigest()


@dataclass
class Resolver:
    """Turns the records of one window into `Pulled` records, or raises Unresolved saying why not."""

    platform: str
    links: IdLinks
    roster: LocalRoster
    lessons: dict[str, LessonRef] = field(default_factory=dict)
    unlinked_teachers: set[str] = field(default_factory=set)  # warned about in this window already
    subgroups: SubgroupFiler | None = None  # the platform names subgroups without ids (ЕЦП)

    def own_key(self, entity: Entity, remote_id: str) -> tuple[str, bool]:
        """The record's local key, and whether it still needs its link (a first pull names it after the platform)."""
        linked = self.links.local_key(entity, remote_id)
        return (linked, False) if linked is not None else (platform_ref(self.platform, remote_id), True)

    def ref(self, entity: Entity, remote_id: str) -> tuple[str, int]:
        """(local key, row id) of a roster record the platform's record points at."""
        noun = NOUNS[entity]
        local_key = self.links.local_key(entity, remote_id)
        if local_key is None:
            raise Unresolved(
                f"{noun} {remote_id} on {self.platform} is not linked to a local {noun}; "
                f"link the {entity.value} first (the identity step of the sync)"
            )
        row_id = self.roster.table(entity).get(local_key)
        if row_id is None:
            raise Unresolved(
                f"{noun} {remote_id} on {self.platform} is linked to local {local_key}, which is not in the local "
                "database; import it or correct the link"
            )
        return local_key, row_id

    def optional_ref(self, entity: Entity, remote_id: str | None) -> tuple[str | None, int | None]:
        if remote_id is None:
            return None, None
        try:
            return self.ref(entity, remote_id)
        except Unresolved:
            return None, None

    def lesson(self, remote_id: str) -> tuple[str, LessonRef]:
        local_key = self.links.local_key(Entity.LESSONS, remote_id)
        found = self.lessons.get(local_key) if local_key else None
        if local_key is None or found is None:
            raise Unresolved(
                f"lesson {remote_id} on {self.platform} has not been pulled (it lies before the pulled days, or "
                "lessons were not pulled); pull lessons from an earlier start"
            )
        return local_key, found

    # --- per entity -----------------------------------------------------------------------------------

    def resolve(self, entity: Entity, remote: Remote[Any]) -> Pulled:
        record = remote.record
        if isinstance(record, Lesson):
            return self._lesson(entity, remote.remote_id, record)
        if isinstance(record, Mark):
            return self._mark(entity, remote.remote_id, record)
        if isinstance(record, Attendance):
            return self._attendance(entity, remote.remote_id, record)
        raise Unresolved(f"{type(record).__name__} is not a journal record")

    def _lesson_class(self, remote_id: str, lesson: Lesson, subject_key: str) -> tuple[str, int]:
        """(local key, row id) of the lesson's class: linked, or a named subgroup filed by sync/subgroups.py."""
        split = self.subgroups.split(lesson.class_id) if self.subgroups is not None else None
        if self.subgroups is None or split is None or self.links.local_key(Entity.CLASSES, lesson.class_id):
            return self.ref(Entity.CLASSES, lesson.class_id)
        homeroom_key, _ = self.ref(Entity.CLASSES, split[0])
        try:
            key = self.subgroups.class_key(self.links, lesson.class_id, homeroom_key, split[1], subject_key, remote_id)
        except NoSubgroup as exc:
            raise Unresolved(str(exc)) from None
        row_id = self.roster.classes.get(key)
        if row_id is None:
            raise Unresolved(f"class {key} is not in the local database; import it or correct its link")
        return key, row_id

    def _lesson(self, entity: Entity, remote_id: str, lesson: Lesson) -> Pulled:
        subject_key, subject_id = self.ref(Entity.SUBJECTS, lesson.subject_id)
        class_key, class_id = self._lesson_class(remote_id, lesson, subject_key)
        # The teacher is optional on a lesson: an unlinked one leaves it empty rather than losing the topic and
        # homework, and the platform's reference stays on the lesson (teacher_ref) for a later link to fill in.
        teacher_key, teacher_id = self.optional_ref(Entity.PERSONS, lesson.teacher_id)
        teacher_ref = platform_ref(self.platform, lesson.teacher_id) if lesson.teacher_id else None
        if lesson.teacher_id and teacher_key is None and lesson.teacher_id not in self.unlinked_teachers:
            self.unlinked_teachers.add(lesson.teacher_id)  # said once per teacher, not once per lesson
            log.warning(
                "sync.pull.teacher_unlinked", platform=self.platform, lesson=remote_id, teacher=lesson.teacher_id
            )
        key, new = self.own_key(entity, remote_id)
        # An unlinked teacher counts in the digest by the platform's reference: another unlinked teacher on the
        # lesson is a change, and so is the teacher's link (the local key replaces the reference).
        canonical = lesson.model_copy(
            update={
                "id": key,
                "class_id": class_key,
                "subject_id": subject_key,
                "teacher_id": teacher_key or teacher_ref,
            }
        )
        values = {
            "source_id": key,
            "date": lesson.date,
            "number": lesson.number,
            "class_id": class_id,
            "subject_id": subject_id,
            "teacher_id": teacher_id,
            "teacher_ref": teacher_ref,
            "topic": lesson.topic,
            "homework": lesson.homework,
            "starts_at": _utc(lesson.starts_at),
            "ends_at": _utc(lesson.ends_at),
            "homework_sent_at": _utc(lesson.homework_sent_at),
        }
        return Pulled(entity, remote_id, key, new, canonical, values)

    def _mark(self, entity: Entity, remote_id: str, mark: Mark) -> Pulled:
        person_key, person_id = self.ref(Entity.PERSONS, mark.person_id)
        lesson_key, lesson = self.lesson(mark.lesson_id) if mark.lesson_id else (None, None)
        subject_key, subject_id = self.ref(Entity.SUBJECTS, mark.subject_id) if mark.subject_id else (None, None)
        if subject_id is None and lesson is not None:
            subject_id = lesson.subject_row_id  # the platform named no subject: the lesson's
        period_key, period_id = self.ref(Entity.PERIODS, mark.period_id) if mark.period_id else (None, None)
        key, new = self.own_key(entity, remote_id)
        canonical = mark.model_copy(
            update={
                "id": key,
                "person_id": person_key,
                "lesson_id": lesson_key,
                "subject_id": subject_key,
                "period_id": period_key,
            }
        )
        values = {
            "source_id": key,
            "person_id": person_id,
            "value": mark.value,
            "kind": mark.kind.value,
            "lesson_id": lesson.row_id if lesson else None,
            "subject_id": subject_id,
            "period_id": period_id,
            "work_type": mark.work_type,
            "weight": mark.weight,
            "date": mark.date,
        }
        period_end = self.roster.period_ends.get(period_key) if period_key and mark.kind in FINAL_KINDS else None
        return Pulled(entity, remote_id, key, new, canonical, values, period_end)

    def _attendance(self, entity: Entity, remote_id: str, entry: Attendance) -> Pulled:
        person_key, person_id = self.ref(Entity.PERSONS, entry.person_id)
        lesson_key, lesson = self.lesson(entry.lesson_id)
        key, new = self.own_key(entity, remote_id)
        canonical = entry.model_copy(update={"person_id": person_key, "lesson_id": lesson_key})
        values = {
            "person_id": person_id,
            "lesson_id": lesson.row_id,
            "code": entry.code.value,
            "minutes_late": entry.minutes_late,
            "entered_at": _utc(entry.entered_at),
        }
        return Pulled(entity, remote_id, key, new, canonical, values)
