"""Journal pulls: lessons (with topics and homework), marks, final marks and attendance from a platform into the
local database, window by window.

Per entity the pull reads from `lookback_days` before its cursor (marks may be entered up to 7 days late) or from
`start` on the first pull, to `until`, in windows of `window_days`. A window is read whole from the connector,
then stored in one transaction that also moves the cursor to the window's last day: a crash leaves the cursor
where it was and the rerun redoes that window, idempotently (unchanged records are not written at all). Final
marks are not dated on the platforms' APIs; they are read whole and stored in batches.

Records whose person, class, lesson or period has no local counterpart are skipped into the run log with the
reason; records the connector could not map come from `connector.skipped`. A subject the school lacks does not
skip its records: linking holds it for the platform (store/held_subjects.py). A lesson whose teacher is not
linked is stored without one and keeps the platform's reference; a pull first fills in the teachers linked since.
What is kept under the platform's references goes to the run log as `needs_mapping` when the pull ends, with the
platform's subgroups the school has no subgroup for, whose lessons went under their class (sync/subgroups.py).
A platform whose marks name their work type by its id (NamesWorkTypes) has its work types stored with the marks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, runtime_checkable

from edugateway.connectors.base import DateRange, NamesWorkTypes, Remote, Skipped
from edugateway.domain.entities import Entity
from edugateway.domain.models import Attendance, Lesson, Mark
from edugateway.logs import get_logger
from edugateway.progress import progress
from edugateway.store.cursors import CursorKey, advance_cursor, read_cursor
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks, WindowIdLinks
from edugateway.store.local_subgroups import load_local_subgroups
from edugateway.store.needs_mapping import read_needs_mapping
from edugateway.store.pulled_journal import LocalRoster, WindowWriter, fill_linked_teachers, load_lessons
from edugateway.store.sync_run_log import SyncRunLog, Tally
from edugateway.store.work_types import store_work_types
from edugateway.sync.pull_cursor import DEFAULT_LOOKBACK_DAYS, pull_span
from edugateway.sync.pull_resolve import Pulled, Resolver, Unresolved
from edugateway.sync.subgroups import NamesSubgroupsOnly, SubgroupFiler

log = get_logger(__name__)

JOURNAL_ENTITIES = (Entity.LESSONS, Entity.MARKS, Entity.FINAL_MARKS, Entity.ATTENDANCE)  # the order they pull in
ROSTER_ENTITIES = (Entity.PERSONS, Entity.CLASSES, Entity.SUBJECTS, Entity.PERIODS)
DEFAULT_WINDOW_DAYS = 30
FINAL_MARKS_BATCH = 2000  # final marks per transaction: they come undated, so batches bound what is held


class JournalSource(Protocol):
    """The part of a Connector a journal pull reads; every Connector is one."""

    skipped: list[Skipped]

    def lessons(self, span: DateRange) -> AsyncIterator[Remote[Lesson]]: ...
    def marks(self, span: DateRange) -> AsyncIterator[Remote[Mark]]: ...
    def final_marks(self) -> AsyncIterator[Remote[Mark]]: ...
    def attendance(self, span: DateRange) -> AsyncIterator[Remote[Attendance]]: ...


@dataclass
class _Pull:
    """One pull's fixed inputs and the connector-skips already reported."""

    db: Database
    connector: JournalSource
    run_log: SyncRunLog
    roster: LocalRoster
    today: dt.date
    stop: Callable[[], bool]
    skipped_seen: int = 0
    subgroups: SubgroupFiler | None = None  # the platform names subgroups without ids (sync/subgroups.py)

    @property
    def platform(self) -> str:
        return self.run_log.platform

    def cursor_key(self, entity: Entity) -> CursorKey:
        return CursorKey(self.run_log.school_id, self.platform, entity.value)


async def pull_journal(
    db: Database,
    connector: JournalSource,
    run_log: SyncRunLog,
    *,
    entities: Collection[Entity | str],
    until: dt.date,
    start: dt.date | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    window_days: int = DEFAULT_WINDOW_DAYS,
    today: dt.date | None = None,
    stop: Callable[[], bool] | None = None,
) -> bool:
    """Pulls the asked journal entities of `run_log`'s school from `connector` into `db`, counting into `run_log`.

    `start` is where a first pull begins (the school year's first day) and the earliest day a look-back goes
    to; `today` is when changes are observed, for the retroactive check of final marks (default: today).
    Entities other than the journal's are ignored. A ConnectorError ends the pull; what was committed stays.
    `stop` is asked before each window: true ends the pull there (returns False), every window before it stored.
    """
    wanted = {Entity(e) for e in entities}
    with db.session() as session:
        roster = LocalRoster.load(session, run_log.school_id)
        subgroups = (
            SubgroupFiler(run_log.platform, connector, load_local_subgroups(session, run_log.school_id))
            if isinstance(connector, NamesSubgroupsOnly)
            else None
        )
    pull = _Pull(db, connector, run_log, roster, today or dt.date.today(), stop=stop or _never, subgroups=subgroups)
    if Entity.LESSONS in wanted:
        _fill_teachers(pull)
    if Entity.MARKS in wanted and isinstance(connector, NamesWorkTypes):
        await _store_work_types(pull, connector)
    complete = await _pull_entities(
        pull, wanted, until=until, start=start, lookback_days=lookback_days, window_days=window_days
    )
    with db.session() as session:
        run_log.needs_mapping = read_needs_mapping(session, run_log.school_id, pull.platform)
    if subgroups is not None:
        run_log.needs_mapping = replace(run_log.needs_mapping, subgroups=subgroups.summary())
    run_log.save()
    return complete


