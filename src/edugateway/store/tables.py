"""The local school database. Every row belongs to a school; local ids are the source system's ids."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints, so Alembic migrations can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class SchoolRow(Base, _Timestamps):
    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    inn: Mapped[str | None] = mapped_column(String(10))
    ogrn: Mapped[str | None] = mapped_column(String(13))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")


class PersonRow(Base, _Timestamps):
    __tablename__ = "persons"
    __table_args__ = (
        UniqueConstraint("school_id", "source_id"),
        # One SNILS per person within a school; NULLs do not collide on either backend.
        UniqueConstraint("school_id", "snils"),
        Index("ix_persons_school_names", "school_id", "last_name", "first_name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(128))
    roles: Mapped[str] = mapped_column(String(100))  # sorted, comma-separated Role values
    last_name: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(200))
    middle_name: Mapped[str | None] = mapped_column(String(200))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(1))
    snils: Mapped[str | None] = mapped_column(String(11))
    snils_rejected: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ClassRow(Base, _Timestamps):
    __tablename__ = "classes"
    __table_args__ = (UniqueConstraint("school_id", "source_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(100))
    grade: Mapped[int] = mapped_column(Integer)
    academic_year: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SubjectRow(Base, _Timestamps):
    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("school_id", "source_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The platform whose subject this row holds because the school has none of that name (source_id is
    # "<platform>:<remote id>"): its pulled journal is kept here until the school's own subject takes it over.
    # NULL for the school's own subjects; held rows are not the school's roster (imports, exports leave them out).
    held_for: Mapped[str | None] = mapped_column(String(64))


class EnrollmentRow(Base, _Timestamps):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("school_id", "source_id"),
        # One active enrollment per person, class and role.
        Index(
            "uq_enrollments_active",
            "person_id",
            "class_id",
            "role",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(128))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ParentLinkRow(Base, _Timestamps):
    __tablename__ = "parent_links"
    __table_args__ = (UniqueConstraint("parent_id", "child_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    parent_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(50), default="parent")
    # A bulk import deactivates links absent from the file instead of deleting them (audit keeps history).
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ReportingPeriodRow(Base, _Timestamps):
    __tablename__ = "reporting_periods"
    __table_args__ = (UniqueConstraint("school_id", "source_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    academic_year: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LessonRow(Base, _Timestamps):
    __tablename__ = "lessons"
    __table_args__ = (
        UniqueConstraint("school_id", "source_id"),
        Index("ix_lessons_class_date", "class_id", "date"),
        Index("ix_lessons_teacher_ref", "school_id", "teacher_ref"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(128))
    date: Mapped[dt.date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    # The platform's teacher, "<platform>:<remote id>", as read: kept when nobody local is linked to them yet,
    # so a later link can fill in teacher_id without the lesson being read again.
    teacher_ref: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(Text)
    homework: Mapped[str | None] = mapped_column(Text)
    # The platform's own times (UTC), where it tells them: the lesson's bells and when its homework was sent.
    starts_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    homework_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # "local" for a row of the school's own journal (`import journal`, issue 18); NULL for one pulled from a platform.
    origin: Mapped[str | None] = mapped_column(String(16))


class MarkRow(Base, _Timestamps):
    __tablename__ = "marks"
    __table_args__ = (
        UniqueConstraint("school_id", "source_id"),
        Index("ix_marks_person", "person_id"),
        # Joins from lessons, and the ON DELETE CASCADE check of a deleted lesson (a table scan per lesson without).
        Index("ix_marks_lesson", "lesson_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    source_id: Mapped[str] = mapped_column(String(128))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(20))
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id", ondelete="CASCADE"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_periods.id", ondelete="CASCADE"))
    work_type: Mapped[str | None] = mapped_column(String(100))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    date: Mapped[dt.date | None] = mapped_column(Date)
    # "local" for a row of the school's own journal (`import journal`, issue 18); NULL for one pulled from a platform.
    origin: Mapped[str | None] = mapped_column(String(16))


class AttendanceRow(Base, _Timestamps):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("person_id", "lesson_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(4))
    minutes_late: Mapped[int | None] = mapped_column(Integer)
    entered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # the platform's, UTC
    # "local" for a row of the school's own journal (`import journal`, issue 18); NULL for one pulled from a platform.
    origin: Mapped[str | None] = mapped_column(String(16))


class AuditRow(Base):
    """Who changed what, when and why. Every write to the tables above adds one."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), default=_now)
    actor: Mapped[str] = mapped_column(String(200))  # "import:oneroster", "clerk:ivanova", "sync:dnevnik"
    action: Mapped[str] = mapped_column(String(50))  # create, update, deactivate, delete, view_snils …
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"), index=True)
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(128))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {field: [old, new]}
    reason: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id", ondelete="SET NULL"))


