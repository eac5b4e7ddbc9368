"""ГИС ЕЦП (Свердловская область): reads through the diary's family API, contingent pushes through edu-upload.

The family API answers per pupil: the roster is `students` (an administrator account sees the whole school)
and `classes`; everything else is asked for one pupil at a time: subjects, periods, the schedule one school
week a page, the marks and presence tables, homework one day a page. So a range read costs one request per
pupil and week; the pupils are read up to max_concurrency at once and each week is streamed when it is read.

What the API does not give, and what the connector does instead (all said in `CAPABILITIES` and here):
- teachers and parents are not listed: persons are the pupils; their birth dates and SNILS are not shown;
- subgroups have no ids, only a lesson's `groupName`: their lessons carry `<homeroom>#<groupName>` as class
  (mapping.ecp.subgroup_id), which the sync files under the school's own subgroup (sync/subgroups.py);
  classes() lists the homerooms, and enrollments are homeroom enrollments;
- lessons and marks name their subject, they do not identify it: the id is found by name among the
  pupil's subjects (`estimate/subjects`); lesson topics are not exposed;
- marks have no ids: `<pupil>:<lesson>:<n>`, finals `<pupil>:<period>:<subject>`; work kinds are not shown,
  so every lesson mark is a lesson mark;
- periods have no dates: a period spans the first to the last day the platform shows lessons on in it
  (the year: all its terms); a period without lessons yet is left out (logged) until its first lesson.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from edugateway.connectors.base import Capabilities, DateRange, Op, Remote, Skipped, WriteResult, map_or_skip
from edugateway.connectors.ecp import weeks
from edugateway.connectors.ecp.contingent import Pupil, Representative
from edugateway.connectors.ecp.upload import DEFAULT_PREFIX, REPRESENTATIVES, STUDENTS, EduUpload, Row
from edugateway.connectors.ecp.week_pages import WeekPages
from edugateway.connectors.http import PlatformClient
from edugateway.connectors.streams import ordered
from edugateway.domain.entities import Entity
from edugateway.domain.models import (
    Attendance,
    Enrollment,
    EnrollmentRole,
    Lesson,
    Mark,
    Person,
    ReportingPeriod,
    SchoolClass,
    Subject,
)
from edugateway.errors import ConnectorError, ValidationError
from edugateway.logs import get_logger
from edugateway.mapping import ecp as m

log = get_logger(__name__)

Json = dict[str, Any]
T = TypeVar("T")
X = TypeVar("X")

CAPABILITIES = Capabilities(
    {
        Entity.PERSONS: Op.READ | Op.CREATE | Op.UPDATE | Op.DELETE,  # read: pupils; write: pupils and parents
        Entity.CLASSES: Op.READ,  # homerooms
        Entity.ENROLLMENTS: Op.READ,  # homeroom enrollments of pupils
        Entity.SUBJECTS: Op.READ,
        Entity.PERIODS: Op.READ,  # dated by their lessons
        Entity.TIMETABLE: Op.READ,  # through lessons(): the schedule is the timetable
        Entity.LESSONS: Op.READ,
        Entity.MARKS: Op.READ,
        Entity.FINAL_MARKS: Op.READ,
        Entity.ATTENDANCE: Op.READ,
        Entity.HOMEWORK: Op.READ,  # on lessons
    }
)


@dataclass
class Roster:
    """Who the administrator account sees: pupils, homerooms of the current school year, who is in which."""

    academic_year: int
    students: list[Json]
    classes: list[Json]
    homeroom_of: dict[str, str] = field(default_factory=dict)

    def pupils(self) -> list[str]:
        return list(self.homeroom_of)

    def first_pupil_of_each_class(self) -> dict[str, str]:
        firsts: dict[str, str] = {}
        for student_id, class_id in self.homeroom_of.items():
            firsts.setdefault(class_id, student_id)
        return firsts


@dataclass
class _WeekLessons:
    """One week's lessons as the pupils' schedules show them, and which pupils see each."""

    rows: dict[str, tuple[Json, dt.date, str, str]] = field(default_factory=dict)  # id -> (obj, day, homeroom, pupil)
    seen_by: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


class EcpConnector:
    """One school on ГИС ЕЦП. `school_id` is the school's organisation id on the platform (for naming: the
    administrator account sees one school); `org_ogrn` is the school's ОГРН, which pushed pupils carry."""

    capabilities = CAPABILITIES
    # One week page serves lessons' neighbours, marks and attendance: a pull reads them window by window.
    journal_by_window = True

    def __init__(
        self,
        client: PlatformClient,
        school_id: str,
        *,
        platform: str = "ecp",
        org_ogrn: str | None = None,
        upload_prefix: str = DEFAULT_PREFIX,
        upload_client: PlatformClient | None = None,
    ) -> None:
        """`upload_client` calls the SMEV adapter's edu-upload service where it is a host of its own (it takes
        no token: the contract declares no security); without it the service is `upload_prefix` under the
        diary's API."""
        self.client = client
        self.school_id = school_id
        self.platform = platform
        self.org_ogrn = org_ogrn
        self.upload = EduUpload(upload_client or client, prefix="" if upload_client else upload_prefix)
        self.skipped: list[Skipped] = []
        self._roster: Roster | None = None
        self._subject_by_name: dict[str, str] = {}
        self._subjects: dict[str, Json] = {}
        self._subjects_of: dict[str, list[str]] = {}  # pupil -> ids of the subjects they are taught
        self._class_periods: dict[str, list[Json]] = {}
        self.week_pages = WeekPages()  # pupil-week pages of the weeks being read, each fetched once

    async def aclose(self) -> None:
        await self.client.aclose()
        if self.upload.client is not self.client:
            await self.upload.client.aclose()

    # --- plumbing ---------------------------------------------------------------------------------------

    def _map(self, entity: Entity, remote_id: object, build: Callable[..., T], *args: Any, **kw: Any) -> T | None:
        """`build(*args, **kw)` or None; a record that cannot be mapped goes to `skipped`, logged by id only."""
        record = map_or_skip(self.skipped, entity, remote_id, build, *args, **kw)
        if record is None:
            log.warning("record skipped", platform=self.platform, entity=entity.value, remote_id=str(remote_id))
        return record

    async def _get(self, path: str, **params: Any) -> Json:
        data = await self.client.get_json(path, params={k: v for k, v in params.items() if v is not None})
        if not isinstance(data, dict):
            raise ConnectorError(
                f"expected a JSON object from {path}, got {type(data).__name__}; the API changed or base_url does "
                "not point at the diary's API (it should end in /api/)",
                platform=self.platform,
            )
        return data

    def _each(self, items: Iterable[X], fetch: Callable[[X], Any]) -> AsyncIterator[tuple[X, Any]]:
        return ordered(items, fetch, self.client.policy.max_concurrency)

    # --- roster -----------------------------------------------------------------------------------------

    async def roster(self) -> Roster:
        """Read once per connector: `students`, the school year, `classes` of that year, homerooms by name."""
        if self._roster is not None:
            return self._roster
        students = [s for s in (await self._get("students")).get("students") or [] if isinstance(s, dict)]
        year = weeks.school_year_of(dt.date.today())
        if students:
            years = await self._get("estimate/years", studentId=students[0].get("id"))
            current = (years.get("currentYear") or {}).get("id")
            year = int(current) if isinstance(current, str | int) and str(current).isdigit() else year
        reply = await self._get("classes", schoolYear=str(year))
        classes = [c for c in reply.get("gradeItemModels") or [] if isinstance(c, dict) and c.get("value")]
        roster = Roster(year, students, classes)
        by_name: defaultdict[str, list[str]] = defaultdict(list)
        for item in classes:
            by_name[str(item.get("text") or "").strip()].append(str(item["value"]).lower())
        for row in students:
            student_id = str(row.get("id") or "").lower()
            if not student_id:
                continue
            named = by_name.get(str(row.get("className") or "").strip(), [])
            if len(named) == 1:
                roster.homeroom_of[student_id] = named[0]
                continue
            # no class or several of that name this year: the pupil's own class settles it
            own = (await self._get("classes", studentId=student_id, schoolYear=str(year))).get("currentClass")
            if isinstance(own, dict) and own.get("value"):
                roster.homeroom_of[student_id] = str(own["value"]).lower()
            else:
                self.skipped.append(
                    Skipped(Entity.ENROLLMENTS, student_id, "the platform shows this pupil in no class this year")
                )
        self._roster = roster
        return roster

    async def persons(self) -> AsyncIterator[Remote[Person]]:
        """The pupils. The family API lists no teachers or parents and shows no birth dates or SNILS."""
        for row in (await self.roster()).students:
            person = self._map(Entity.PERSONS, row.get("id"), m.student, row)
            if person is not None:
                yield Remote(person.id, person, raw=row)

    async def classes(self) -> AsyncIterator[Remote[SchoolClass]]:
        roster = await self.roster()
        for item in roster.classes:
            record = self._map(
                Entity.CLASSES, item.get("value"), m.school_class, item, academic_year=roster.academic_year
            )
            if record is not None:
                yield Remote(record.id, record, raw=item)

    def subgroup_of(self, class_id: str) -> tuple[str, str] | None:
        """(homeroom id, group name) of a subgroup lesson's class id: the sync files it under the school's subgroup
        (sync/subgroups.py)."""
        return m.split_subgroup_id(class_id)

    async def enrollments(self) -> AsyncIterator[Remote[Enrollment]]:
        for student_id, class_id in (await self.roster()).homeroom_of.items():
            key = f"{class_id}:{student_id}"
            record = Enrollment(id=key, person_id=student_id, class_id=class_id, role=EnrollmentRole.STUDENT)
            yield Remote(key, record, raw={"studentId": student_id, "classId": class_id})

    # --- subjects ---------------------------------------------------------------------------------------

    async def _read_subjects(self, student_id: str) -> list[str]:
        """The ids of a pupil's subjects (read once per pupil), merged into the name index."""
        if student_id not in self._subjects_of:
            roster = await self.roster()
            reply = await self._get(
                "estimate/subjects",
                studentId=student_id,
                classId=roster.homeroom_of.get(student_id),
                schoolYear=str(roster.academic_year),
            )
            ids = []
            for row in reply.get("subjects") or []:
                if not isinstance(row, dict) or not isinstance(row.get("id"), str) or row["id"] == m.ALL_SUBJECTS:
                    continue
                subject_id = row["id"].lower()
                ids.append(subject_id)
                self._subjects.setdefault(subject_id, row)
                self._subject_by_name.setdefault(str(row.get("name") or "").strip(), subject_id)
            self._subjects_of[student_id] = ids
        return self._subjects_of[student_id]

    async def _subject_id(self, student_id: str, name: object) -> str | None:
        """A subject's id by the name a lesson or mark gives, from that pupil's subjects (read once)."""
        key = str(name or "").strip()
        if key not in self._subject_by_name:
            await self._read_subjects(student_id)
        return self._subject_by_name.get(key)

    async def subjects(self) -> AsyncIterator[Remote[Subject]]:
        """Every pupil's subjects, deduplicated: a subject taught in one subgroup only is seen by its pupils only."""
        emitted: set[str] = set()
        async for _, ids in self._each((await self.roster()).pupils(), self._read_subjects):
            for subject_id in ids:
                if subject_id in emitted:
                    continue
                emitted.add(subject_id)
                row = self._subjects[subject_id]
                record = self._map(Entity.SUBJECTS, subject_id, m.subject, row)
                if record is not None:
                    yield Remote(record.id, record, raw=row)

    # --- periods ----------------------------------------------------------------------------------------

    async def periods_of_class(self, class_id: str, student_id: str) -> list[Json]:
        """The marks page's period selector for a class (read once per class)."""
        if class_id not in self._class_periods:
            reply = await self._get(
                "estimate/periods",
                studentId=student_id,
                classId=class_id,
                schoolYear=str((await self.roster()).academic_year),
            )
            self._class_periods[class_id] = [p for p in reply.get("periods") or [] if isinstance(p, dict)]
        return self._class_periods[class_id]

    async def _period_days(self, student_id: str, class_id: str, period_id: str) -> list[dt.date]:
        reply = await self._get(
            "estimate",
            studentId=student_id,
            classId=class_id,
            schoolYear=str((await self.roster()).academic_year),
            periodId=period_id,
        )
        table = reply.get("periodGradesTable") or {}
        return [m.local_date(d.get("date"), what=f"period {period_id} day") for d in table.get("days") or []]

    async def periods(self) -> AsyncIterator[Remote[ReportingPeriod]]:
        """Quarters, halves or trimesters and the year, dated by the lessons in them (the API gives no dates)."""
        rows: dict[str, Json] = {}
        days: defaultdict[str, set[dt.date]] = defaultdict(set)
        for class_id, student_id in (await self.roster()).first_pupil_of_each_class().items():
            class_days: set[dt.date] = set()
            finals: list[str] = []
            for row in await self.periods_of_class(class_id, student_id):
                period_id = str(row.get("id") or "").lower()
                kind = m.period_kind(str(row.get("name") or ""))
                if not period_id or kind is None:
                    continue  # «Текущая неделя» is a view of the marks page, not a period
                rows.setdefault(period_id, row)
                if str(row.get("name") or "").strip() == m.FINAL_PERIOD:
                    finals.append(period_id)
                    continue
                found = await self._period_days(student_id, class_id, period_id)
                days[period_id].update(found)
                class_days.update(found)
            for period_id in finals:
                days[period_id].update(class_days)
        for period_id, row in rows.items():
            if not days[period_id]:
                # Not yet, not wrong: it is dated by its lessons and has none yet; skipping it as a record would
                # make every run partial until the year's last period begins.
                log.info("ecp.period_not_begun", period=period_id, name=str(row.get("name") or ""))
                continue
            record = self._map(Entity.PERIODS, period_id, m.reporting_period, row, days=days[period_id])
            if record is not None:
                yield Remote(record.id, record, raw=row)

    # --- lessons and homework -----------------------------------------------------------------------------

    def _pages(self, span: DateRange, roster: Roster) -> list[weeks.Week]:
        """The weeks of the range the platform pages: those of the school year the roster belongs to. The pages
        kept of other weeks are dropped: a range read after another no longer needs them."""
        found = [w for w in weeks.weeks_in(span) if w.school_year == roster.academic_year]
        self.week_pages.keep_only(found)
        return found

    def _check_week(self, model: Json, week: weeks.Week, path: str) -> None:
        begin = m.local_date(model.get("beginDate"), what=f"{path} week {week.number}")
        if begin != week.monday:
            raise ConnectorError(
                f"{path} page {week.number} of {week.school_year} begins on {begin}, not on {week.monday} as the "
                "captured replies' week numbering says; the platform numbers weeks differently this year, so the "
                "connector does not guess which page holds a date. Report this with the reply",
                platform=self.platform,
            )

    async def _schedule(self, student_id: str, week: weeks.Week) -> list[tuple[dt.date, Json]]:
        return await self.week_pages.page("schedule", student_id, week, lambda: self._fetch_schedule(student_id, week))

    async def _fetch_schedule(self, student_id: str, week: weeks.Week) -> list[tuple[dt.date, Json]]:
        reply = await self._get("schedule", studentId=student_id, pageNumber=week.number)
        model = reply.get("scheduleModel")
        if not isinstance(model, dict):
            return []
        self._check_week(model, week, "schedule")
        out = []
        for day in model.get("days") or []:
            date = m.local_date(day.get("date"), what="schedule day")
            out += [(date, les) for les in day.get("scheduleDayLessonModels") or [] if isinstance(les, dict)]
        return out

    async def _week_lessons(self, week: weeks.Week, span: DateRange, roster: Roster) -> _WeekLessons:
        found = _WeekLessons()
        fetch: Callable[[str], Any] = lambda s: self._schedule(s, week)  # noqa: E731
        async for student_id, lessons in self._each(roster.pupils(), fetch):
            for day, row in lessons:
                lesson_id = str(row.get("id") or row.get("lessonid") or "").lower()
                if not lesson_id or not span.start <= day <= span.end:
                    continue
                found.rows.setdefault(lesson_id, (row, day, roster.homeroom_of[student_id], student_id))
                found.seen_by[lesson_id].add(student_id)
        return found

    async def _homework_of(self, student_id: str, days: list[dt.date]) -> dict[str, str]:
        """Homework on the given days of one pupil, walking the day pages by `nextDate` (days without homework
        are never asked for)."""
        texts: dict[str, str] = {}
        at = 0
        while at < len(days):
            reply = await self._get("homework", studentId=student_id, date=days[at].isoformat())
            texts.update(m.homework_texts(reply))
            next_date = (reply.get("pagination") or {}).get("nextDate")
            if not next_date:
                break
            at = max(at + 1, bisect.bisect_left(days, m.local_date(next_date, what="homework nextDate")))
        return texts

    async def _homework(self, week: _WeekLessons) -> dict[str, str]:
        """Homework for every lesson of the week, asking as few pupils as cover all its lessons."""
        uncovered = set(week.rows)
        lessons_of: defaultdict[str, set[str]] = defaultdict(set)
        for lesson_id, students in week.seen_by.items():
            for student_id in students:
                lessons_of[student_id].add(lesson_id)
        cover: list[tuple[str, list[dt.date]]] = []
        while uncovered:
            student_id = max(sorted(lessons_of), key=lambda s: len(lessons_of[s] & uncovered))
            mine = lessons_of[student_id] & uncovered
            uncovered -= mine
            cover.append((student_id, sorted({week.rows[lesson][1] for lesson in mine})))
        texts: dict[str, str] = {}
        fetch: Callable[[tuple[str, list[dt.date]]], Any] = lambda pair: self._homework_of(*pair)  # noqa: E731
        async for _, found in self._each(cover, fetch):
            texts.update(found)
        return texts

    async def lessons(self, span: DateRange) -> AsyncIterator[Remote[Lesson]]:
        """Every pupil's schedule, week by week (only the weeks the range touches), with the homework set."""
        roster = await self.roster()
        for week in self._pages(span, roster):
            found = await self._week_lessons(week, span, roster)
            homework = await self._homework(found) if found.rows else {}
            for lesson_id, (row, day, homeroom, student_id) in sorted(
                found.rows.items(), key=lambda kv: (kv[1][1], kv[1][0].get("number") or 0, kv[0])
            ):
                subject_id = await self._subject_id(student_id, row.get("lessonName"))
                if subject_id is None:
                    self._skip_unknown_subject(Entity.LESSONS, lesson_id)
                    continue
                lesson = self._map(
                    Entity.LESSONS,
                    lesson_id,
                    m.lesson,
                    row,
                    day=day,
                    homeroom_id=homeroom,
                    subject_id=subject_id,
                    homework=homework.get(lesson_id),
                )
                if lesson is not None:
                    yield Remote(lesson_id, lesson, raw=row)

    def _skip_unknown_subject(self, entity: Entity, remote_id: str) -> None:
        reason = "its subject name is not among the pupil's subjects (estimate/subjects), so it has no subject id"
        self.skipped.append(Skipped(entity, remote_id, reason))
        log.warning("record skipped", platform=self.platform, entity=entity.value, remote_id=remote_id)

    # --- marks and presence -------------------------------------------------------------------------------

    async def _week_table(self, student_id: str, week: weeks.Week) -> list[tuple[dt.date, Json]]:
        """The pupil's marks and presence of one week: fetched once, read by both marks() and attendance()."""
        return await self.week_pages.page(
            "estimate", student_id, week, lambda: self._fetch_week_table(student_id, week)
        )

    async def _fetch_week_table(self, student_id: str, week: weeks.Week) -> list[tuple[dt.date, Json]]:
        roster = await self.roster()
        class_id = roster.homeroom_of[student_id]
        periods = await self.periods_of_class(class_id, student_id)
        week_period = next((p.get("id") for p in periods if str(p.get("name") or "").strip() == m.WEEK_PERIOD), None)
        reply = await self._get(
            "estimate",
            studentId=student_id,
            classId=class_id,
            schoolYear=str(roster.academic_year),
            periodId=week_period,
            weekNumber=week.number,
        )
        table = reply.get("weekGradesTable")
        if not isinstance(table, dict):
            return []
        self._check_week(table, week, "estimate")
        out = []
        for day in table.get("days") or []:
            date = m.local_date(day.get("date"), what="marks day")
            out += [(date, g) for g in day.get("lessonGrades") or [] if isinstance(g, dict)]
        return out

    async def _journal(self, span: DateRange) -> AsyncIterator[tuple[str, dt.date, Json]]:
        """(pupil, day, lessonGrades item) for every day of the range, week by week."""
        roster = await self.roster()
        for class_id, student_id in roster.first_pupil_of_each_class().items():
            await self.periods_of_class(class_id, student_id)  # once per class, before the pupils run at once
        pairs = [(s, w) for w in self._pages(span, roster) for s in roster.pupils()]
        fetch: Callable[[tuple[str, weeks.Week]], Any] = lambda pair: self._week_table(*pair)  # noqa: E731
        async for (student_id, _), rows in self._each(pairs, fetch):
            for day, row in rows:
                if span.start <= day <= span.end:
                    yield student_id, day, row

    async def marks(self, span: DateRange) -> AsyncIterator[Remote[Mark]]:
        async for student_id, day, row in self._journal(span):
            if not row.get("grades"):
                continue
            remote = f"{student_id}:{row.get('lessonId')}"
            subject_id = await self._subject_id(student_id, row.get("name"))
            if subject_id is None:
                self._skip_unknown_subject(Entity.MARKS, remote)
                continue
            marks = self._map(
                Entity.MARKS, remote, m.lesson_marks, row, student_id=student_id, day=day, subject_id=subject_id
            )
            for mark in marks or []:
                yield Remote(mark.id, mark, raw=row)

    async def attendance(self, span: DateRange) -> AsyncIterator[Remote[Attendance]]:
        async for student_id, _, row in self._journal(span):
            remote = f"{row.get('lessonId')}:{student_id}"
            record = self._map(Entity.ATTENDANCE, remote, m.presence, row, student_id=student_id)
            if record is not None:
                yield Remote(f"{record.lesson_id}:{record.person_id}", record, raw=row)

    async def _year_table(self, student_id: str) -> tuple[str | None, list[Json]]:
        roster = await self.roster()
        class_id = roster.homeroom_of[student_id]
        periods = await self.periods_of_class(class_id, student_id)
        final = next((p.get("id") for p in periods if str(p.get("name") or "").strip() == m.FINAL_PERIOD), None)
        if not isinstance(final, str):
            return None, []
        reply = await self._get(
            "estimate", studentId=student_id, classId=class_id, schoolYear=str(roster.academic_year), periodId=final
        )
        table = reply.get("yearGradesTable") or {}
        return final.lower(), [r for r in table.get("lessonGrades") or [] if isinstance(r, dict)]

    async def final_marks(self) -> AsyncIterator[Remote[Mark]]:
        """Period and year finals from each pupil's «Итоговые оценки» table."""
        async for student_id, (final, rows) in self._each((await self.roster()).pupils(), self._year_table):
            for row in rows:
                subject = (row.get("lesson") or {}).get("id")
                marks = self._map(
                    Entity.FINAL_MARKS,
                    f"{student_id}:{subject}",
                    m.year_table_finals,
                    row,
                    student_id=student_id,
                    year_period_id=final,
                )
                for mark in marks or []:
                    yield Remote(mark.id, mark, raw=row)

    # --- writes: contingent through edu-upload ------------------------------------------------------------

    async def write(self, entity: Entity, op: Op, records: Sequence[Any]) -> list[WriteResult]:
        """Pupils and representatives (connectors.ecp.contingent) pushed as the students and representatives
        tables; CREATE and UPDATE are the same upsert, DELETE sends the key columns. Answers per record."""
        self.capabilities.require(self.platform, entity, op)
        deleting = op is Op.DELETE
        answers: list[WriteResult | None] = [None] * len(records)
        rows: dict[str, list[tuple[int, Row]]] = {STUDENTS.name: [], REPRESENTATIVES.name: []}
        keys: set[str] = set()
        for index, record in enumerate(records):
            key = _key_of(record)
            try:
                if key in keys:
                    raise ValidationError("the same record twice in one batch; send it once", record=key)
                keys.add(key)
                table_name, values = self._row(record, deleting=deleting)
                if any("\n" in v or "\r" in v for v in values.values()):
                    raise ValidationError("a value holds a line break, which the CSV upload cannot carry", record=key)
            except ValidationError as exc:
                answers[index] = WriteResult(key, ok=False, error=str(exc))
                continue
            rows[table_name].append((index, Row(key, values)))
        # Pupils land before the representatives that refer to them; deletes go the other way round.
        order = (REPRESENTATIVES, STUDENTS) if deleting else (STUDENTS, REPRESENTATIVES)
        outage: WriteResult | None = None
        for table in order:
            batch = rows[table.name]
            if not batch:
                continue
            if outage is not None:
                for index, row in batch:
                    answers[index] = WriteResult(row.key, ok=False, error=outage.error, retryable=True)
                continue
            landed = await self.upload.push(table, [row for _, row in batch], deleting=deleting)
            for index, row in batch:
                answers[index] = landed[row.key]
            outage = next((r for r in landed.values() if r.retryable), None)
        return [a if a is not None else WriteResult("?", ok=False, error="not sent") for a in answers]

    def _row(self, record: Any, *, deleting: bool) -> tuple[str, dict[str, str]]:
        if isinstance(record, Pupil):
            if deleting:
                return STUDENTS.name, {"student_id": record.person.id}
            values = m.pupil_row(
                record.person,
                class_name=record.class_name,
                org_ogrn=self.org_ogrn or "",
                admission_date=record.admission_date,
            )
            return STUDENTS.name, values
        if isinstance(record, Representative):
            values = m.representative_row(record.person, record.link)
            if deleting:
                values = {k: values[k] for k in REPRESENTATIVES.key}
            return REPRESENTATIVES.name, values
        raise ValidationError(
            f"ГИС ЕЦП takes persons as Pupil(person, class_name) or Representative(person, link), "
            f"not {type(record).__name__}",
            record=_key_of(record),
        )


def _key_of(record: Any) -> str:
    if isinstance(record, Pupil | Representative):
        return record.key
    return str(getattr(record, "id", "?"))
