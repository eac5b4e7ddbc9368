"""Hand-built journal rows for the compliance rules: a school, a class, a subject, a quarter, pulled lessons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.domain.models import WorkType
from edugateway.store.tables import (
    AttendanceRow,
    ClassRow,
    EnrollmentRow,
    IdentityLinkRow,
    JournalChangeRow,
    LessonRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
    SyncCursorRow,
)
from edugateway.store.work_types import store_work_types

PLATFORM = "dnevnik"
Q1 = (dt.date(2026, 9, 1), dt.date(2026, 10, 26))


@dataclass
class Journal:
    """Rows of one school; every lesson and mark is recorded as delivered by PLATFORM unless told otherwise."""

    session: Session
    school_id: int = 0
    ids: count[int] = field(default_factory=count)
    period_id: int = 0

    @classmethod
    def start(cls, session: Session) -> Journal:
        school = SchoolRow(code="s1", name="Школа № 1")
        session.add(school)
        session.flush()
        journal = cls(session, school.id)
        journal.period_id = journal.period("1 четверть", "quarter", *Q1)
        return journal

    def key(self, prefix: str) -> str:
        return f"{prefix}-{next(self.ids)}"

    def add(self, row: object) -> int:
        self.session.add(row)
        self.session.flush()
        return int(row.id)  # type: ignore[attr-defined]

    def period(self, name: str, kind: str, start: dt.date, end: dt.date) -> int:
        return self.add(
            ReportingPeriodRow(
                school_id=self.school_id,
                source_id=self.key("rp"),
                name=name,
                kind=kind,
                academic_year=2026,
                start_date=start,
                end_date=end,
            )
        )

    def person(
        self, last: str, first: str, middle: str | None = None, roles: str = "student", *, on_platform: bool = True
    ) -> int:
        """A person; linked on PLATFORM (the platform has them) unless `on_platform` is false."""
        key = self.key("p")
        row_id = self.add(
            PersonRow(
                school_id=self.school_id,
                source_id=key,
                roles=roles,
                last_name=last,
                first_name=first,
                middle_name=middle,
            )
        )
        if on_platform:
            self.delivered("persons", key)
        return row_id

    def klass(self, name: str, grade: int, parent_id: int | None = None) -> int:
        return self.add(
            ClassRow(
                school_id=self.school_id,
                source_id=self.key("c"),
                name=name,
                grade=grade,
                academic_year=2026,
                parent_id=parent_id,
            )
        )

    def subject(self, name: str) -> int:
        return self.add(SubjectRow(school_id=self.school_id, source_id=self.key("subj"), name=name))

    def enroll(self, person_id: int, class_id: int, *, active: bool = True, end: dt.date | None = None) -> None:
        self.add(
            EnrollmentRow(
                school_id=self.school_id,
                source_id=self.key("e"),
                person_id=person_id,
                class_id=class_id,
                role="student",
                active=active,
                end_date=end,
            )
        )

    def delivered(self, entity: str, local_key: str, platform: str = PLATFORM) -> None:
        """What a pull leaves: the platform's link of the record."""
        self.add(
            IdentityLinkRow(
                school_id=self.school_id,
                platform=platform,
                entity=entity,
                remote_id=self.key("r"),
                local_key=local_key,
                method="pulled",
            )
        )

    def lesson(
        self,
        day: dt.date,
        class_id: int,
        subject_id: int,
        teacher_id: int | None = None,
        *,
        topic: str | None = "Тема",
        homework: str | None = None,
        number: int = 1,
        platform: str | None = PLATFORM,
    ) -> int:
        key = self.key("les")
        row_id = self.add(
            LessonRow(
                school_id=self.school_id,
                source_id=key,
                date=day,
                number=number,
                class_id=class_id,
                subject_id=subject_id,
                teacher_id=teacher_id,
                topic=topic,
                homework=homework,
            )
        )
        if platform:
            self.delivered("lessons", key, platform)
        return row_id

    def mark(
        self,
        person_id: int,
        lesson_id: int | None,
        day: dt.date | None,
        *,
        value: str = "5",
        kind: str = "lesson",
        subject_id: int | None = None,
        period_id: int | None = None,
    ) -> str:
        key = self.key("m")
        self.add(
            MarkRow(
                school_id=self.school_id,
                source_id=key,
                person_id=person_id,
                value=value,
                kind=kind,
                lesson_id=lesson_id,
                subject_id=subject_id,
                period_id=period_id,
                date=day,
            )
        )
        self.delivered("final_marks" if kind.endswith("final") else "marks", key)
        return key

    def absent(self, person_id: int, lesson_id: int, code: str = "Б") -> None:
        self.add(AttendanceRow(school_id=self.school_id, person_id=person_id, lesson_id=lesson_id, code=code))

    def first_seen(self, table: type[LessonRow] | type[MarkRow], source_id: str, when: dt.datetime) -> None:
        """When the gateway first stored the row (what a sync on that night leaves in created_at)."""
        row = self.session.scalars(
            select(table).where(table.school_id == self.school_id, table.source_id == source_id)
        ).one()
        row.created_at = when
        self.session.flush()

    def lesson_key(self, lesson_id: int) -> str:
        row = self.session.get(LessonRow, lesson_id)
        assert row is not None
        return row.source_id

    def mark_changed(self, key: str, old: str, new: str, seen: dt.datetime) -> None:
        """What a sync leaves when it sees a lesson mark's value changed: the journal change, and the new value."""
        self.add(
            JournalChangeRow(
                school_id=self.school_id,
                platform=PLATFORM,
                entity="marks",
                remote_id=self.key("r"),
                local_key=key,
                changes={"value": [old, new]},
                retroactive=False,
                seen_at=seen,
            )
        )
        mark = self.session.scalars(select(MarkRow).where(MarkRow.source_id == key)).one()
        mark.value = new
        self.session.flush()

    def final(self, person_id: int, subject_id: int, day: dt.date, value: str = "5", period_id: int = 0) -> str:
        """A period final of the first quarter (or `period_id`), dated `day` by the platform."""
        period = period_id or self.period_id
        return self.mark(
            person_id, None, day, value=value, kind="period_final", subject_id=subject_id, period_id=period
        )

    def changed(self, key: str, old: str, new: str, seen: dt.datetime, platform: str = PLATFORM) -> None:
        """What a sync leaves when it sees a final's value replaced after its period closed."""
        self.add(
            JournalChangeRow(
                school_id=self.school_id,
                platform=platform,
                entity="final_marks",
                remote_id=self.key("r"),
                local_key=key,
                changes={"value": [old, new]},
                retroactive=True,
                period_end=Q1[1],
                seen_at=seen,
            )
        )

    def pulled(self, *entities: str, until: dt.date = Q1[1], platform: str = PLATFORM) -> None:
        """What a pull leaves even when it found nothing: the entities' pull cursors."""
        for entity in entities:
            self.add(SyncCursorRow(school_id=self.school_id, platform=platform, entity=entity, position=until))

    def timed(
        self,
        lesson_id: int,
        *,
        ends_at: dt.datetime | None = None,
        homework_sent_at: dt.datetime | None = None,
        homework: str | None = "§ 1",
    ) -> None:
        """The lesson's end (its timetable bell) and its homework's sent time, as a pull stores them (UTC)."""
        row = self.session.get(LessonRow, lesson_id)
        assert row is not None
        row.ends_at = ends_at.astimezone(dt.UTC) if ends_at else None
        row.homework_sent_at = homework_sent_at.astimezone(dt.UTC) if homework_sent_at else None
        row.homework = homework
        self.session.flush()

    def absent_entered(self, person_id: int, lesson_id: int, entered_at: dt.datetime, code: str = "Н") -> None:
        """An absence entered at `entered_at` (the platform's createdDate), stored in UTC."""
        self.add(
            AttendanceRow(
                school_id=self.school_id,
                person_id=person_id,
                lesson_id=lesson_id,
                code=code,
                entered_at=entered_at.astimezone(dt.UTC),
            )
        )

    def work_mark(self, person_id: int, lesson_id: int, day: dt.date, work_type: str) -> str:
        """A work mark given on `day` whose work type is the platform's id `work_type`, as a pull stores it."""
        key = self.mark(person_id, lesson_id, day, kind="work")
        row = self.session.scalars(
            select(MarkRow).where(MarkRow.school_id == self.school_id, MarkRow.source_id == key)
        ).one()
        row.work_type = work_type
        self.session.flush()
        return key

    def work_types(self, *types: WorkType, platform: str = PLATFORM) -> int:
        """The platform's work types with their titles, stored as the journal pull stores them."""
        written = store_work_types(self.session, self.school_id, platform, types)
        self.session.flush()
        return written


def school_days(start: dt.date, n: int) -> list[dt.date]:
    """`n` weekdays from `start`."""
    days: list[dt.date] = []
    day = start
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days