class ImportRunRow(Base):
    """One import or export: what was asked, what was done, and every rejected row with its reason."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(50))  # oneroster, xlsx
    mode: Mapped[str] = mapped_column(String(20))  # bulk, delta
    location: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, done, refused, failed
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    problems: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"rows": [{file, line, reason}]}
    error: Mapped[str | None] = mapped_column(Text)


# ---- sync: id-link map, run log, outbox, cursors, what was pulled ----------------------------------------

_ACTIVE_LINK = text("unlinked_at IS NULL")


class SyncRunRow(Base):
    """One sync of a school with a platform: what was asked, the plan, what was done, and why anything was not."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_school_platform", "school_id", "platform", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    entities: Mapped[list[str]] = mapped_column(JSON)
    directions: Mapped[dict[str, str]] = mapped_column(JSON)  # entity -> push, pull or compare
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    # running, done, failed, on_hold (a safety hold: needs --approve), approved (a hold someone released),
    # stopped (a stopping scheduler ended it after a whole pull window; the next run goes on from the cursor)
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # entity -> {read, created, updated, …}
    skipped: Mapped[list[Any] | None] = mapped_column(JSON)  # [{entity, id, reason}]
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the change set, as shown by --dry-run
    # What the pull kept under the platform's own references: {"subjects": [...], "teachers": [...]}
    needs_mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(200))


class IdentityLinkRow(Base):
    """A local record's id on one platform, unique both ways among the active links. A correction ends the old
    link (`unlinked_at`, with the reason) and adds a new one: the history stays."""

    __tablename__ = "identity_links"
    __table_args__ = (
        Index(
            "uq_identity_links_local",
            "school_id",
            "platform",
            "entity",
            "local_key",
            unique=True,
            sqlite_where=_ACTIVE_LINK,
            postgresql_where=_ACTIVE_LINK,
        ),
        Index(
            "uq_identity_links_remote",
            "school_id",
            "platform",
            "entity",
            "remote_id",
            unique=True,
            sqlite_where=_ACTIVE_LINK,
            postgresql_where=_ACTIVE_LINK,
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    local_key: Mapped[str] = mapped_column(String(128))  # the local source id (OneRoster sourcedId)
    remote_id: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(20))  # snils, match, name, created, pulled, clerk
    score: Mapped[float | None] = mapped_column(Float)
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    unlinked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))


