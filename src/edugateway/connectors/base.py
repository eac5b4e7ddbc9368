"""What every connector offers: per-entity capabilities, streaming reads, batched writes with per-record results.

A connector speaks one platform's real protocol and hands back canonical records (edugateway.domain) paired
with the platform's own ids; it never touches the database. Reads are async iterators so a platform that
pages or windows its answers is never held whole in memory. Writes take a batch and answer per record, so
one rejected record never fails the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Flag, auto
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from edugateway.domain.entities import Entity
from edugateway.domain.models import (
    Attendance,
    Enrollment,
    Lesson,
    Mark,
    Person,
    ReportingPeriod,
    SchoolClass,
    Subject,
    WorkType,
)
from edugateway.errors import ConnectorError, ValidationError

T = TypeVar("T")


class Op(Flag):
    NONE = 0
    READ = auto()
    CREATE = auto()
    UPDATE = auto()
    DELETE = auto()
    WRITE = CREATE | UPDATE | DELETE


@dataclass(frozen=True)
class Capabilities:
    """Per entity, what the platform lets the gateway do; anything absent is Op.NONE."""

    ops: Mapping[Entity, Op]

    def allows(self, entity: Entity, op: Op) -> bool:
        return op in self.ops.get(entity, Op.NONE)

    def require(self, platform: str, entity: Entity, op: Op) -> None:
        """Raises a ConnectorError naming the platform, entity and operation when it is not offered."""
        if not self.allows(entity, op):
            offered = ", ".join(str(o.name).lower() for o in Op if o.name and o in self.ops.get(entity, Op.NONE))
            raise ConnectorError(
                f"{platform} does not offer {str(op.name).lower()} for {entity.value} "
                f"(it offers: {offered or 'nothing'}); set this entity's direction to 'compare' or 'pull' in the "
                "sync job instead"
            )


@dataclass(frozen=True)
class Remote(Generic[T]):
    """A canonical record as a platform holds it: the platform's id and the raw object it was mapped from."""

    remote_id: str
    record: T
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class WriteResult:
    """What happened to one record of a batched write. `key` is the caller's id for the record."""

    key: str
    ok: bool
    remote_id: str | None = None
    error: str | None = None  # the platform's reason, for the run log and the report
    # The platform failed, not the record (an outage, 5xx, 429 after retries, a timeout, refused credentials):
    # the outbox keeps the record queued and the sync run fails. False: the platform refused the record itself.
    retryable: bool = False


@dataclass(frozen=True)
class Skipped:
    """A platform record a read could not map to the canonical model: counted and reported with its reason
    (for the run log), never silently dropped, and never the end of the read."""

    entity: Entity
    remote_id: str
    reason: str


def map_or_skip(
    skipped: list[Skipped], entity: Entity, remote_id: object, build: Callable[..., T], *args: Any, **kwargs: Any
) -> T | None:
    """`build(*args, **kwargs)`, or None after recording why the record could not be mapped (a ValidationError)."""
    try:
        return build(*args, **kwargs)
    except ValidationError as exc:
        skipped.append(Skipped(entity, str(remote_id), str(exc)))
        return None


