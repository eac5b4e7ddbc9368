"""Apply a parsed roster (from OneRoster CSV or the XLSX template) to the local database for one school.

Records are upserted by (school, source_id). A bulk kind of record deactivates the stored records its file no
longer holds (never deletes them); a delta kind touches only its rows, and `tobedeleted` rows deactivate. Every
create, update and deactivation writes an AuditRow tagged with the ImportRunRow of this import; re-importing
the same data changes nothing and writes no audit row. Rows that cannot be applied (unknown references, a
second active enrollment) are rejected with file, line and reason while the good rows still land.

The writes run in one transaction, in dependency order: school, subjects, classes (then subgroups),
persons, parent links, enrollments, reporting periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from edugateway.domain.entities import RecordKind
from edugateway.domain.models import (
    Enrollment,
    ParentLink,
    Person,
    ReportingPeriod,
    Role,
    School,
    SchoolClass,
    Subject,
)
from edugateway.domain.snils import format_snils
from edugateway.errors import DataSafetyError, GatewayError, ValidationError
from edugateway.logs import get_logger, mask_text
from edugateway.store.db import Database
from edugateway.store.import_runs import record_stopped_import
from edugateway.store.tables import (
    AuditRow,
    ClassRow,
    EnrollmentRow,
    ImportRunRow,
    ParentLinkRow,
    PersonRow,
    ReportingPeriodRow,
    SchoolRow,
    SubjectRow,
)

log = get_logger(__name__)

R = TypeVar("R")


class Mode(StrEnum):
    BULK = "bulk"  # the file holds every record: stored ones it lacks are deactivated
    DELTA = "delta"  # the file holds changes only; status=tobedeleted deactivates
    ABSENT = "absent"  # no file for this kind of record: stored records are left alone


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that was rejected (or imported with a warning): where it is and what to fix."""

    file: str
    line: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        # For the import journal: it keeps where and why, not whose SNILS or name (that stays in the person rows).
        return {"file": self.file, "line": self.line, "reason": mask_text(self.reason)}


@dataclass(frozen=True, slots=True)
class Incoming(Generic[R]):
    """One parsed record and the row it came from."""

    record: R
    file: str
    line: int
    # Persons only: the SNILS as entered when it was valid, kept as snils_rejected if another person holds it.
    raw_snils: str | None = None
    # Fields this source did not carry (e.g. no demographics file): the stored values are kept.
    keep: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Deletion:
    """A `status=tobedeleted` row: deactivate the stored record with this id."""

    kind: RecordKind
    source_id: str
    file: str
    line: int


@dataclass
class ParsedRoster:
    """What a reader produced: records with their origins, a mode per kind of record, and every row problem."""

    source: str  # "oneroster" or "xlsx": the audit actor is "import:<source>"
    location: str
    school: School | None = None
    persons: list[Incoming[Person]] = field(default_factory=list)
    classes: list[Incoming[SchoolClass]] = field(default_factory=list)
    subjects: list[Incoming[Subject]] = field(default_factory=list)
    enrollments: list[Incoming[Enrollment]] = field(default_factory=list)
    parent_links: list[Incoming[ParentLink]] = field(default_factory=list)
    periods: list[Incoming[ReportingPeriod]] = field(default_factory=list)
    deletions: list[Deletion] = field(default_factory=list)
    modes: dict[RecordKind, Mode] = field(default_factory=dict)  # a kind no file holds is absent
    # Every id a file named, accepted or not: a bulk import never deactivates a record whose row was rejected.
    seen_ids: dict[RecordKind, set[str]] = field(default_factory=dict)
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)  # file -> encoding it was read with
    notes: list[str] = field(default_factory=list)  # what the report says about the set as a whole (its edition)
    # XLSX rows have no enrollment ids: match a derived id to a stored active enrollment of the same
    # person, class and role, so an export -> edit -> import cycle does not recreate every enrollment.
    derived_enrollment_ids: bool = False

    def mode(self, kind: RecordKind) -> Mode:
        return self.modes.get(kind, Mode.ABSENT)

    def seen(self, kind: RecordKind, source_id: str) -> None:
        self.seen_ids.setdefault(kind, set()).add(source_id)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deactivated": self.deactivated,
            "rejected": self.rejected,
        }