class OutboxRow(Base):
    """A planned write, recorded before any request is sent. The executor claims it (`sending`, `claimed_by`),
    sends it, and records the platform's answer in one transaction; `sending` left behind by a run that is no
    longer running means the result is unknown. One row per record that is not done nor superseded."""

    __tablename__ = "sync_outbox"
    __table_args__ = (Index("ix_sync_outbox_open", "school_id", "platform", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    op: Mapped[str] = mapped_column(String(10))  # create, update, delete
    local_key: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending, sending, done, failed, superseded (store/outbox.py says when each is set)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # The sync run that marked the row `sending`: its result is unknown only once that run is no longer running.
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"), index=True)
    remote_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class SyncCursorRow(Base):
    """How far a pull has committed, per school, platform and entity; it moves only after its window is stored."""

    __tablename__ = "sync_cursors"
    __table_args__ = (UniqueConstraint("school_id", "platform", "entity"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    position: Mapped[dt.date] = mapped_column(Date)  # the last day of the last committed window
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class RemoteRecordRow(Base):
    """A pulled platform record as last seen: when it was first seen and when its content last changed."""

    __tablename__ = "remote_records"
    __table_args__ = (UniqueConstraint("school_id", "platform", "entity", "remote_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    remote_id: Mapped[str] = mapped_column(String(128))
    local_key: Mapped[str | None] = mapped_column(String(128))
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical record
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the record as last pushed (what a delete needs)
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class JournalChangeRow(Base):
    """A pulled journal record that changed after it was first seen; `retroactive` when a final mark changed after
    its period had closed (DOMAIN.md), for the reports."""

    __tablename__ = "journal_changes"
    __table_args__ = (Index("ix_journal_changes_school", "school_id", "seen_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    remote_id: Mapped[str] = mapped_column(String(128))
    local_key: Mapped[str | None] = mapped_column(String(128))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)  # {field: [old, new]}
    retroactive: Mapped[bool] = mapped_column(Boolean, default=False)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))


# ---- identity: ЕСИА verification, the clerk's cases and decisions, web accounts ---------------------------------

_OPEN_CASE = text("status = 'open'")


class IdentityCheckRow(Base):
    """One verification of a person: the outcome, what it was based on, and the person's data digest then, so
    re-verification asks ЕСИА again only about persons that changed (or whose answer is old)."""

    __tablename__ = "identity_checks"
    __table_args__ = (Index("ix_identity_checks_person", "person_id", "checked_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    outcome: Mapped[str] = mapped_column(String(40))  # confirmed, or a case type
    detail: Mapped[str | None] = mapped_column(String(40))  # typo, other_person, swapped, other …
    person_digest: Mapped[str] = mapped_column(String(64))  # sha256 of the fields the check compared
    asked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # when ЕСИА answered
    account: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the ЕСИА answer the outcome rests on
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {field: [local, esia]}, other holders …


class IdentityCaseRow(Base):
    """A problem with a person's identity for the clerk to resolve. At most one open case per person and type."""

    __tablename__ = "identity_cases"
    __table_args__ = (
        Index(
            "uq_identity_cases_open",
            "person_id",
            "case_type",
            unique=True,
            sqlite_where=_OPEN_CASE,
            postgresql_where=_OPEN_CASE,
        ),
        Index("ix_identity_cases_queue", "school_id", "status", "case_type"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    case_type: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(40))
    class_name: Mapped[str | None] = mapped_column(String(50))  # the person's class when the case was last seen
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, closed (fixed), dismissed (checked)
    assignee: Mapped[str | None] = mapped_column(String(100))
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    candidates: Mapped[list[Any] | None] = mapped_column(JSON)  # ranked: [{source, remote_id, probability, …}]
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(200))
    close_reason: Mapped[str | None] = mapped_column(Text)


class IdentityCaseEventRow(Base):
    """The history of a case: opened, seen again, reassigned, corrected, dismissed, closed by a verification."""

    __tablename__ = "identity_case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("identity_cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class IdentityLabelRow(Base):
    """A clerk's decision that later checks and matching respect: 'not_an_error' for a case type with the
    evidence it was judged on (new evidence reopens it), 'match' / 'non_match' for a candidate record."""

    __tablename__ = "identity_labels"
    __table_args__ = (Index("ix_identity_labels_person", "person_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    case_type: Mapped[str | None] = mapped_column(String(40))
    evidence_digest: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(64))  # esia, dnevnik, ecp …
    remote_id: Mapped[str | None] = mapped_column(String(128))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WebUserRow(Base):
    """A local account for the clerk's pages. Roles: admin, clerk, viewer (a viewer changes nothing), deputy."""

    __tablename__ = "web_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Every school, present and future (admins only); otherwise the schools in web_user_schools, none: nothing.
    all_schools: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class WebUserSchoolRow(Base):
    """A school whose cases, persons and reports the account may read (and, unless a viewer, change)."""

    __tablename__ = "web_user_schools"
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True, index=True)


class WebSessionRow(Base):
    """A signed-in browser. The cookie holds a random token; only its sha256 is stored. Expires when idle."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie token
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# ---- scheduler: one row per trigger fire, and the leases that keep a school and platform to one run ----------


class JobRunRow(Base):
    """One fire of a scheduled job for one school (or a `jobs run`). The unique key on (job, school,
    scheduled_for) is what makes a trigger run once when several daemons share the database: the second
    daemon's insert fails and it leaves the fire alone. Times are UTC."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "school", "scheduled_for"),
        Index("ix_job_runs_school_platform", "school", "platform", "scheduled_for"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # sync, verify, reconcile, archive
    school: Mapped[str] = mapped_column(String(64))  # the school's code, as in the configuration
    platform: Mapped[str] = mapped_column(String(64))  # the platform the run holds the lease on
    scheduled_for: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # the trigger's fire time
    trigger: Mapped[str] = mapped_column(String(20))  # schedule, manual
    # running, done, failed, skipped (the lease was held), interrupted (stopped before a retry),
    # abandoned (its daemon died: another took the expired lease)
    status: Mapped[str] = mapped_column(String(20), default="running")
    holder: Mapped[str] = mapped_column(String(200))  # the daemon (host:pid:instance) or cli:<user>
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what the service reported (run ids, counts)


class JobLeaseRow(Base):
    """Who may run a job on a school and platform now. Taken by an insert or by taking over an expired row,
    kept alive by a heartbeat, deleted at the end; a daemon that dies leaves a row that expires."""

    __tablename__ = "job_leases"
    school: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(64), primary_key=True)
    job: Mapped[str] = mapped_column(String(100))
    holder: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[int | None] = mapped_column(Integer)  # the job_runs row being run under the lease
    # The holder's machine and process: a process on the same machine that finds it gone takes the lease at once.
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class RateBucketRow(Base):
    """A platform's rate limit shared by every process calling it with one partner token: when its next request
    slot is free (seconds since the epoch). Granting moves it forward in one UPDATE (store/rate_buckets.py)."""

    __tablename__ = "rate_buckets"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of kind, base URL and client identity
    label: Mapped[str] = mapped_column(String(300))  # kind and base URL, for an operator reading the table
    next_free: Mapped[float] = mapped_column(Float(precision=53))


# ---- reconciliation: the night's report per school and platform ----------------------------------------------


class ReconciliationReportRow(Base):
    """One reconciliation of a school with a platform: the whole report (reconciliation/report.py) as JSON, the
    per-section totals for the trend, and where its rendered files were written."""

    __tablename__ = "reconciliation_reports"
    __table_args__ = (Index("ix_reconciliation_reports_school", "school_id", "platform", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[dt.date] = mapped_column(Date)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, done, failed
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # section key -> findings
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # Report.model_dump(mode="json")
    files: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # format -> path (html, xlsx, json)
    error: Mapped[str | None] = mapped_column(Text)


_ACTIVE_JUSTIFICATION = text("withdrawn_at IS NULL")


class FinalChangeJustificationRow(Base):
    """The deputy director's permission for a period or year final changed after its period closed (regulation
    000 §3.3.11): who permitted it, why, and the document. It covers the final (`mark_key`, the local key the
    report shows) while it holds `value`; a later different change is unjustified again. Withdrawn, it stays."""

    __tablename__ = "final_change_justifications"
    __table_args__ = (
        Index(
            "uq_final_change_justifications_active",
            "school_id",
            "platform",
            "mark_key",
            "value",
            unique=True,
            sqlite_where=_ACTIVE_JUSTIFICATION,
            postgresql_where=_ACTIVE_JUSTIFICATION,
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    mark_key: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(16))  # the final's value the permission is for
    permitted_by: Mapped[str] = mapped_column(String(200))  # the deputy director's name
    reason: Mapped[str] = mapped_column(Text)
    document: Mapped[str] = mapped_column(String(300))  # «приказ № 12 от 03.11.2026», the explanatory note …
    recorded_by: Mapped[str] = mapped_column(String(200))  # "clerk:petrova" (web) or "cli:finals-justify"
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PlatformWorkTypeRow(Base, _Timestamps):
    """A platform's work type at a school (Дневник.ру `work-types/{school}`): marks keep the platform's id in
    `MarkRow.work_type`, and the report shows this title for it."""

    __tablename__ = "platform_work_types"
    __table_args__ = (UniqueConstraint("school_id", "platform", "remote_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str] = mapped_column(String(100))  # as long as MarkRow.work_type, which holds it
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(64))  # the platform's kind: CommonWork, PeriodMark, …
