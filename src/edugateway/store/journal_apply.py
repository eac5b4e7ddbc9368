"""Apply a parsed journal (store/journal_set.py) to the local database for one school: `import journal`.

Roster ids are resolved to rows (an unknown person, class, subject or period rejects the row, naming the id);
a mark's or an attendance row's lesson is its id or a LessonLocator, found among the school's stored local
lessons and the lessons of the same import. Records are upserted by (school, source id), attendance by
(person, lesson), all with origin "local"; every create, update and delete writes an AuditRow tagged with the
ImportRunRow; a record whose values did not change is not touched, so an identical re-import writes nothing.

A bulk kind deletes the stored LOCAL records of its kind the file no longer has, but only within the span the
file covers (its classes and dates; for finals its subjects and periods of its pupils' classes). Rows pulled
from a platform (origin NULL) are never changed or deleted here. A bulk import that would delete or change more
than `mass_delete_share` of the stored records in its span is refused whole (DataSafetyError) unless
`allow_mass_delete`: the same hold as the roster's.

Everything is planned first (in source-id terms, which the audit keeps) and written only after the hold check.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from edugateway.domain.models import MarkKind, ReportingPeriodKind
from edugateway.errors import DataSafetyError, GatewayError, ValidationError
from edugateway.logs import get_logger
from edugateway.store.db import Database
from edugateway.store.import_runs import record_stopped_import
from edugateway.store.journal_rows import YEAR_PERIOD, final_key
from edugateway.store.journal_set import LOCAL_ORIGIN, JournalKind, LessonLocator, ParsedJournal
from edugateway.store.roster import Incoming, Mode, RowProblem
from edugateway.store.tables import (
    AttendanceRow,
    AuditRow,
    ClassRow,
    EnrollmentRow,
    ImportRunRow,
    LessonRow,
    MarkRow,
    PersonRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)

log = get_logger(__name__)

_FINAL_KINDS = (MarkKind.PERIOD_FINAL.value, MarkKind.YEAR_FINAL.value)
_NAMES = {
    JournalKind.LESSON: "lessons",
    JournalKind.MARK: "marks",
    JournalKind.FINAL: "finals",
    JournalKind.ATTENDANCE: "attendance records",
}


@dataclass
class JournalCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "rejected": self.rejected,
        }


@dataclass
class JournalReport:
    school: str
    source: str
    location: str
    mode: str
    dry_run: bool = False
    run_id: int | None = None
    counts: dict[JournalKind, JournalCounts] = field(default_factory=lambda: {k: JournalCounts() for k in JournalKind})
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.rejected

    def counts_dict(self) -> dict[str, dict[str, int]]:
        return {kind.value: c.as_dict() for kind, c in self.counts.items()}

    def problems_dict(self) -> dict[str, Any]:
        return {
            "rows": [p.as_dict() for p in self.rejected],
            "warnings": [p.as_dict() for p in self.warnings],
            "encodings": self.encodings,
            "notes": self.notes,
        }


def apply_journal(
    db: Database,
    parsed: ParsedJournal,
    school_code: str,
    *,
    mode: Mode | None = None,
    allow_mass_delete: bool = False,
    mass_delete_share: float = 0.10,
    dry_run: bool = False,
) -> JournalReport:
    """Writes `parsed` into the school `school_code` and returns what happened. `mode` overrides the files' modes
    (an absent kind stays absent). Raises DataSafetyError on the mass-change hold (nothing written but the
    refused ImportRunRow), ValidationError when the school is not in the database."""
    if mode is not None:
        parsed = replace(parsed, modes={k: (m if m is Mode.ABSENT else mode) for k, m in parsed.modes.items()})
    modes = sorted({m.value for m in parsed.modes.values() if m is not Mode.ABSENT})
    report = JournalReport(
        school=school_code,
        source=parsed.source,
        location=parsed.location,
        mode=modes[0] if len(modes) == 1 else ("mixed" if modes else "absent"),
        dry_run=dry_run,
        rejected=list(parsed.rejected),
        warnings=list(parsed.warnings),
        encodings=dict(parsed.encodings),
        notes=list(parsed.notes),
    )
    session = db.sessions()
    try:
        _Applier(session, parsed, school_code, report).run(allow_mass_delete, mass_delete_share)
        if dry_run:
            session.rollback()
            report.run_id = None
        else:
            session.commit()
    except GatewayError as exc:
        session.rollback()
        if not dry_run:
            record_stopped_import(db, report, "refused" if isinstance(exc, DataSafetyError) else "failed", exc)
        log.warning("journal.import.stopped", school=school_code, source=parsed.source, error_type=type(exc).__name__)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    totals = {f"{kind}_{k}": v for kind, c in report.counts.items() for k, v in c.as_dict().items() if v}
    log.info("journal.import.done", school=school_code, run_id=report.run_id, dry_run=dry_run, **totals)
    return report


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass
class _Plan:
    """What one kind's import will do: rows to create, rows to update, rows to delete, and the span's size."""

    creates: list[tuple[Any, dict[str, Any], Incoming[Any]]] = field(default_factory=list)
    updates: list[tuple[Any, Any, dict[str, Any], dict[str, Any], Incoming[Any]]] = field(default_factory=list)
    deletes: dict[Any, tuple[Any, dict[str, Any], str]] = field(default_factory=dict)  # key -> (row, old, why)
    in_span: int = 0  # stored local records in the span a bulk file covers
    bulk_deletes: int = 0


class _Applier:
    def __init__(self, session: Session, parsed: ParsedJournal, code: str, report: JournalReport) -> None:
        self.session = session
        self.parsed = parsed
        self.code = code
        self.report = report
        self.actor = f"import:{parsed.source}"
        self.plans = {kind: _Plan() for kind in JournalKind}
        self.audit: list[dict[str, Any]] = []
        self.run_id: int | None = None

    # --- driver ---------------------------------------------------------------------------------------

    def run(self, allow_mass_delete: bool, share: float) -> None:
        school = self.session.scalar(select(SchoolRow).where(SchoolRow.code == self.code).with_for_update())
        if school is None:
            raise ValidationError(
                f"school {self.code!r} is not in the database; import its roster first (edugateway import xlsx or "
                "oneroster), or check --school"
            )
        self.school = school
        self._load(school.id)
        self._plan_lessons()
        self._plan_marks()
        self._plan_finals()
        self._plan_attendance()
        if not allow_mass_delete:
            self._guard(share)
        run = ImportRunRow(
            school_id=school.id,
            source=self.parsed.source,
            mode=self.report.mode,
            location=self.parsed.location,
            status="running",
        )
        self.session.add(run)
        self.session.flush()
        self.run_id = self.report.run_id = run.id
        self._write()
        if self.audit:
            self.session.execute(insert(AuditRow), self.audit)
        run.status = "done"
        run.finished_at = dt.datetime.now(dt.UTC)
        run.counts = self.report.counts_dict()
        run.problems = self.report.problems_dict()

    def _load(self, school_id: int) -> None:
        def rows(table: Any) -> list[Any]:
            return list(self.session.scalars(select(table).where(table.school_id == school_id)))

        self.persons: dict[str, PersonRow] = {r.source_id: r for r in rows(PersonRow)}
        self.classes: dict[str, ClassRow] = {r.source_id: r for r in rows(ClassRow)}
        self.subjects: dict[str, SubjectRow] = {r.source_id: r for r in rows(SubjectRow)}
        self.periods: dict[str, ReportingPeriodRow] = {r.source_id: r for r in rows(ReportingPeriodRow)}
        self.lessons: dict[str, LessonRow] = {r.source_id: r for r in rows(LessonRow)}
        marks = rows(MarkRow)
        self.marks: dict[str, MarkRow] = {r.source_id: r for r in marks if r.kind not in _FINAL_KINDS}
        self.finals: dict[str, MarkRow] = {r.source_id: r for r in marks if r.kind in _FINAL_KINDS}
        self.other_marks = {r.source_id for r in marks}
        self.person_sid = {r.id: sid for sid, r in self.persons.items()}
        self.class_sid = {r.id: sid for sid, r in self.classes.items()}
        self.subject_sid = {r.id: sid for sid, r in self.subjects.items()}
        self.period_sid = {r.id: sid for sid, r in self.periods.items()}
        self.lesson_sid = {r.id: sid for sid, r in self.lessons.items()}
        self.attendance: dict[tuple[str, str], AttendanceRow] = {
            (self.person_sid[r.person_id], self.lesson_sid[r.lesson_id]): r for r in rows(AttendanceRow)
        }
        self.pupil_classes: dict[str, set[str]] = defaultdict(set)
        for e in rows(EnrollmentRow):
            if e.active and e.role == "student":
                self.pupil_classes[self.person_sid[e.person_id]].add(self.class_sid[e.class_id])
        # Where each lesson is (class, day), for spans and locators: the stored local ones, then this import's.
        self.lesson_at: dict[str, tuple[str, dt.date, str, int]] = {
            sid: (self.class_sid[r.class_id], r.date, self.subject_sid[r.subject_id], r.number)
            for sid, r in self.lessons.items()
            if r.origin == LOCAL_ORIGIN
        }

    # --- shared ---------------------------------------------------------------------------------------

    def _reject(self, kind: JournalKind, inc: Incoming[Any], reason: str) -> None:
        self.report.rejected.append(RowProblem(inc.file, inc.line, reason))
        self.report.counts[kind].rejected += 1

    def _warn(self, file: str, line: int, reason: str) -> None:
        self.report.warnings.append(RowProblem(file, line, reason))

    def _unknown(self, what: str, sid: str | None, rows: dict[str, Any]) -> list[str]:
        if sid is None or (sid in rows and getattr(rows[sid], "active", True)):
            return []
        return [f"{what} {sid!r} is unknown: not an active {what} of school {self.code} (import the roster first)"]

    def _plan_save(
        self, kind: JournalKind, key: Any, row: Any, values: dict[str, Any], old: dict[str, Any] | None, inc: Any
    ) -> None:
        plan = self.plans[kind]
        if row is None:
            plan.creates.append((key, values, inc))
            return
        changes = {
            k: [_json(old.get(k) if old else None), _json(v)] for k, v in values.items() if (old or {}).get(k) != v
        }
        if changes:
            plan.updates.append((key, row, values, changes, inc))
        else:
            self.report.counts[kind].unchanged += 1

    def _plan_delete(self, kind: JournalKind, key: Any, row: Any, old: dict[str, Any], why: str) -> None:
        self.plans[kind].deletes.setdefault(key, (row, old, why))

    def _explicit_deletions(
        self,
        kind: JournalKind,
        resolve: Callable[[str], Any],
        stored: Callable[[Any], tuple[Any, dict[str, Any]] | None],
    ) -> set[Any]:
        """The rows marked «Удалить»: planned for deletion when they are stored local records."""
        keys: set[Any] = set()
        for d in self.parsed.deletions:
            if d.kind is not kind:
                continue
            key = resolve(d.key)
            found = stored(key) if key is not None else None
            if found is None:
                self._warn(
                    d.file, d.line, f"{kind} {d.key!r} marked deleted is not in the school's journal; nothing to delete"
                )
                continue
            row, old = found
            if row.origin != LOCAL_ORIGIN:
                self._warn(
                    d.file, d.line, f"{kind} {d.key!r} was pulled from a platform; the import never deletes those"
                )
                continue
            keys.add(key)
            self._plan_delete(kind, key, row, old, f"marked deleted, {d.file} line {d.line}")
        return keys

    @staticmethod
    def _in_span(span: dict[str, tuple[dt.date, dt.date]], class_sid: str, day: dt.date) -> bool:
        return class_sid in span and span[class_sid][0] <= day <= span[class_sid][1]

    @staticmethod
    def _widen(span: dict[str, tuple[dt.date, dt.date]], class_sid: str, day: dt.date) -> None:
        low, high = span.get(class_sid, (day, day))
        span[class_sid] = (min(low, day), max(high, day))

    # --- lessons --------------------------------------------------------------------------------------

    def _lesson_old(self, r: LessonRow) -> dict[str, Any]:
        return {
            "class": self.class_sid[r.class_id],
            "subject": self.subject_sid[r.subject_id],
            "date": r.date,
            "number": r.number,
            "teacher": self.person_sid.get(r.teacher_id) if r.teacher_id else None,
            "topic": r.topic,
            "homework": r.homework,
        }

    def _plan_lessons(self) -> None:
        kind = JournalKind.LESSON
        incoming: set[str] = set()
        span: dict[str, tuple[dt.date, dt.date]] = {}
        for inc in self.parsed.lessons:
            le = inc.record
            row = self.lessons.get(le.id)
            problems = (
                self._unknown("class", le.class_id, self.classes)
                + self._unknown("subject", le.subject_id, self.subjects)
                + self._unknown("teacher", le.teacher_id, self.persons)
            )
            if row is not None and row.origin != LOCAL_ORIGIN:
                problems.append(
                    "it is a lesson pulled from a platform, which the import never changes; give it another id"
                )
            if problems:
                self._reject(kind, inc, _named("lesson", le.id) + "; ".join(problems))
                continue
            values = {
                "class": le.class_id,
                "subject": le.subject_id,
                "date": le.date,
                "number": le.number,
                "teacher": le.teacher_id,
                "topic": le.topic,
                "homework": le.homework,
            }
            self._plan_save(kind, le.id, row, values, self._lesson_old(row) if row else None, inc)
            incoming.add(le.id)
            self.lesson_at[le.id] = (le.class_id, le.date, le.subject_id, le.number)
            self._widen(span, le.class_id, le.date)

        def stored(key: str) -> tuple[Any, dict[str, Any]] | None:
            row = self.lessons.get(key)
            return (row, self._lesson_old(row)) if row is not None else None

        self._explicit_deletions(kind, lambda k: k, stored)
        if self.parsed.mode(kind) is Mode.BULK:
            keep = self.parsed.seen_keys.get(kind, set()) | incoming
            for sid, row in self.lessons.items():
                if row.origin == LOCAL_ORIGIN and self._in_span(span, self.class_sid[row.class_id], row.date):
                    self.plans[kind].in_span += 1
                    if sid not in keep and sid not in self.plans[kind].deletes:
                        self._plan_delete(kind, sid, row, self._lesson_old(row), "absent from the bulk file")
                        self.plans[kind].bulk_deletes += 1
        for sid in self.plans[kind].deletes:
            self.lesson_at.pop(sid, None)
        self.deleted_lessons = set(self.plans[kind].deletes)
        # Locators look lessons up by class and day: one dict, not a scan of the journal per mark.
        self.lesson_index: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
        for sid, (cls, day, _, _) in self.lesson_at.items():
            self.lesson_index[(cls, day)].append(sid)

    def _lesson_of(self, ref: str) -> tuple[str | None, str | None]:
        """(the lesson's id, None), or (None, why not) for a lesson id or a locator's text."""
        locator = LessonLocator.parse(ref)
        if locator is None:
            if ref in self.lesson_at:
                return ref, None
            if ref in self.deleted_lessons:
                return None, f"lesson {ref!r} is deleted by this import"
            if ref in self.lessons:
                return None, f"lesson {ref!r} was pulled from a platform; the journal import writes only local lessons"
            return None, f"lesson {ref!r} is unknown: neither in this import nor in the school's journal"
        subject = locator.subject_id
        group = self.classes.get(locator.class_id)
        if subject is None and group is not None and group.subject_id is not None:
            subject = self.subject_sid.get(group.subject_id)  # a subgroup's lessons are of its own subject
        found = sorted(
            (self.lesson_at[sid][3], sid)
            for sid in self.lesson_index.get((locator.class_id, locator.day), [])
            if (subject is None or self.lesson_at[sid][2] == subject)
            and (locator.number is None or self.lesson_at[sid][3] == locator.number)
        )
        if not found:
            what = f"class {locator.class_id!r}" + (f", subject {subject!r}" if subject else "")
            number = "" if locator.number is None else f", lesson number {locator.number}"
            return (
                None,
                f"no lesson of {what} on {locator.day.isoformat()}{number} in this import or the school's journal",
            )
        return found[0][1], None

    # --- marks ----------------------------------------------------------------------------------------

    def _mark_old(self, r: MarkRow) -> dict[str, Any]:
        return {
            "person": self.person_sid[r.person_id],
            "value": r.value,
            "kind": r.kind,
            "lesson": self.lesson_sid.get(r.lesson_id) if r.lesson_id else None,
            "work_type": r.work_type,
            "weight": r.weight,
            "date": r.date,
        }

    def _plan_marks(self) -> None:
        kind = JournalKind.MARK
        incoming: set[str] = set()
        span: dict[str, tuple[dt.date, dt.date]] = {}
        for inc in self.parsed.marks:
            m = inc.record
            problems = self._unknown("person", m.person_id, self.persons)
            lesson, why = self._lesson_of(m.lesson_id or "")
            if why:
                problems.append(why)
            row = self.marks.get(m.id)
            if row is not None and row.origin != LOCAL_ORIGIN:
                problems.append("it is a mark pulled from a platform, which the import never changes")
            elif row is None and m.id in self.other_marks:
                problems.append("a final mark has this id; give the mark another one")
            if problems or lesson is None:
                self._reject(kind, inc, _named("mark", m.id) + "; ".join(problems))
                continue
            values = {
                "person": m.person_id,
                "value": m.value,
                "kind": m.kind.value,
                "lesson": lesson,
                "work_type": m.work_type,
                "weight": m.weight,
                "date": m.date,
            }
            self._plan_save(kind, m.id, row, values, self._mark_old(row) if row else None, inc)
            incoming.add(m.id)
            cls, day, _, _ = self.lesson_at[lesson]
            self._widen(span, cls, day)

        def stored(key: str) -> tuple[Any, dict[str, Any]] | None:
            row = self.marks.get(key)
            return (row, self._mark_old(row)) if row is not None else None

        self._explicit_deletions(kind, lambda k: k, stored)
        bulk = self.parsed.mode(kind) is Mode.BULK
        keep = self.parsed.seen_keys.get(kind, set()) | incoming
        for sid, row in self.marks.items():
            if row.origin != LOCAL_ORIGIN or row.lesson_id is None:
                continue
            lesson = self.lesson_sid[row.lesson_id]
            if lesson in self.deleted_lessons:
                self._plan_delete(kind, sid, row, self._mark_old(row), f"its lesson {lesson!r} is deleted")
            elif bulk and lesson in self.lesson_at and self._in_span(span, *self.lesson_at[lesson][:2]):
                self.plans[kind].in_span += 1
                if sid not in keep and sid not in self.plans[kind].deletes:
                    self._plan_delete(kind, sid, row, self._mark_old(row), "absent from the bulk file")
                    self.plans[kind].bulk_deletes += 1

    # --- finals ---------------------------------------------------------------------------------------

    def _final_old(self, r: MarkRow) -> dict[str, Any]:
        return {
            "person": self.person_sid[r.person_id],
            "value": r.value,
            "kind": r.kind,
            "subject": self.subject_sid.get(r.subject_id) if r.subject_id else None,
            "period": self.period_sid.get(r.period_id) if r.period_id else None,
        }

    def _year_period(self) -> str | None:
        """The school's current year period, for a final whose period is «год»."""
        years = [
            (r.academic_year, r.start_date, sid)
            for sid, r in self.periods.items()
            if r.active and r.kind == ReportingPeriodKind.YEAR.value
        ]
        return max(years)[2] if years else None

    def _classes_of(self, person: str) -> set[str | None]:
        """A pupil's classes (None for one in none), which bound a bulk finals file's span."""
        return set(self.pupil_classes.get(person, set())) or {None}

    def _final_key(self, key: str) -> str:
        """A derived key of a «год» final, with the year period's id in place of the word."""
        year = self._year_period()
        if year is None or not key.startswith("final|") or not key.endswith("|" + YEAR_PERIOD):
            return key
        person, subject = key.split("|")[1:3]
        return final_key(person, subject, year)

    def _plan_finals(self) -> None:
        kind = JournalKind.FINAL
        incoming: set[str] = set()
        span: set[tuple[str, str, str | None]] = set()
        for inc in self.parsed.finals:
            m = inc.record
            period = self._year_period() if m.period_id == YEAR_PERIOD else m.period_id
            key = self._final_key(m.id)
            problems = self._unknown("person", m.person_id, self.persons) + self._unknown(
                "subject", m.subject_id, self.subjects
            )
            if period is None:
                problems.append(
                    "the school has no active year period (kind «год»); add it to the roster or write its ID"
                )
            else:
                problems += self._unknown("period", period, self.periods)
            row = self.finals.get(key)
            if row is not None and row.origin != LOCAL_ORIGIN:
                problems.append("it is a final pulled from a platform, which the import never changes")
            elif row is None and key in self.other_marks:
                problems.append("a lesson mark has this id; give the final another one")
            if problems or period is None:
                self._reject(kind, inc, _named("final", key) + "; ".join(problems))
                continue
            is_year = self.periods[period].kind == ReportingPeriodKind.YEAR.value
            values = {
                "person": m.person_id,
                "value": m.value,
                "kind": (MarkKind.YEAR_FINAL if is_year else MarkKind.PERIOD_FINAL).value,
                "subject": m.subject_id,
                "period": period,
            }
            self._plan_save(kind, key, row, values, self._final_old(row) if row else None, inc)
            incoming.add(key)
            for cls in self._classes_of(m.person_id):
                span.add((m.subject_id or "", period, cls))

        def stored(key: str) -> tuple[Any, dict[str, Any]] | None:
            row = self.finals.get(key)
            return (row, self._final_old(row)) if row is not None else None

        self._explicit_deletions(kind, self._final_key, stored)
        if self.parsed.mode(kind) is not Mode.BULK:
            return
        keep = {self._final_key(k) for k in self.parsed.seen_keys.get(kind, set())} | incoming
        for sid, row in self.finals.items():
            old = self._final_old(row)
            classes = self._classes_of(old["person"])
            if row.origin != LOCAL_ORIGIN or not any((old["subject"], old["period"], c) in span for c in classes):
                continue
            self.plans[kind].in_span += 1
            if sid not in keep and sid not in self.plans[kind].deletes:
                self._plan_delete(kind, sid, row, old, "absent from the bulk file")
                self.plans[kind].bulk_deletes += 1

    # --- attendance -----------------------------------------------------------------------------------

    def _attendance_key(self, key: str) -> tuple[str, str] | None:
        ref, _, person = key.rpartition(":")
        lesson, _ = self._lesson_of(ref)
        return (person, lesson) if lesson else None

    def _plan_attendance(self) -> None:
        kind = JournalKind.ATTENDANCE
        incoming: set[tuple[str, str]] = set()
        span: dict[str, tuple[dt.date, dt.date]] = {}
        for inc in self.parsed.attendance:
            a = inc.record
            problems = self._unknown("person", a.person_id, self.persons)
            lesson, why = self._lesson_of(a.lesson_id)
            if why:
                problems.append(why)
            key = (a.person_id, lesson or "")
            row = self.attendance.get(key)
            if row is not None and row.origin != LOCAL_ORIGIN:
                problems.append("it was pulled from a platform, which the import never changes")
            if problems or lesson is None:
                at = _named(" at", a.lesson_id).removesuffix(": ")
                self._reject(kind, inc, f"attendance of {a.person_id!r}{at}: " + "; ".join(problems))
                continue
            values = {"code": a.code.value, "minutes_late": a.minutes_late}
            old = {"code": row.code, "minutes_late": row.minutes_late} if row else None
            self._plan_save(kind, key, row, values, old, inc)
            incoming.add(key)
            self._widen(span, *self.lesson_at[lesson][:2])

        def stored(key: tuple[str, str]) -> tuple[Any, dict[str, Any]] | None:
            row = self.attendance.get(key)
            return (row, {"code": row.code, "minutes_late": row.minutes_late}) if row is not None else None

        self._explicit_deletions(kind, self._attendance_key, stored)
        bulk = self.parsed.mode(kind) is Mode.BULK
        keep = {self._attendance_key(k) for k in self.parsed.seen_keys.get(kind, set())} | incoming
        for key, row in self.attendance.items():
            if row.origin != LOCAL_ORIGIN:
                continue
            old = {"code": row.code, "minutes_late": row.minutes_late}
            lesson = key[1]
            if lesson in self.deleted_lessons:
                self._plan_delete(kind, key, row, old, f"its lesson {lesson!r} is deleted")
            elif bulk and lesson in self.lesson_at and self._in_span(span, *self.lesson_at[lesson][:2]):
                self.plans[kind].in_span += 1
                if key not in keep and key not in self.plans[kind].deletes:
                    self._plan_delete(kind, key, row, old, "absent from the bulk file")
                    self.plans[kind].bulk_deletes += 1

    # --- the hold -------------------------------------------------------------------------------------

    def _guard(self, share: float) -> None:
        held = []
        for kind, plan in self.plans.items():
            if self.parsed.mode(kind) is not Mode.BULK or not plan.in_span:
                continue
            changed = plan.bulk_deletes + len(plan.updates)
            if changed / plan.in_span > share:
                held.append(f"{changed} of the {plan.in_span} {_NAMES[kind]} ({changed / plan.in_span:.0%})")
        if held:
            raise DataSafetyError(
                f"this bulk import would delete or change {', '.join(held)} the school's journal holds for the "
                f"classes and dates of the file, more than the {share:.0%} allowed (mass_delete_share); nothing was "
                "written. Check that the file is complete; if these changes are right, rerun with "
                "--allow-mass-delete (or use --mode delta if the file holds only changes)"
            )

    # --- writing --------------------------------------------------------------------------------------

    def _log(self, action: str, kind: JournalKind, key: Any, changes: dict[str, Any], reason: str) -> None:
        self.audit.append(
            {
                "at": dt.datetime.now(dt.UTC),
                "actor": self.actor,
                "action": action,
                "school_id": self.school.id,
                "entity": kind.value,
                "entity_id": key if isinstance(key, str) else f"{key[1]}:{key[0]}",
                "changes": changes,
                "reason": reason,
                "run_id": self.run_id,
            }
        )

    def _reason(self, inc: Incoming[Any]) -> str:
        return f"{self.parsed.source} import ({self.report.mode}), {inc.file} line {inc.line}"

    def _write(self) -> None:
        # Deletions first, dependants before their lessons, so no unique key is held twice in between.
        for kind in (JournalKind.ATTENDANCE, JournalKind.MARK, JournalKind.FINAL, JournalKind.LESSON):
            for key, (row, old, why) in self.plans[kind].deletes.items():
                self.session.delete(row)
                self.report.counts[kind].deleted += 1
                self._log("delete", kind, key, {k: [_json(v), None] for k, v in old.items()}, why)
            self.session.flush()
        writers: dict[JournalKind, tuple[Callable[[Any], Any], Callable[[Any, dict[str, Any]], None]]] = {
            JournalKind.LESSON: (lambda key: LessonRow(school_id=self.school.id, source_id=key), self._set_lesson),
            JournalKind.MARK: (lambda key: MarkRow(school_id=self.school.id, source_id=key), self._set_mark),
            JournalKind.FINAL: (lambda key: MarkRow(school_id=self.school.id, source_id=key), self._set_final),
            JournalKind.ATTENDANCE: (lambda key: AttendanceRow(school_id=self.school.id), self._set_attendance),
        }
        for kind, (make, write) in writers.items():
            plan = self.plans[kind]
            for key, values, inc in plan.creates:
                row = make(key)
                if kind is JournalKind.ATTENDANCE:
                    values = {**values, "person": key[0], "lesson": key[1]}
                write(row, values)
                row.origin = LOCAL_ORIGIN
                self.session.add(row)
                if kind is JournalKind.LESSON:
                    self.lessons[key] = row
                self.report.counts[kind].created += 1
                self._log("create", kind, key, {k: [None, _json(v)] for k, v in values.items()}, self._reason(inc))
            for key, row, values, changes, inc in plan.updates:
                if kind is JournalKind.ATTENDANCE:
                    values = {**values, "person": key[0], "lesson": key[1]}
                write(row, values)
                self.report.counts[kind].updated += 1
                self._log("update", kind, key, changes, self._reason(inc))
            self.session.flush()

    def _set_lesson(self, r: LessonRow, v: dict[str, Any]) -> None:
        r.class_id = self.classes[v["class"]].id
        r.subject_id = self.subjects[v["subject"]].id
        r.teacher_id = self.persons[v["teacher"]].id if v["teacher"] else None
        r.date, r.number, r.topic, r.homework = v["date"], v["number"], v["topic"], v["homework"]

    def _set_mark(self, r: MarkRow, v: dict[str, Any]) -> None:
        r.person_id = self.persons[v["person"]].id
        r.lesson_id = self.lessons[v["lesson"]].id
        r.value, r.kind, r.work_type, r.weight, r.date = v["value"], v["kind"], v["work_type"], v["weight"], v["date"]

    def _set_final(self, r: MarkRow, v: dict[str, Any]) -> None:
        r.person_id = self.persons[v["person"]].id
        r.subject_id = self.subjects[v["subject"]].id
        r.period_id = self.periods[v["period"]].id
        r.value, r.kind = v["value"], v["kind"]

    def _set_attendance(self, r: AttendanceRow, v: dict[str, Any]) -> None:
        r.person_id = self.persons[v["person"]].id
        r.lesson_id = self.lessons[v["lesson"]].id
        r.code, r.minutes_late = v["code"], v["minutes_late"]


def _named(word: str, key: str) -> str:
    """The start of a rejected row's reason: the record's own id where the file gave one; a key made from the row
    (a derived id or a lesson named by class and day) would only repeat the row's cells, so it is left out."""
    made = "|" in key or key.startswith(("@", "journal-"))
    return "" if made else f"{word} {key!r}: "