@dataclass
class ImportReport:
    school: str
    source: str
    location: str
    mode: str
    dry_run: bool = False
    run_id: int | None = None
    # In the order the importer writes the kinds; the keys are the stored and printed names (RecordKind values).
    counts: dict[RecordKind, Counts] = field(default_factory=lambda: {kind: Counts() for kind in RecordKind})
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every row was imported."""
        return not self.rejected

    def counts_dict(self) -> dict[str, dict[str, int]]:
        return {kind: c.as_dict() for kind, c in self.counts.items()}

    def problems_dict(self) -> dict[str, Any]:
        return {
            "rows": [p.as_dict() for p in self.rejected],
            "warnings": [p.as_dict() for p in self.warnings],
            "encodings": self.encodings,
            "notes": self.notes,
        }


ProgressHook = Callable[[str, int, int], None]  # (phase, done, total)


def apply_roster(
    db: Database,
    roster: ParsedRoster,
    school_code: str,
    *,
    mode: Mode | None = None,
    allow_mass_delete: bool = False,
    mass_delete_share: float = 0.10,
    dry_run: bool = False,
    progress: ProgressHook | None = None,
) -> ImportReport:
    """Writes `roster` into the school `school_code` and returns what happened.

    `mode` overrides the per-file modes (files that are absent stay absent). Raises DataSafetyError when a
    bulk import would deactivate more than `mass_delete_share` of the school's active students and
    `allow_mass_delete` is false; nothing is written then except the refused ImportRunRow.
    """
    if mode is not None:
        # A copy: the caller's ParsedRoster keeps the modes its files declared.
        roster = replace(roster, modes={kind: (m if m is Mode.ABSENT else mode) for kind, m in roster.modes.items()})
    modes = sorted({m.value for m in roster.modes.values() if m is not Mode.ABSENT})
    report = ImportReport(
        school=school_code,
        source=roster.source,
        location=roster.location,
        mode=modes[0] if len(modes) == 1 else ("mixed" if modes else "absent"),
        dry_run=dry_run,
        rejected=list(roster.rejected),
        warnings=list(roster.warnings),
        encodings=dict(roster.encodings),
        notes=list(roster.notes),
    )
    session = db.sessions()
    try:
        applier = _Applier(session, roster, school_code, report)
        applier.run(allow_mass_delete=allow_mass_delete, mass_delete_share=mass_delete_share, progress=progress)
        if dry_run:
            session.rollback()
            report.run_id = None
        else:
            session.commit()
    except GatewayError as exc:
        session.rollback()
        if not dry_run:
            record_stopped_import(db, report, "refused" if isinstance(exc, DataSafetyError) else "failed", exc)
        log.warning("roster.import.stopped", school=school_code, source=roster.source, error_type=type(exc).__name__)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    totals = {f"{kind}_{k}": v for kind, c in report.counts.items() for k, v in c.as_dict().items() if v}
    log.info(
        "roster.import.done",
        school=school_code,
        source=roster.source,
        run_id=report.run_id,
        dry_run=dry_run,
        rejected=len(report.rejected),
        warnings=len(report.warnings),
        **totals,
    )
    return report


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [_json(old.get(k)), _json(v)] for k, v in new.items() if old.get(k) != v}


def _roles_text(roles: Iterable[Role | str]) -> str:
    return ",".join(sorted(str(r) for r in roles))


class _Applier:
    """One import in one session. Keeps the school's stored rows in dicts: one SELECT per table."""

    def __init__(self, session: Session, roster: ParsedRoster, school_code: str, report: ImportReport) -> None:
        self.session = session
        self.roster = roster
        self.code = school_code
        self.report = report
        self.actor = f"import:{roster.source}"
        self.audit: list[dict[str, Any]] = []
        self.run_id: int | None = None
        self._school: SchoolRow | None = None
        self.persons: dict[str, PersonRow] = {}
        self.classes: dict[str, ClassRow] = {}
        self.subjects: dict[str, SubjectRow] = {}
        self.enrollments: dict[str, EnrollmentRow] = {}
        self.periods: dict[str, ReportingPeriodRow] = {}
        self.links: dict[tuple[int, int], ParentLinkRow] = {}

    @property
    def school(self) -> SchoolRow:
        if self._school is None:
            raise RuntimeError("the school row is created by the first phase")
        return self._school

    # --- driver -------------------------------------------------------------------------------------

    def run(self, *, allow_mass_delete: bool, mass_delete_share: float, progress: ProgressHook | None) -> None:
        self._school = self.session.scalar(select(SchoolRow).where(SchoolRow.code == self.code).with_for_update())
        if self._school is None and self.roster.school is None:
            raise ValidationError(
                f"school {self.code!r} is not in the database and the files do not describe it; add it to "
                "orgs.csv (OneRoster) or fill the «Школа» sheet (XLSX), or check --school"
            )
        if self._school is not None:
            self._load(self._school.id)
        person_plan = self._stale(RecordKind.PERSON, self.persons, {inc.record.id for inc in self.roster.persons})
        self._guard_mass_delete(person_plan, allow_mass_delete, mass_delete_share)

        run = ImportRunRow(
            school_id=self._school.id if self._school else None,
            source=self.roster.source,
            mode=self.report.mode,
            location=self.roster.location,
            status="running",
        )
        self.session.add(run)
        self.session.flush()
        self.run_id = self.report.run_id = run.id

        phases: list[tuple[str, Callable[[], None]]] = [
            ("school", self._apply_school),
            ("subjects", self._apply_subjects),
            ("classes", self._apply_classes),
            ("persons", lambda: self._apply_persons(person_plan)),
            ("parent links", self._apply_links),
            ("enrollments", self._apply_enrollments),
            ("reporting periods", self._apply_periods),
        ]
        for done, (name, phase) in enumerate(phases, start=1):
            phase()
            self.session.flush()
            if progress:
                progress(name, done, len(phases))
        if self.audit:
            self.session.execute(insert(AuditRow), self.audit)
        run.school_id = self.school.id
        run.status = "done"
        run.finished_at = dt.datetime.now(dt.UTC)
        run.counts = self.report.counts_dict()
        run.problems = self.report.problems_dict()

    def _load(self, school_id: int) -> None:
        def rows(table: Any) -> list[Any]:
            return list(self.session.scalars(select(table).where(table.school_id == school_id)))

        self.persons = {r.source_id: r for r in rows(PersonRow)}
        self.classes = {r.source_id: r for r in rows(ClassRow)}
        # Subjects held for a platform are not the school's: a bulk file never lists them, and must not retire them.
        self.subjects = {r.source_id: r for r in rows(SubjectRow) if r.held_for is None}
        self.enrollments = {r.source_id: r for r in rows(EnrollmentRow)}
        self.periods = {r.source_id: r for r in rows(ReportingPeriodRow)}
        self.links = {(r.parent_id, r.child_id): r for r in rows(ParentLinkRow)}

    # --- shared helpers -----------------------------------------------------------------------------

    def _reject(self, kind: RecordKind, file: str, line: int, reason: str) -> None:
        self.report.rejected.append(RowProblem(file, line, reason))
        self.report.counts[kind].rejected += 1

    def _warn(self, file: str, line: int, reason: str) -> None:
        self.report.warnings.append(RowProblem(file, line, reason))

    def _log_audit(self, action: str, kind: RecordKind, entity_id: str, changes: dict[str, Any], reason: str) -> None:
        self.audit.append(
            {
                "at": dt.datetime.now(dt.UTC),
                "actor": self.actor,
                "action": action,
                "school_id": self.school.id,
                "entity": kind,
                "entity_id": entity_id,
                "changes": changes,
                "reason": reason,
                "run_id": self.run_id,
            }
        )

    def _reason(self, inc: Incoming[Any]) -> str:
        return f"{self.roster.source} import ({self.report.mode}), {inc.file} line {inc.line}"

    def _save(
        self,
        kind: RecordKind,
        rows: dict[Any, Any],
        key: Any,
        entity_id: str,
        values: dict[str, Any],
        old: dict[str, Any] | None,
        make: Callable[[], Any],
        write: Callable[[Any, dict[str, Any]], None],
        reason: str,
    ) -> None:
        """Creates or updates one row; `values` and `old` are in source-id terms so the audit is readable."""
        counts = self.report.counts[kind]
        row = rows.get(key)
        if row is None:
            row = make()
            write(row, values)
            self.session.add(row)
            rows[key] = row
            counts.created += 1
            self._log_audit("create", kind, entity_id, {k: [None, _json(v)] for k, v in values.items()}, reason)
            return
        changes = _diff(old or {}, values)
        if not changes:
            counts.unchanged += 1
            return
        write(row, values)
        counts.updated += 1
        self._log_audit("update", kind, entity_id, changes, reason)

    def _deactivate(self, kind: RecordKind, row: Any, entity_id: str, reason: str) -> None:
        row.active = False
        self.report.counts[kind].deactivated += 1
        self._log_audit("deactivate", kind, entity_id, {"active": [True, False]}, reason)

    def _stale(self, kind: RecordKind, rows: dict[str, Any], incoming_ids: set[str]) -> list[tuple[str, Any, str]]:
        """Stored active rows this import deactivates, with the reason: absent from a bulk file, or tobedeleted."""
        out: list[tuple[str, Any, str]] = []
        if self.roster.mode(kind) is Mode.BULK:
            seen = self.roster.seen_ids.get(kind, set()) | incoming_ids
            out += [
                (sid, row, "absent from the bulk file") for sid, row in rows.items() if row.active and sid not in seen
            ]
        for d in self.roster.deletions:
            if d.kind != kind:
                continue
            row = rows.get(d.source_id)
            if row is None:
                self._warn(d.file, d.line, f"tobedeleted {kind} {d.source_id!r} is not stored; nothing to deactivate")
            elif row.active and d.source_id not in incoming_ids:
                out.append((d.source_id, row, f"status=tobedeleted, {d.file} line {d.line}"))
        return out

    def _deactivate_stale(self, kind: RecordKind, rows: dict[str, Any], incoming_ids: set[str]) -> None:
        for sid, row, why in self._stale(kind, rows, incoming_ids):
            self._deactivate(kind, row, sid, why)

    @staticmethod
    def _set_all(row: Any, values: dict[str, Any]) -> None:
        for key, value in values.items():
            setattr(row, key, value)

    def _guard_mass_delete(self, plan: list[tuple[str, PersonRow, str]], allowed: bool, share: float) -> None:
        if allowed or self.roster.mode(RecordKind.PERSON) is not Mode.BULK:
            return
        active_students = sum(1 for r in self.persons.values() if r.active and Role.STUDENT in r.roles.split(","))
        leaving = sum(1 for _, r, _ in plan if Role.STUDENT in r.roles.split(","))
        if active_students and leaving / active_students > share:
            raise DataSafetyError(
                f"this bulk import would deactivate {leaving} of the school's {active_students} active students "
                f"({leaving / active_students:.0%}), more than the {share:.0%} allowed (mass_delete_share); nothing "
                "was written. Check that the file is complete; if these students really left, rerun with "
                "--allow-mass-delete (or use --mode delta if the file holds only changes)"
            )

    # --- school -------------------------------------------------------------------------------------

    def _apply_school(self) -> None:
        incoming = self.roster.school
        if incoming is None:
            return
        values = {"name": incoming.name, "inn": incoming.inn, "ogrn": incoming.ogrn, "timezone": incoming.timezone}
        reason = f"{self.roster.source} import, {self.roster.location}"
        counts = self.report.counts[RecordKind.SCHOOL]
        if self._school is None:
            self._school = SchoolRow(code=self.code, **values)
            self.session.add(self._school)
            self.session.flush()
            counts.created += 1
            self._log_audit("create", RecordKind.SCHOOL, self.code, {k: [None, v] for k, v in values.items()}, reason)
            return
        old = {k: getattr(self._school, k) for k in values}
        changes = _diff(old, values)
        if not changes:
            counts.unchanged += 1
            return
        self._set_all(self._school, values)
        counts.updated += 1
        self._log_audit("update", RecordKind.SCHOOL, self.code, changes, reason)

    # --- subjects -----------------------------------------------------------------------------------

    def _apply_subjects(self) -> None:
        incoming = self.roster.subjects
        self._deactivate_stale(RecordKind.SUBJECT, self.subjects, {i.record.id for i in incoming})
        for inc in incoming:
            s = inc.record
            row = self.subjects.get(s.id)
            self._save(
                RecordKind.SUBJECT,
                self.subjects,
                s.id,
                s.id,
                {"name": s.name, "code": s.code, "active": True},
                {"name": row.name, "code": row.code, "active": row.active} if row else None,
                partial(SubjectRow, school_id=self.school.id, source_id=s.id),
                self._set_all,
                self._reason(inc),
            )

    # --- classes and subgroups ----------------------------------------------------------------------

    def _apply_classes(self) -> None:
        incoming = self.roster.classes
        class_sid = {r.id: sid for sid, r in self.classes.items()}
        subject_sid = {r.id: sid for sid, r in self.subjects.items()}
        old_values = {
            sid: {
                "name": r.name,
                "grade": r.grade,
                "academic_year": r.academic_year,
                "parent_id": class_sid.get(r.parent_id) if r.parent_id else None,
                "subject_id": subject_sid.get(r.subject_id) if r.subject_id else None,
                "active": r.active,
            }
            for sid, r in self.classes.items()
        }
        self._deactivate_stale(RecordKind.CLASS, self.classes, {i.record.id for i in incoming})
        # Parents first: each pass saves the classes whose parent is already stored and active (subgroups
        # of subgroups take one more pass). What is left names a parent that does not exist.
        pending = list(incoming)
        while pending:
            self.session.flush()
            placed = {sid for sid, r in self.classes.items() if r.id is not None and r.active}
            ready = [i for i in pending if i.record.parent_id is None or i.record.parent_id in placed]
            if not ready:
                break
            for inc in ready:
                self._save_class(inc, old_values.get(inc.record.id))
            pending = [i for i in pending if i not in ready]
        for inc in pending:
            self._reject(
                RecordKind.CLASS,
                inc.file,
                inc.line,
                f"class {inc.record.id!r}: parent class {inc.record.parent_id!r} is unknown: it is neither in this "
                f"import nor an active class of school {self.code}",
            )

    def _save_class(self, inc: Incoming[SchoolClass], old: dict[str, Any] | None) -> None:
        c = inc.record
        subject_row = self.subjects.get(c.subject_id) if c.subject_id else None
        if c.subject_id and (subject_row is None or not subject_row.active):
            self._reject(
                RecordKind.CLASS,
                inc.file,
                inc.line,
                f"class {c.id!r}: subject {c.subject_id!r} is unknown: it is neither in this import nor an active "
                f"subject of school {self.code}",
            )
            return
        values = {
            "name": c.name,
            "grade": c.grade,
            "academic_year": c.academic_year,
            "parent_id": c.parent_id,
            "subject_id": c.subject_id,
            "active": True,
        }

        def write(r: ClassRow, v: dict[str, Any]) -> None:
            r.name, r.grade, r.academic_year, r.active = v["name"], v["grade"], v["academic_year"], v["active"]
            r.parent_id = self.classes[v["parent_id"]].id if v["parent_id"] else None
            r.subject_id = subject_row.id if subject_row else None

        self._save(
            RecordKind.CLASS,
            self.classes,
            c.id,
            c.id,
            values,
            old,
            partial(ClassRow, school_id=self.school.id, source_id=c.id),
            write,
            self._reason(inc),
        )

    # --- persons ------------------------------------------------------------------------------------

    def _apply_persons(self, plan: list[tuple[str, PersonRow, str]]) -> None:
        old_values = {sid: {k: getattr(r, k) for k in _PERSON_FIELDS} for sid, r in self.persons.items()}
        for sid, row, why in plan:
            self._deactivate(RecordKind.PERSON, row, sid, why)
        targets: list[tuple[Incoming[Person], dict[str, Any]]] = []
        for inc in self.roster.persons:
            p = inc.record
            if "roles" in inc.keep and p.id not in self.persons:
                self._reject(
                    RecordKind.PERSON,
                    inc.file,
                    inc.line,
                    f"person {p.id!r} is new but has no role in this import; add a roles.csv row (student, "
                    "teacher, parent, …) for it",
                )
                continue
            values: dict[str, Any] = {
                "roles": _roles_text(p.roles),
                "last_name": p.last_name,
                "first_name": p.first_name,
                "middle_name": p.middle_name,
                "birth_date": p.birth_date,
                "gender": p.gender.value if p.gender else None,
                "snils": p.snils,
                "snils_rejected": p.snils_rejected,
                "email": p.email,
                "phone": p.phone,
                "active": True,
            }
            old = old_values.get(p.id)
            if old is not None:
                values.update({k: old[k] for k in inc.keep if k in old})
            targets.append((inc, values))
        self._settle_snils(targets)
        # A SNILS may move from one person to another in this import: release the old values first, so the
        # unique index never sees the same number twice in between.
        released = False
        for inc, values in targets:
            stored = self.persons.get(inc.record.id)
            if stored is not None and stored.snils is not None and stored.snils != values["snils"]:
                stored.snils = None
                released = True
        if released:
            self.session.flush()
        for inc, values in targets:
            sid = inc.record.id
            self._save(
                RecordKind.PERSON,
                self.persons,
                sid,
                sid,
                values,
                old_values.get(sid),
                partial(PersonRow, school_id=self.school.id, source_id=sid),
                self._set_all,
                self._reason(inc),
            )

    def _settle_snils(self, targets: list[tuple[Incoming[Person], dict[str, Any]]]) -> None:
        """One SNILS, one person: a stored holder keeps it, else the first row in the file gets it; the
        others are imported without it (snils_rejected = the value as entered) and reported as warnings."""
        incoming_ids = {inc.record.id for inc, _ in targets}
        holder = {r.snils: sid for sid, r in self.persons.items() if r.snils and sid not in incoming_ids}
        for inc, values in targets:
            stored = self.persons.get(inc.record.id)
            if values["snils"] and stored is not None and stored.snils == values["snils"]:
                holder.setdefault(values["snils"], inc.record.id)
        for inc, values in targets:
            snils = values["snils"]
            if not snils:
                continue
            owner = holder.setdefault(snils, inc.record.id)
            if owner != inc.record.id:
                values["snils"] = None
                values["snils_rejected"] = inc.raw_snils or format_snils(snils)
                self._warn(
                    inc.file,
                    inc.line,
                    f"person {inc.record.id!r}: СНИЛС {format_snils(snils)} already belongs to person {owner!r} of "
                    "this school; imported without СНИЛС, the value is kept for the records clerk to resolve",
                )

    # --- parent links -------------------------------------------------------------------------------

    def _apply_links(self) -> None:
        person_sid = {r.id: sid for sid, r in self.persons.items()}
        rejected_people = self.roster.seen_ids.get(RecordKind.PERSON, set()) - {
            i.record.id for i in self.roster.persons
        }
        wanted: set[tuple[int, int]] = set()
        for inc in self.roster.parent_links:
            link = inc.record
            entity_id = f"{link.parent_id}>{link.child_id}"
            missing = [
                f"{what} {sid!r} is unknown: not an active person in this import or of school {self.code}"
                for sid, what in ((link.parent_id, "parent"), (link.child_id, "child"))
                if not (sid in self.persons and self.persons[sid].active)
            ]
            if missing:
                self._reject(RecordKind.PARENT_LINK, inc.file, inc.line, f"link {entity_id}: " + "; ".join(missing))
                continue
            key = (self.persons[link.parent_id].id, self.persons[link.child_id].id)
            if key in wanted:
                continue  # the same link named from both ends (the parent's and the child's agentSourcedIds)
            wanted.add(key)
            row = self.links.get(key)
            self._save(
                RecordKind.PARENT_LINK,
                self.links,
                key,
                entity_id,
                {"relation": link.relation, "active": True},
                {"relation": row.relation, "active": row.active} if row else None,
                partial(ParentLinkRow, school_id=self.school.id, parent_id=key[0], child_id=key[1]),
                self._set_all,
                self._reason(inc),
            )
        if self.roster.mode(RecordKind.PARENT_LINK) is not Mode.BULK:
            return
        for key, row in self.links.items():
            parent, child = person_sid.get(key[0], "?"), person_sid.get(key[1], "?")
            if not row.active or key in wanted or parent in rejected_people or child in rejected_people:
                continue  # kept, or named by a row that was rejected: then the link stays as it is
            self._deactivate(RecordKind.PARENT_LINK, row, f"{parent}>{child}", "absent from the bulk file")

    # --- enrollments --------------------------------------------------------------------------------

    def _apply_enrollments(self) -> None:
        person_sid = {r.id: sid for sid, r in self.persons.items()}
        class_sid = {r.id: sid for sid, r in self.classes.items()}

        def values_of(r: EnrollmentRow) -> dict[str, Any]:
            return {
                "person_id": person_sid.get(r.person_id),
                "class_id": class_sid.get(r.class_id),
                "role": r.role,
                "start_date": r.start_date,
                "end_date": r.end_date,
                "active": r.active,
            }

        old_values = {sid: values_of(r) for sid, r in self.enrollments.items()}
        incoming = self.roster.enrollments
        if self.roster.derived_enrollment_ids:
            incoming = self._adopt_stored_ids(incoming, old_values)
        incoming_ids = {i.record.id for i in incoming}
        self._deactivate_stale(RecordKind.ENROLLMENT, self.enrollments, incoming_ids)

        # Decide which rows will be active, one per (person, class, role), before writing any of them.
        taken = {
            (v["person_id"], v["class_id"], v["role"]): sid
            for sid, v in ((s, values_of(r)) for s, r in self.enrollments.items())
            if v["active"] and sid not in incoming_ids
        }
        accepted: list[tuple[Incoming[Enrollment], dict[str, Any]]] = []
        for inc in incoming:
            e = inc.record
            unknown = [
                f"{what} {sid!r} is unknown: not an active {what} in this import or of school {self.code}"
                for sid, what, rows in ((e.person_id, "person", self.persons), (e.class_id, "class", self.classes))
                if not (sid in rows and rows[sid].active)
            ]
            if unknown:
                self._reject(RecordKind.ENROLLMENT, inc.file, inc.line, f"enrollment {e.id!r}: " + "; ".join(unknown))
                continue
            other = taken.setdefault((e.person_id, e.class_id, e.role.value), e.id)
            if other != e.id:
                self._reject(
                    RecordKind.ENROLLMENT,
                    inc.file,
                    inc.line,
                    f"enrollment {e.id!r}: person {e.person_id!r} already has an active {e.role.value} enrollment "
                    f"{other!r} in class {e.class_id!r}; a person has one active enrollment per class",
                )
                continue
            values = {
                "person_id": e.person_id,
                "class_id": e.class_id,
                "role": e.role.value,
                "start_date": e.start_date,
                "end_date": e.end_date,
                "active": True,
            }
            accepted.append((inc, values))
        # Rows that move to another person/class/role are switched off first, so the partial unique index
        # never sees two active rows for one key in between.
        moving = False
        for inc, values in accepted:
            row = self.enrollments.get(inc.record.id)
            if row is not None and row.active and values_of(row) != values:
                row.active = False
                moving = True
        if moving:
            self.session.flush()

        def write(r: EnrollmentRow, v: dict[str, Any]) -> None:
            r.person_id = self.persons[v["person_id"]].id
            r.class_id = self.classes[v["class_id"]].id
            r.role, r.start_date, r.end_date, r.active = v["role"], v["start_date"], v["end_date"], v["active"]

        for inc, values in accepted:
            sid = inc.record.id
            self._save(
                RecordKind.ENROLLMENT,
                self.enrollments,
                sid,
                sid,
                values,
                old_values.get(sid),
                partial(EnrollmentRow, school_id=self.school.id, source_id=sid),
                write,
                self._reason(inc),
            )

    def _adopt_stored_ids(
        self, incoming: list[Incoming[Enrollment]], stored_values: dict[str, dict[str, Any]]
    ) -> list[Incoming[Enrollment]]:
        """Gives a derived-id row the id of the stored active enrollment with the same person, class and role."""
        stored = {(v["person_id"], v["class_id"], v["role"]): sid for sid, v in stored_values.items() if v["active"]}
        out = []
        for inc in incoming:
            e = inc.record
            known = stored.get((e.person_id, e.class_id, e.role.value))
            if known is not None and known != e.id and e.id not in self.enrollments:
                inc = Incoming(e.model_copy(update={"id": known}), inc.file, inc.line)
                self.roster.seen(RecordKind.ENROLLMENT, known)
            out.append(inc)
        return out

    # --- reporting periods --------------------------------------------------------------------------

    def _apply_periods(self) -> None:
        incoming = self.roster.periods
        self._deactivate_stale(RecordKind.PERIOD, self.periods, {i.record.id for i in incoming})
        for inc in incoming:
            p = inc.record
            row = self.periods.get(p.id)
            values = {
                "name": p.name,
                "kind": p.kind.value,
                "academic_year": p.academic_year,
                "start_date": p.start_date,
                "end_date": p.end_date,
                "active": True,
            }
            self._save(
                RecordKind.PERIOD,
                self.periods,
                p.id,
                p.id,
                values,
                {k: getattr(row, k) for k in values} if row else None,
                partial(ReportingPeriodRow, school_id=self.school.id, source_id=p.id),
                self._set_all,
                self._reason(inc),
            )


_PERSON_FIELDS = (
    "roles",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "gender",
    "snils",
    "snils_rejected",
    "email",
    "phone",
    "active",
)