@dataclass(frozen=True)
class DateRange:
    """Both ends inclusive, as the platforms' startDate/endDate parameters are."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(f"date range ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def windows(self, max_days: int) -> Iterator[DateRange]:
        """Consecutive windows of at most `max_days` days that cover the range exactly once."""
        if max_days < 1:
            raise ValueError("a window holds at least one day")
        start = self.start
        while start <= self.end:
            end = min(self.end, start + dt.timedelta(days=max_days - 1))
            yield DateRange(start, end)
            start = end + dt.timedelta(days=1)


@runtime_checkable
class Connector(Protocol):
    """One platform for one school. Reads raise ConnectorError subclasses when the platform fails and skip (into
    `skipped`) a record they cannot map; writes answer per record."""

    platform: str
    capabilities: Capabilities
    skipped: list[Skipped]  # records the reads so far could not map, with the reason

    def persons(self) -> AsyncIterator[Remote[Person]]: ...
    def classes(self) -> AsyncIterator[Remote[SchoolClass]]: ...
    def enrollments(self) -> AsyncIterator[Remote[Enrollment]]: ...
    def subjects(self) -> AsyncIterator[Remote[Subject]]: ...
    def periods(self) -> AsyncIterator[Remote[ReportingPeriod]]: ...
    def lessons(self, span: DateRange) -> AsyncIterator[Remote[Lesson]]: ...
    def marks(self, span: DateRange) -> AsyncIterator[Remote[Mark]]: ...
    def final_marks(self) -> AsyncIterator[Remote[Mark]]: ...
    def attendance(self, span: DateRange) -> AsyncIterator[Remote[Attendance]]: ...

    async def write(self, entity: Entity, op: Op, records: Sequence[Any]) -> list[WriteResult]: ...

    async def aclose(self) -> None: ...


# --- optional capabilities: a connector offers them by having the member; callers ask with isinstance ---------


@runtime_checkable
class SearchesBySnils(Protocol):
    """The platform finds its persons by SNILS (it never returns the SNILS itself): linking asks it for the
    local persons no other key matched."""

    async def search_by_snils(self, snils: str) -> list[str]:
        """The platform's ids of the persons it holds with this SNILS (11 digits)."""
        ...


@runtime_checkable
class FilesYearFinalsUnderSyntheticPeriod(Protocol):
    """The platform has no reporting period for the school year: its year finals name `year_period_id`
    instead, an id of no real period, which sync links to the local year period."""

    year_period_id: str


@runtime_checkable
class NamesWorkTypes(Protocol):
    """The platform's marks name their work type by an id of the platform's (Дневник.ру); the journal pull stores
    the school's work types so the report can show their titles. ЕЦП marks carry no work type."""

    async def work_types(self) -> list[WorkType]:
        """The school's work types, as the platform lists them."""
        ...


@dataclass(frozen=True)
class PlatformWork:
    """A work as the platform keeps it: what a mark is given for (Дневник.ру: a lesson's own work, a control
    work, a homework, or a period/year final's work of the group and subject)."""

    id: str
    kind: str  # the platform's type: Homework, LessonWork, CommonWork, PeriodMark, YearMark
    group_id: str
    subject_id: str | None = None
    lesson_id: str | None = None
    work_type: str | None = None  # the platform's work-type id (its title is in platform_work_types)
    period_id: str | None = None  # a PeriodMark's reporting period
    text: str | None = None  # a homework's text


@dataclass(frozen=True)
class WorkOrder:
    """A work to make on the platform for a push: a control work or homework on a lesson, or the work a period or
    year final is given for."""

    kind: str
    group_id: str
    subject_id: str
    lesson_id: str | None = None
    work_type: str | None = None
    period_id: str | None = None
    text: str | None = None


@runtime_checkable
class KeepsJournalWorks(Protocol):
    """The platform gives marks for works (Дневник.ру): a push of marks, homework and finals finds or makes the
    work first, and after a crash asks what a person already has on a work before sending a mark again."""

    async def lesson_works(self, lesson_id: str) -> list[PlatformWork]:
        """The works of one platform lesson."""
        ...

    async def final_works(self, group_id: str) -> list[PlatformWork]:
        """The group's period and year final works (kind PeriodMark / YearMark), every subject and period."""
        ...

    async def create_work(self, order: WorkOrder) -> PlatformWork:
        """Makes the work; raises ConnectorError (ValidationError when the platform refuses the order)."""
        ...

    async def work_marks(self, person_id: str, work_id: str) -> list[Remote[Mark]]:
        """The marks a person has on one work, as the platform holds them now."""
        ...

    async def lesson_attendance(self, lesson_id: str) -> list[Attendance]:
        """One platform lesson's attendance entries as the platform holds them now (present pupils have none)."""
        ...
