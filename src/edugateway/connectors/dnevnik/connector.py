"""Дневник.ру partner API v2 (and ИСУОД «Школьный портал», which is the same API at another base URL).

Rosters are read group by group (the API has no "all students of a school" call), persons are completed
with `POST users/many` in batches, and the journal (lessons, marks, attendance) is read per group in
windows of at most 30 days, the cap real clients observe. The times that say when a record was entered are
placed in the school's UTC offset (`schools/{s}`), and lessons get their bell times from their group's
timetable (read once per timetable). Writes exist only for marks, finals (marks on a group's
PeriodMark/YearMark works), attendance, homework and the works marks are given for (KeepsJournalWorks); persons
and classes are not created through the partner API (docs/platforms/dnevnik.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from edugateway.connectors.base import (
    Capabilities,
    DateRange,
    Op,
    PlatformWork,
    Remote,
    Skipped,
    WorkOrder,
    WriteResult,
    map_or_skip,
)
from edugateway.connectors.dnevnik import works as w
from edugateway.connectors.http import RETRYABLE, PlatformClient
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
    Role,
    SchoolClass,
    Subject,
    WorkType,
)
from edugateway.errors import ConnectorError, PlatformRejected, ValidationError
from edugateway.logs import get_logger
from edugateway.mapping import dnevnik as m

log = get_logger(__name__)

Json = dict[str, Any]
T = TypeVar("T")
X = TypeVar("X")

MAX_WINDOW_DAYS = 30
USERS_BATCH = 100
HOMEWORK = "Homework"

CAPABILITIES = Capabilities(
    {
        Entity.PERSONS: Op.READ,
        Entity.CLASSES: Op.READ,
        Entity.ENROLLMENTS: Op.READ,
        Entity.SUBJECTS: Op.READ,
        Entity.PERIODS: Op.READ,
        Entity.TIMETABLE: Op.READ,
        Entity.LESSONS: Op.READ,
        Entity.MARKS: Op.READ | Op.CREATE | Op.UPDATE | Op.DELETE,
        Entity.FINAL_MARKS: Op.READ | Op.CREATE | Op.UPDATE | Op.DELETE,  # marks on the group's final works
        Entity.ATTENDANCE: Op.READ | Op.CREATE | Op.UPDATE | Op.DELETE,
        Entity.HOMEWORK: Op.READ | Op.CREATE | Op.UPDATE,
    }
)
# Work kinds that carry period and year final marks; their marks are read through final-marks, not marks.
FINAL_WORK_KINDS = w.FINAL_WORK_KINDS


def _day(value: dt.date) -> str:
    return value.isoformat()


class DnevnikConnector:
    """One school on Дневник.ру. `school_id` is the platform's id of the school (schools[].id_str)."""

    capabilities = CAPABILITIES
    year_period_id = m.YEAR_PERIOD  # FilesYearFinalsUnderSyntheticPeriod: the platform has no year period

    def __init__(self, client: PlatformClient, school_id: str, *, platform: str = "dnevnik") -> None:
        self.client = client
        self.school_id = school_id
        self.platform = platform
        self._groups: list[Json] | None = None
        self._members: dict[str, list[Json]] = {}
        # Per lesson: (subject id, {work id: work type}); what marks need from lessons, kept small.
        self._lesson_index: dict[str, tuple[str | None, dict[str, str]]] = {}
        self._indexed_windows: set[tuple[str, dt.date, dt.date]] = set()
        self._work_type_rows: list[Json] | None = None  # work-types/{school}, read once
        self._zone: dt.tzinfo | None = None
        self._zone_read = False
        self._timetables: dict[str, m.Bells] = {}  # by the group's timetable id
        self._group_periods: dict[str, list[Json]] = {}  # a final work's period id is found among these
        self.skipped: list[Skipped] = []

    async def aclose(self) -> None:
        await self.client.aclose()

    def _map(
        self, entity: Entity, row: Json, build: Callable[..., T], *args: Any, key: str = "id", **kw: Any
    ) -> T | None:
        """`build(*args, **kw)` or None; a record that cannot be mapped goes to `skipped`, logged by id only."""
        remote_id = row.get(f"{key}_str") or row.get(f"{key}Str") or row.get(key) or "?"
        record = map_or_skip(self.skipped, entity, remote_id, build, *args, **kw)
        if record is None:
            log.warning("record skipped", platform=self.platform, entity=entity.value, remote_id=str(remote_id))
        return record

    async def _get_list(self, path: str, **params: Any) -> list[Json]:
        data = await self.client.get_json(path, params=params or None)
        if not isinstance(data, list):
            raise ConnectorError(
                f"expected a JSON array from {path}, got {type(data).__name__}; the API changed or the base_url "
                "does not point at the partner API (it should end in /v2.0/ or /v2/)",
                platform=self.platform,
            )
        return [row for row in data if isinstance(row, dict)]

    # --- roster ---------------------------------------------------------------------------------------

    async def groups(self) -> list[Json]:
        """The school's edu-groups, classes first then subgroups; read once per connector."""
        if self._groups is None:
            rows = await self._get_list(f"schools/{self.school_id}/edu-groups")
            active = [g for g in rows if g.get("status", "Active") == "Active"]
            self._groups = sorted(active, key=lambda g: (g.get("type") == "Subgroup", g.get("name") or ""))
        return self._groups

    async def members(self, group_id: str) -> list[Json]:
        if group_id not in self._members:
            self._members[group_id] = await self._get_list(f"edu-groups/{group_id}/persons")
        return self._members[group_id]

    async def classes(self) -> AsyncIterator[Remote[SchoolClass]]:
        for group in await self.groups():
            subjects = group.get("subjects") or []
            subject_id = m.ident(subjects[0]) if subjects else None
            record = self._map(Entity.CLASSES, group, m.edu_group, group, subject_id=subject_id)
            if record is not None:
                yield Remote(m.ident(group), record, raw=group)

    async def subjects(self) -> AsyncIterator[Remote[Subject]]:
        for row in await self._get_list(f"schools/{self.school_id}/subjects"):
            record = self._map(Entity.SUBJECTS, row, m.subject, row)
            if record is not None:
                yield Remote(m.ident(row), record, raw=row)

    def _per_group(self, groups: list[Json], fetch: Callable[[str], Awaitable[X]]) -> AsyncIterator[tuple[Json, X]]:
        """`fetch(group id)` for each group, up to max_concurrency at once, streamed back in order."""
        return ordered(groups, lambda group: fetch(m.ident(group)), self.client.policy.max_concurrency)

    async def _classes_only(self) -> list[Json]:
        return [g for g in await self.groups() if g.get("type") != "Subgroup"]

    async def _members_with_users(self, group_id: str) -> tuple[list[Json], dict[str, Json]]:
        members = await self.members(group_id)
        return members, await self._users(members)

    async def persons(self) -> AsyncIterator[Remote[Person]]:
        """Students (members of the classes; a subgroup's are its class's too) completed from their users,
        then the school's teachers."""
        seen: set[str] = set()
        async for _, (members, users) in self._per_group(await self._classes_only(), self._members_with_users):
            fresh = [p for p in members if m.ident(p) not in seen]
            seen.update(m.ident(p) for p in fresh)
            for row in fresh:
                user = users.get(m.opt_ident(row, "userId") or "")
                student = self._map(Entity.PERSONS, row, m.person, row, roles=frozenset({Role.STUDENT}), user=user)
                if student is not None:
                    yield Remote(m.ident(row), student, raw=row)
        for row in await self._get_list(f"schools/{self.school_id}/teachers"):
            person_id = m.ident(row, "Id")
            if person_id in seen:
                continue
            seen.add(person_id)
            teacher = self._map(Entity.PERSONS, row, m.teacher, row, key="Id")
            if teacher is not None:
                yield Remote(person_id, teacher, raw=row)

    async def _users(self, persons: Iterable[Json]) -> dict[str, Json]:
        ids = [uid for p in persons if (uid := m.opt_ident(p, "userId"))]
        out: dict[str, Json] = {}
        for start in range(0, len(ids), USERS_BATCH):
            batch = ids[start : start + USERS_BATCH]
            response = await self.client.request("POST", "users/many", json=[int(i) for i in batch])
            for user in response.json():
                out[m.ident(user)] = user
        return out

    async def enrollments(self) -> AsyncIterator[Remote[Enrollment]]:
        async for group, members in self._per_group(await self.groups(), self.members):
            group_id = m.ident(group)
            for row in members:
                person_id = m.ident(row)
                key = f"{group_id}:{person_id}"
                record = Enrollment(id=key, person_id=person_id, class_id=group_id, role=EnrollmentRole.STUDENT)
                yield Remote(key, record, raw=row)

    async def periods(self) -> AsyncIterator[Remote[ReportingPeriod]]:
        """Reporting periods are set per group; most schools share one set, so they are deduplicated."""
        seen: set[str] = set()
        async for _, rows in self._per_group(await self._classes_only(), self._periods_of):
            for row in rows:
                if m.ident(row) not in seen:
                    seen.add(m.ident(row))
                    period = self._map(Entity.PERIODS, row, m.reporting_period, row)
                    if period is not None:
                        yield Remote(m.ident(row), period, raw=row)

    async def _periods_of(self, group_id: str) -> list[Json]:
        return await self._get_list(f"edu-groups/{group_id}/reporting-periods")

    # --- journal --------------------------------------------------------------------------------------

    async def _windows(self, span: DateRange) -> list[tuple[str, DateRange]]:
        """Every (group, window of ≤ 30 days) the span needs, in order."""
        windows = list(span.windows(MAX_WINDOW_DAYS))
        return [(m.ident(group), window) for group in await self.groups() for window in windows]

    def _each(
        self, pairs: list[tuple[str, DateRange]], fetch: Callable[[str, DateRange], Awaitable[list[Json]]]
    ) -> AsyncIterator[tuple[tuple[str, DateRange], list[Json]]]:
        """The windows read up to max_concurrency at once, streamed back in order."""
        return ordered(pairs, lambda pair: fetch(*pair), self.client.policy.max_concurrency)

    async def _lessons_in(self, group_id: str, window: DateRange) -> list[Json]:
        rows = await self._get_list(f"edu-groups/{group_id}/lessons/{_day(window.start)}/{_day(window.end)}")
        for row in rows:
            self._index_lesson(row)
        self._indexed_windows.add((group_id, window.start, window.end))
        return rows

    def _index_lesson(self, row: Json) -> None:
        works = {m.ident(w): str(w.get("type") or "") for w in row.get("works") or [] if isinstance(w, dict)}
        subject = row.get("subject") or {}
        self._lesson_index[m.ident(row)] = (m.ident(subject) if subject else None, works)

    async def _index_lessons_of(self, marks: list[Json]) -> None:
        """Marks are read by the day they were given: a late one's lesson lies before the window, so it is read
        by id, or the mark's work (and so whether it is a work mark) would be unknown."""
        for lesson_id in sorted(
            {lid for row in marks if (lid := m.opt_ident(row, "lesson"))} - self._lesson_index.keys()
        ):
            row = await self.client.get_json(f"lessons/{lesson_id}")
            if isinstance(row, dict):
                self._index_lesson(row)

    async def zone(self) -> dt.tzinfo | None:
        """The UTC offset the school's local times are in (School `timeZone`), read once; None when the platform
        does not say, and then no entry time or bell time is mapped rather than one in a guessed zone."""
        if not self._zone_read:
            school = await self.client.get_json(f"schools/{self.school_id}")
            self._zone = m.school_zone(school) if isinstance(school, dict) else None
            self._zone_read = True
            if self._zone is None:
                log.warning("school time zone unknown; entry times not read", platform=self.platform)
        return self._zone

    async def timetable(self, group_id: str) -> m.Bells:
        """The bell times of a group's lessons, read once per timetable (classes and subgroups share one)."""
        group = next((g for g in await self.groups() if m.ident(g) == group_id), {})
        key = m.opt_ident(group, "timetable") or f"group:{group_id}"
        if key not in self._timetables:
            rows = await self._get_list(f"edu-groups/{group_id}/timetables")
            try:
                self._timetables[key] = m.bells(rows)
            except ValidationError as exc:  # the lessons still count; only their bell times stay unknown
                log.warning("timetable unreadable; lesson times not read", platform=self.platform, group=group_id)
                self.skipped.append(Skipped(Entity.TIMETABLE, key, str(exc)))
                self._timetables[key] = m.Bells(())
        return self._timetables[key]

    async def lessons(self, span: DateRange) -> AsyncIterator[Remote[Lesson]]:
        zone = await self.zone()
        async for (group_id, _), rows in self._each(await self._windows(span), self._lessons_in):
            timetable = await self.timetable(group_id) if zone is not None and rows else None
            for row in rows:
                homework = "\n".join(
                    str(w.get("text") or "").strip()
                    for w in row.get("works") or []
                    if isinstance(w, dict) and w.get("type") == HOMEWORK and w.get("text")
                )
                lesson = self._map(
                    Entity.LESSONS, row, m.lesson, row, homework=homework or None, zone=zone, timetable=timetable
                )
                if lesson is not None:
                    yield Remote(m.ident(row), lesson, raw=row)

    async def _work_type_list(self) -> list[Json]:
        if self._work_type_rows is None:
            self._work_type_rows = await self._get_list(f"work-types/{self.school_id}")
        return self._work_type_rows

    async def final_work_types(self) -> set[str]:
        """Ids of the school's work types that hold period and year finals (read once)."""
        return {m.ident(r) for r in await self._work_type_list() if r.get("kind") in FINAL_WORK_KINDS}

    async def work_types(self) -> list[WorkType]:
        """The school's work types with their titles (NamesWorkTypes), from the same single read as the finals'.
        A row without an id or title is left out (logged by id): its marks show the id instead of a title."""
        found: list[WorkType] = []
        for row in await self._work_type_list():
            try:
                found.append(m.work_type(row))
            except ValidationError:
                log.warning("work type skipped", platform=self.platform, remote_id=str(row.get("id") or "?"))
        return found

    async def marks(self, span: DateRange) -> AsyncIterator[Remote[Mark]]:
        """Lesson and work marks; the window's lessons are read first (once) for subjects and work types.

        A group's marks by date include the finals entered in the window (works of kind PeriodMark/YearMark,
        with no lesson); those are read through final-marks and left out here."""
        seen: set[str] = set()
        finals = await self.final_work_types()
        async for _, rows in self._each(await self._windows(span), self._marks_in):
            for row in rows:
                mark_id = m.ident(row)
                if mark_id in seen:
                    continue
                seen.add(mark_id)
                if not m.opt_ident(row, "lesson") and str(row.get("workType")) in finals:
                    continue
                subject_id, works = self._lesson_index.get(m.opt_ident(row, "lesson") or "", (None, {}))
                work_id = m.opt_ident(row, "work")
                work = {"type": works.get(work_id, ""), "workType": row.get("workType")} if work_id in works else None
                mark = self._map(Entity.MARKS, row, m.mark, row, work=work, subject_id=subject_id)
                if mark is not None:
                    yield Remote(mark_id, mark, raw=row)

    async def _marks_in(self, group_id: str, window: DateRange) -> list[Json]:
        if (group_id, window.start, window.end) not in self._indexed_windows:
            await self._lessons_in(group_id, window)
        rows = await self._get_list(f"edu-groups/{group_id}/marks/{_day(window.start)}/{_day(window.end)}")
        await self._index_lessons_of(rows)
        return rows

    async def _finals_of(self, group_id: str) -> list[Json]:
        return await self._get_list(f"edu-groups/{group_id}/final-marks")

    async def final_marks(self) -> AsyncIterator[Remote[Mark]]:
        async for _, rows in self._per_group(await self._classes_only(), self._finals_of):
            for row in rows:
                marks = self._map(Entity.FINAL_MARKS, row, m.final_marks, row, key="person") or []
                for mark in marks:
                    yield Remote(mark.id, mark, raw=row)

    async def _log_entries_in(self, group_id: str, window: DateRange) -> list[Json]:
        path = f"lesson-log-entries/group/{group_id}"
        return await self._get_list(path, **{"from": _day(window.start), "to": _day(window.end)})

    async def attendance(self, span: DateRange) -> AsyncIterator[Remote[Attendance]]:
        zone = await self.zone()
        async for _, rows in self._each(await self._windows(span), self._log_entries_in):
            for row in rows:
                record = self._map(Entity.ATTENDANCE, row, m.attendance, row, key="lesson", zone=zone)
                if record is not None:
                    yield Remote(f"{record.lesson_id}:{record.person_id}", record, raw=row)

    async def search_by_snils(self, snils: str) -> list[str]:
        """Person ids the platform finds for a SNILS (the platform never returns the SNILS itself)."""
        rows = await self._get_list("persons/search", snils=snils)
        return [m.ident(r) for r in rows]

    # --- writes ---------------------------------------------------------------------------------------

    async def write(self, entity: Entity, op: Op, records: Sequence[Any]) -> list[WriteResult]:
        """Marks, attendance and homework, one call per record; a refused record is a failed result, not an
        exception."""
        self.capabilities.require(self.platform, entity, op)
        results: list[WriteResult] = []
        for record in records:
            try:
                results.append(await self._write_one(entity, op, record))
            except (ConnectorError, ValidationError) as exc:
                results.append(
                    WriteResult(key=_key_of(record), ok=False, error=str(exc), retryable=isinstance(exc, RETRYABLE))
                )
        return results

    async def _write_one(self, entity: Entity, op: Op, record: Any) -> WriteResult:
        if entity in (Entity.MARKS, Entity.FINAL_MARKS) and isinstance(record, Mark):
            return await self._write_mark(op, record)  # a final is a mark on the group's final work
        if entity is Entity.ATTENDANCE and isinstance(record, Attendance):
            return await self._write_attendance(op, record)
        if entity is Entity.HOMEWORK and isinstance(record, Lesson):
            return await (self._change_homework(record) if op is Op.UPDATE else self._write_homework(record))
        raise ValidationError(f"cannot write {type(record).__name__} as {entity.value} to {self.platform}")

    async def _write_mark(self, op: Op, mark: Mark) -> WriteResult:
        if op is Op.CREATE:
            work_id = mark.work_type  # the caller names the platform work the mark is for
            if not work_id:
                raise ValidationError(f"mark {mark.id}: the platform work id is needed to create a mark")
            body = {"value": m.mark_code(mark.value), "date": mark.date.isoformat() if mark.date else None}
            response = await self.client.request("POST", f"persons/{mark.person_id}/works/{work_id}/mark", json=body)
            return WriteResult(key=mark.id, ok=True, remote_id=m.ident(response.json()))
        if op is Op.UPDATE:
            await self.client.request("PUT", f"marks/{mark.id}", json={"value": m.mark_code(mark.value)})
            return WriteResult(key=mark.id, ok=True, remote_id=mark.id)
        await self.client.request("DELETE", f"marks/{mark.id}")
        return WriteResult(key=mark.id, ok=True, remote_id=mark.id)

    async def _write_homework(self, lesson: Lesson) -> WriteResult:
        """Homework is a work of type Homework on the lesson (`lesson.id` is the platform's lesson id)."""
        if not lesson.homework:
            raise ValidationError("no homework text to send", record=f"lesson {lesson.id}", field="homework")
        body = {"lesson": lesson.id, "type": HOMEWORK, "text": lesson.homework, "markCount": 0}
        response = await self.client.request("POST", "works", json=body)
        return WriteResult(key=lesson.id, ok=True, remote_id=m.ident(response.json()))

    async def _change_homework(self, lesson: Lesson) -> WriteResult:
        """The text of the lesson's Homework work is replaced (`PUT works/{id}`); a lesson without one is refused."""
        if not lesson.homework:
            raise ValidationError("no homework text to send", record=f"lesson {lesson.id}", field="homework")
        work = next((x for x in await self.lesson_works(lesson.id) if x.kind == HOMEWORK), None)
        if work is None:
            raise ValidationError("the platform lesson has no homework to change", record=f"lesson {lesson.id}")
        await self.client.request("PUT", f"works/{work.id}", json={"text": lesson.homework})
        return WriteResult(key=lesson.id, ok=True, remote_id=work.id)

    # --- works (KeepsJournalWorks) ----------------------------------------------------------------------

    async def _periods_of_group(self, group_id: str) -> list[Json]:
        if group_id not in self._group_periods:
            self._group_periods[group_id] = await self._periods_of(group_id)
        return self._group_periods[group_id]

    async def _platform_work(self, row: Json) -> PlatformWork:
        periods = await self._periods_of_group(m.ident(row, "eduGroup")) if row.get("type") == "PeriodMark" else []
        return w.platform_work(row, periods)

    async def lesson_works(self, lesson_id: str) -> list[PlatformWork]:
        return [await self._platform_work(row) for row in await self._get_list(f"lessons/{lesson_id}/works")]

    async def final_works(self, group_id: str) -> list[PlatformWork]:
        """The group's final works that hold a final. The API lists works only by lesson or by id, and final
        works have no lesson: they are found through the marks `edu-groups/{g}/final-marks` serves, then read
        with `POST works/many`. A final work no one has a mark on yet is not found this way."""
        ids: list[int] = []
        for row in await self._finals_of(group_id):
            for entry in row.get("per-subject-final-marks") or []:
                work_id = m.opt_ident(entry.get("final-mark") or {}, "work")
                if work_id and int(work_id) not in ids:
                    ids.append(int(work_id))
        if not ids:
            return []
        response = await self.client.request("POST", "works/many", json=ids)
        rows = [row for row in response.json() if isinstance(row, dict) and row.get("type") in FINAL_WORK_KINDS]
        return [await self._platform_work(row) for row in rows]

    async def create_work(self, order: WorkOrder) -> PlatformWork:
        try:
            response = await self.client.request("POST", "works", json=w.order_body(order))
        except PlatformRejected as exc:
            reason = exc.body.get("description") if isinstance(exc.body, dict) else None
            raise ValidationError(
                f"{self.platform} refused the {order.kind} work: {reason or exc}", record=f"group {order.group_id}"
            ) from exc
        return await self._platform_work(response.json())

    async def lesson_attendance(self, lesson_id: str) -> list[Attendance]:
        zone = await self.zone()
        entries = (
            self._map(Entity.ATTENDANCE, row, m.attendance, row, key="lesson", zone=zone)
            for row in await self._get_list(f"lessons/{lesson_id}/log-entries")
        )
        return [entry for entry in entries if entry is not None]

    async def work_marks(self, person_id: str, work_id: str) -> list[Remote[Mark]]:
        """Mapped as the pull maps them: a final work's marks as finals, a lesson work's as lesson/work marks."""
        work = await self.client.get_json(f"works/{work_id}")
        if not isinstance(work, dict):
            raise ConnectorError(f"expected a Work object from works/{work_id}", platform=self.platform)
        rows = await self._get_list(f"persons/{person_id}/works/{work_id}/marks")
        out: list[Remote[Mark]] = []
        if work.get("type") in FINAL_WORK_KINDS:
            period_id = w.period_of(work, await self._periods_of_group(m.ident(work, "eduGroup")))
            for row in rows:
                final = self._map(Entity.FINAL_MARKS, row, w.final_mark, row, work, period_id)
                if final is not None:
                    out.append(Remote(m.ident(row), final, raw=row))
            return out
        subject_id = m.opt_ident(work, "subjectId")
        for row in rows:
            mark = self._map(Entity.MARKS, row, m.mark, row, work=work, subject_id=subject_id)
            if mark is not None:
                out.append(Remote(m.ident(row), mark, raw=row))
        return out

    async def _write_attendance(self, op: Op, entry: Attendance) -> WriteResult:
        key = f"{entry.lesson_id}:{entry.person_id}"
        path = f"lessons/{entry.lesson_id}/log-entries"
        body = {
            "person": int(entry.person_id),
            "person_str": entry.person_id,
            "lesson": int(entry.lesson_id),
            "lesson_str": entry.lesson_id,
            "status": m.ATTENDANCE_TO_DNEVNIK[entry.code],
        }
        if op is Op.DELETE:
            await self.client.request("DELETE", path, params={"person": entry.person_id})
        else:
            await self.client.request("POST" if op is Op.CREATE else "PUT", path, json=body)
        return WriteResult(key=key, ok=True, remote_id=key)


def _key_of(record: Any) -> str:
    if isinstance(record, Attendance):
        return f"{record.lesson_id}:{record.person_id}"
    return str(getattr(record, "id", "?"))