@runtime_checkable
class ReadsJournalByWindow(Protocol):
    """A connector whose pages serve several journal entities (ЕЦП: one pupil-week table holds marks and
    attendance): its lessons, marks and attendance are pulled window by window, so each page is read once."""

    journal_by_window: bool


async def _pull_entities(
    pull: _Pull, wanted: set[Entity], *, until: dt.date, start: dt.date | None, lookback_days: int, window_days: int
) -> bool:
    if isinstance(pull.connector, ReadsJournalByWindow) and pull.connector.journal_by_window:
        return await _pull_by_window(
            pull, wanted, until=until, start=start, lookback_days=lookback_days, window_days=window_days
        )
    for entity in JOURNAL_ENTITIES:
        if entity not in wanted:
            continue
        if pull.stop():
            return False
        if entity is Entity.FINAL_MARKS:
            await _pull_final_marks(pull, until)
        else:
            span = _span(pull, entity, until=until, start=start, lookback_days=lookback_days)
            if span is not None and not await _pull_dated(pull, entity, span, window_days):
                return False
        counts = pull.run_log.of(entity.value)
        log.info(
            "sync.pull.entity", platform=pull.platform, run_id=pull.run_log.run_id, entity=entity.value, **vars(counts)
        )
    return True


async def _pull_by_window(
    pull: _Pull, wanted: set[Entity], *, until: dt.date, start: dt.date | None, lookback_days: int, window_days: int
) -> bool:
    """Lessons, marks and attendance of one window (each entity from its own cursor), then of the next; final
    marks last. Every entity's cursor moves with each window it stored."""
    dated = [e for e in JOURNAL_ENTITIES if e in wanted and e is not Entity.FINAL_MARKS]
    found = {e: _span(pull, e, until=until, start=start, lookback_days=lookback_days) for e in dated}
    spans = {e: span for e, span in found.items() if span is not None}
    if spans:
        whole = DateRange(min(s.start for s in spans.values()), until)
        for n, window in enumerate(whole.windows(window_days)):
            if n and pull.stop():
                log.info("sync.pull.stopped", platform=pull.platform, before=str(window.start))
                return False
            for dated_entity, span in spans.items():  # lessons first: marks and attendance point at them
                first, last = max(window.start, span.start), min(window.end, span.end)
                if first <= last:
                    part = DateRange(first, last)
                    records = [remote async for remote in _reader(pull.connector, dated_entity)(part)]
                    _store_window(pull, dated_entity, records, advance_to=part.end)
    if Entity.FINAL_MARKS in wanted:
        if pull.stop():
            return False
        await _pull_final_marks(pull, until)
    for pulled in (e for e in JOURNAL_ENTITIES if e in wanted):
        log.info(
            "sync.pull.entity",
            platform=pull.platform,
            run_id=pull.run_log.run_id,
            entity=pulled.value,
            **vars(pull.run_log.of(pulled.value)),
        )
    return True


def _fill_teachers(pull: _Pull) -> None:
    """Lessons stored without their teacher get the ones linked since (a lesson out of the look-back is not re-read)."""
    run_log = pull.run_log
    with pull.db.session() as session:
        links = IdLinks(
            session, run_log.school_id, pull.platform, actor=f"sync:{pull.platform}", entities=[Entity.PERSONS.value]
        )

        def teacher_of(remote_id: str) -> int | None:
            key = links.local_key(Entity.PERSONS.value, remote_id)
            return pull.roster.persons.get(key) if key is not None else None

        filled = fill_linked_teachers(
            session,
            run_log.school_id,
            pull.platform,
            teacher_of,
            actor=f"sync:{pull.platform}",
            reason=f"sync run {run_log.run_id}: the lesson's teacher on {pull.platform} is linked now",
        )
    if filled:
        run_log.of(Entity.LESSONS.value).updated += filled
        log.info("sync.pull.teachers_filled", platform=pull.platform, run_id=run_log.run_id, lessons=filled)
        run_log.save()


async def _store_work_types(pull: _Pull, connector: NamesWorkTypes) -> None:
    """The platform's work-type titles, so the report names the work types its marks hold by id."""
    types = await connector.work_types()
    with pull.db.session() as session:
        written = store_work_types(session, pull.run_log.school_id, pull.platform, types)
    log.info(
        "sync.pull.work_types", platform=pull.platform, run_id=pull.run_log.run_id, read=len(types), written=written
    )


def _never() -> bool:
    return False


def _span(
    pull: _Pull, entity: Entity, *, until: dt.date, start: dt.date | None, lookback_days: int
) -> DateRange | None:
    with pull.db.session() as session:
        cursor = read_cursor(session, pull.cursor_key(entity))
    return pull_span(cursor, until=until, start=start, lookback_days=lookback_days)


def _reader(connector: JournalSource, entity: Entity) -> Callable[[DateRange], AsyncIterator[Remote[Any]]]:
    readers: dict[Entity, Callable[[DateRange], AsyncIterator[Remote[Any]]]] = {
        Entity.LESSONS: connector.lessons,
        Entity.MARKS: connector.marks,
        Entity.ATTENDANCE: connector.attendance,
    }
    return readers[entity]


async def _pull_dated(pull: _Pull, entity: Entity, span: DateRange, window_days: int) -> bool:
    """Reads and stores `span` window by window; False when asked to stop before a window."""
    read = _reader(pull.connector, entity)
    windows = list(span.windows(window_days))
    for n, window in enumerate(windows):
        if n and pull.stop():
            log.info("sync.pull.stopped", platform=pull.platform, entity=entity.value, before=str(window.start))
            return False
        progress().stage(entity.value, f"{window.start}…{window.end}", step=n + 1, steps=len(windows))
        records = [remote async for remote in read(window)]
        _store_window(pull, entity, records, advance_to=window.end)
    return True


async def _pull_final_marks(pull: _Pull, until: dt.date) -> None:
    batch: list[Remote[Any]] = []
    progress().stage(Entity.FINAL_MARKS.value, "the whole year")
    async for remote in pull.connector.final_marks():
        batch.append(remote)
        if len(batch) >= FINAL_MARKS_BATCH:
            _store_window(pull, Entity.FINAL_MARKS, batch, advance_to=None)
            batch = []
    # The cursor says when final marks were last read whole.
    _store_window(pull, Entity.FINAL_MARKS, batch, advance_to=until)


def _store_window(pull: _Pull, entity: Entity, records: Sequence[Remote[Any]], *, advance_to: dt.date | None) -> None:
    """Stores one window's records and moves the cursor in one transaction; then counts into the run log."""
    tally = Tally()
    tally.of(entity.value).read += len(records)
    unmapped = pull.connector.skipped[pull.skipped_seen :]
    for item in unmapped:
        tally.skip(item.entity.value, item.remote_id, item.reason)
    run_log = pull.run_log
    with pull.db.session() as session:
        links = WindowIdLinks(
            session,
            run_log.school_id,
            pull.platform,
            actor=f"sync:{pull.platform}",
            run_id=run_log.run_id,
            whole=[e.value for e in ROSTER_ENTITIES],
            remote_ids=_scope(entity, records),
            local_keys={entity.value: {f"{pull.platform}:{r.remote_id}" for r in records}},
        )
        lesson_keys = {key for rid in _lesson_ids(records) if (key := links.local_key(Entity.LESSONS, rid))}
        resolver = Resolver(
            pull.platform,
            links,
            pull.roster,
            load_lessons(session, run_log.school_id, lesson_keys),
            subgroups=pull.subgroups,
        )
        writer = WindowWriter(session, run_log.school_id, pull.platform, run_log.run_id, links, tally, pull.today)
        writer.store(entity, _resolved(resolver, entity, records, tally))
        if advance_to is not None:
            advance_cursor(session, pull.cursor_key(entity), advance_to)
    pull.skipped_seen += len(unmapped)
    tally.merge_into(run_log)
    run_log.save()


def _scope(entity: Entity, records: Sequence[Remote[Any]]) -> dict[str, set[str]]:
    """The journal links a window needs: its own records', and those of the lessons its records point at."""
    scope = {entity.value: {r.remote_id for r in records}}
    scope.setdefault(Entity.LESSONS.value, set()).update(_lesson_ids(records))
    return scope


def _lesson_ids(records: Sequence[Remote[Any]]) -> set[str]:
    """The platform's lesson ids the window's marks and attendance point at."""
    return {lesson_id for r in records if (lesson_id := getattr(r.record, "lesson_id", None))}


def _resolved(resolver: Resolver, entity: Entity, records: Sequence[Remote[Any]], tally: Tally) -> list[Pulled]:
    out: list[Pulled] = []
    for remote in records:
        try:
            out.append(resolver.resolve(entity, remote))
        except Unresolved as exc:
            tally.skip(entity.value, remote.remote_id, str(exc))
    return out
