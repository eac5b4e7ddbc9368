"""One sync run of a school with a platform: read both sides, link, plan, hold or apply, pull; all in the run log.

The same function serves `edugateway sync`, the scheduler and the demo. Every run holds the school and platform's
lease (store/run_lease.py) from before its run log row is written until it ends, so a run still marked running
when another takes the lease was left by a dead process: it is marked abandoned, and its unanswered writes are
sent again (sync/push.py). A run whose plan would delete or deactivate more than the configured share of an
entity stops before applying, is recorded as on hold, and goes on only when a later run names it with `approve`.

How a run ends (the CLI's exit code in brackets): done [0]; partial [1] when some writes were refused or some
records read could not be stored, each listed in the run log with its reason; failed [2] when a platform or the
database failed, or when not one of the run's writes landed; on_hold [3]. A run refused because another holds the
lease never starts (Busy) [4].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.exc import DBAPIError
from structlog.contextvars import bind_contextvars

from edugateway.config.settings import PlatformKind, SchoolPlatformSettings, Settings
from edugateway.connectors.base import Connector, FilesYearFinalsUnderSyntheticPeriod, Op, SearchesBySnils
from edugateway.connectors.factory import open_connector
from edugateway.domain.entities import Direction, Entity
from edugateway.domain.models import Enrollment, EnrollmentRole, ReportingPeriodKind, SchoolClass
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.errors import ConfigError, GatewayError, StoreError
from edugateway.identity.cases import CaseChanges
from edugateway.identity.link_cases import PERSONS_JOURNAL, apply_link_candidates, shown_candidate
from edugateway.identity.linkage import Label
from edugateway.logs import get_logger, run_context
from edugateway.progress import progress
from edugateway.store.cases import Cases
from edugateway.store.cursors import restart_cursors
from edugateway.store.db import Database
from edugateway.store.db_errors import describe_database_error
from edugateway.store.id_links import IdLinks
from edugateway.store.job_leases import Held, LeaseKey
from edugateway.store.run_lease import hold_lease, require_lease
from edugateway.store.snapshots import load_snapshot
from edugateway.store.sync_run_log import EntityCounts, SyncRunLog
from edugateway.sync import linking
from edugateway.sync.compare import compare_classes, compare_persons
from edugateway.sync.directions import resolve_directions
from edugateway.sync.ecp_contingent import EcpContingent
from edugateway.sync.journal_push import JOURNAL_ADAPTERS
from edugateway.sync.journal_scope import JOURNAL_PUSHED, local_journal_to_push
from edugateway.sync.journal_send import CONFLICT, drain_journal
from edugateway.sync.plan import SyncPlan
from edugateway.sync.pull import pull_journal
from edugateway.sync.pull_cursor import lookback_days_of
from edugateway.sync.push import PushAdapter, PushChange, drain, enqueue, plan_push

log = get_logger(__name__)

ROSTER_LINKED = (Entity.PERSONS, Entity.CLASSES, Entity.SUBJECTS, Entity.PERIODS)
JOURNAL = (Entity.LESSONS, Entity.MARKS, Entity.FINAL_MARKS, Entity.ATTENDANCE)
DEFAULT_ENTITIES = (*ROSTER_LINKED, *JOURNAL)
PUSH_ADAPTERS: dict[tuple[PlatformKind, Entity], PushAdapter] = {
    (PlatformKind.ECP, Entity.PERSONS): EcpContingent(),
    # The school's own journal onto Дневник.ру / ИСУОД's lessons (sync/journal_push.py)
    **{(PlatformKind.DNEVNIK, adapter.entity): adapter for adapter in JOURNAL_ADAPTERS},
}


@dataclass(frozen=True)
class SyncRequest:
    school: str
    platform: str
    entities: Sequence[Entity] = DEFAULT_ENTITIES
    dry_run: bool = False
    approve: int | None = None  # the id of a run on hold whose deletions are approved
    until: dt.date | None = None  # pulls read up to this day (default: today)
    # Asked between pull windows: true ends the run after the window stored (status stopped); the next run goes on.
    stop: Callable[[], bool] | None = None
    wait: bool = False  # another run holds the school and platform: wait for it instead of refusing (Busy)


@dataclass(frozen=True)
class SyncOutcome:
    run_id: int
    status: str  # done, partial, failed (every write refused), on_hold, stopped; see the module's docstring
    plan: SyncPlan
    error: str | None = None  # why the run is not done: what was refused or skipped, or why it failed
    abandoned: tuple[int, ...] = ()  # runs left running by dead processes, marked abandoned by this one
    counts: dict[str, EntityCounts] = field(default_factory=dict)  # per entity, as the run log holds them


def _class_names(classes: Sequence[SchoolClass], enrollments: Sequence[Enrollment]) -> dict[str, str]:
    """person -> the name of their class (not a subgroup)."""
    homerooms = {c.id: c.name for c in classes if c.parent_id is None}
    return {
        e.person_id: homerooms[e.class_id]
        for e in enrollments
        if e.class_id in homerooms and e.role is EnrollmentRole.STUDENT
    }


async def _read_roster(connector: Connector, entities: Sequence[Entity]) -> dict[str, Any]:
    """The platform's side of the roster entities asked for (and what linking persons needs)."""
    caps = connector.capabilities
    remote: dict[str, Any] = {}
    if Entity.CLASSES in entities or Entity.PERSONS in entities:
        progress().stage(Entity.CLASSES.value, "reading the platform's roster")
        remote["classes"] = {r.remote_id: r.record async for r in connector.classes()}
    if Entity.PERSONS in entities:
        progress().stage(Entity.PERSONS.value, "reading the platform's roster")
        remote["persons"] = {r.remote_id: r.record async for r in connector.persons()}
        remote["enrollments"] = (
            [r.record async for r in connector.enrollments()] if caps.allows(Entity.ENROLLMENTS, Op.READ) else []
        )
    if Entity.SUBJECTS in entities:
        progress().stage(Entity.SUBJECTS.value, "reading the platform's roster")
        remote["subjects"] = {r.remote_id: r.record async for r in connector.subjects()}
    if Entity.PERIODS in entities:
        progress().stage(Entity.PERIODS.value, "reading the platform's roster")
        remote["periods"] = {r.remote_id: r.record async for r in connector.periods()}
    return remote


async def _link(
    ids: IdLinks, snapshot: SchoolSnapshot, remote: dict[str, Any], connector: Connector, *, review: float
) -> linking.LinkOutcome:
    outcome = linking.LinkOutcome()
    if "classes" in remote:
        linking.link_classes(ids, snapshot.classes, list(remote["classes"].items()), outcome)
    if "subjects" in remote:
        linking.link_subjects(ids, snapshot.subjects, list(remote["subjects"].items()), outcome)
    if "periods" in remote:
        remote_periods = list(remote["periods"].items())
        if isinstance(connector, FilesYearFinalsUnderSyntheticPeriod):
            # e.g. Дневник.ру: no year period; its year finals name a synthetic one, linked to the local year
            year = next((p for p in snapshot.periods if p.kind is ReportingPeriodKind.YEAR), None)
            if year is not None:
                remote_periods.append((connector.year_period_id, year))
        linking.link_periods(ids, snapshot.periods, remote_periods, outcome)
    if "persons" in remote:
        local_classes = _class_names(snapshot.classes, snapshot.enrollments)
        remote_classes = _class_names(list(remote["classes"].values()), remote["enrollments"])
        local = [linking.PersonSide(p.id, p, local_classes.get(p.id)) for p in snapshot.persons]
        others = [linking.PersonSide(k, p, remote_classes.get(k)) for k, p in remote["persons"].items()]
        search = connector.search_by_snils if isinstance(connector, SearchesBySnils) else None
        labels = [
            Label(key, remote_id, match)
            for key, remote_id, match in Cases(ids.session).pair_labels(ids.school_id, ids.platform)
        ]
        await linking.link_persons(ids, local, others, outcome, search_by_snils=search, labels=labels, review=review)
    return outcome


def _open_link_cases(ids: IdLinks, snapshot: SchoolSnapshot, outcome: linking.LinkOutcome) -> CaseChanges:
    """The run's person candidates as the clerk's cases; the ones whose question is gone close."""
    proposed: dict[str, list[dict[str, Any]]] = {}
    for c in outcome.candidates:
        if c.entity == Entity.PERSONS.value:
            record = outcome.remote_records[c.remote_id]
            proposed.setdefault(c.local_key, []).append(shown_candidate(ids.platform, record, c.score, c.agreement))
    return apply_link_candidates(
        Cases(ids.session),
        school_id=ids.school_id,
        platform=ids.platform,
        proposed=proposed,
        class_names=_class_names(snapshot.classes, snapshot.enrollments),
        actor=ids.actor,
        now=dt.datetime.now(dt.UTC),
    )


def _over_share(deletes: int, total: int, share: float) -> bool:
    return total > 0 and deletes / total > share


async def run_sync(
    db: Database,
    settings: Settings,
    request: SyncRequest,
    *,
    connector: Connector | None = None,
    lease_holder: str | None = None,
) -> SyncOutcome:
    """Runs one sync under the school and platform's lease: taken here, or already held by `lease_holder` (the
    scheduler's runner holds it for the whole job). Raises Busy when another run holds it and `request.wait` is
    false; a run that fails is recorded as failed and its error raised."""
    with run_context(school=request.school, platform=request.platform):
        key = LeaseKey(request.school, request.platform)
        ttl = dt.timedelta(seconds=settings.scheduler.lease_ttl_s)
        if lease_holder is not None:  # the scheduler's runner took it, and marked what a dead holder left
            require_lease(db, key, lease_holder, ttl=ttl)
            return await _run_held(db, settings, request, connector, abandoned=())
        with hold_lease(db, key, job="sync", ttl=ttl, wait=request.wait, on_wait=_waiting) as held:
            return await _run_held(db, settings, request, connector, abandoned=held.abandoned_runs)


def _waiting(held: Held) -> None:
    log.info("sync.waiting_for_lease", held_by=held.describe())


async def _run_held(
    db: Database, settings: Settings, request: SyncRequest, connector: Connector | None, *, abandoned: tuple[int, ...]
) -> SyncOutcome:
    snapshot = load_snapshot(db, request.school)
    platform = settings.school_platform(request.platform)
    conn = connector or open_connector(settings, request.platform, snapshot.school)
    try:
        outcome = await _run(db, settings, request, snapshot, platform, conn)
    finally:
        if connector is None:
            await conn.aclose()
    return replace(outcome, abandoned=abandoned)


async def _run(
    db: Database,
    settings: Settings,
    request: SyncRequest,
    snapshot: SchoolSnapshot,
    platform: SchoolPlatformSettings,
    conn: Connector,
) -> SyncOutcome:
    entities = list(request.entities)
    if entities == list(DEFAULT_ENTITIES):  # homework is pushed when configured so, though not synced by default
        entities += [e for e in JOURNAL_PUSHED if platform.directions.get(e) is Direction.PUSH and e not in entities]
    directions = resolve_directions(request.platform, conn.capabilities, entities, platform.directions)
    unsupported = [
        e.value for e, d in directions.items() if d is Direction.PUSH and (platform.kind, e) not in PUSH_ADAPTERS
    ]
    if unsupported:
        raise ConfigError(
            f"the gateway does not push {', '.join(unsupported)} to {platform.kind.value} platforms yet; set "
            f"platforms.{request.platform}.directions for them to compare or pull"
        )
    if (
        any(directions.get(e) is Direction.PUSH for e in JOURNAL_PUSHED)
        and directions.get(Entity.LESSONS) is Direction.PULL
    ):
        # The school's lessons are the journal of record: pulling the platform's would store them a second time
        # beside the local ones (and their topics over the school's). They are read only to match (lesson_match).
        del directions[Entity.LESSONS]
        log.info("sync.lessons_not_pulled", reason="the journal is pushed from the school's own lessons")
    run_log = SyncRunLog.start(
        db, request.school, request.platform, {e.value: d.value for e, d in directions.items()}, dry_run=request.dry_run
    )
    bind_contextvars(run_id=run_log.run_id)  # every line of the run names it from here; run_sync's block unbinds it
    plan = SyncPlan(run_log.run_id, request.school, request.platform, request.dry_run, directions)
    try:
        if request.approve is not None:
            run_log.approve(request.approve)
        pulled = [e for e, d in directions.items() if d is Direction.PULL]
        # Pulled records name persons, classes, subjects and periods: those are read and linked first.
        roster = {e for e in directions if directions[e] is not Direction.PULL} | (
            set(ROSTER_LINKED) if pulled else set()
        )
        remote = await _read_roster(conn, [e for e in ROSTER_LINKED if e in roster])
        for entity in ("persons", "classes", "subjects", "periods"):
            if entity in remote:
                run_log.of(entity).read = len(remote[entity])
        with db.session() as session:
            ids = IdLinks(
                session,
                run_log.school_id,
                request.platform,
                actor=f"sync:{request.platform}",
                run_id=run_log.run_id,
                entities=[e.value for e in ROSTER_LINKED],
            )
            outcome = await _link(ids, snapshot, remote, conn, review=settings.identity.review_probability)
            for entity, n in outcome.linked.items():
                run_log.of(entity).linked = n
            if Entity.PERSONS in directions:
                plan.entity(Entity.PERSONS).comparison = compare_persons(ids, snapshot.persons, remote["persons"])
            if Entity.CLASSES in directions:
                plan.entity(Entity.CLASSES).comparison = compare_classes(ids, snapshot.classes, remote["classes"])
            if request.dry_run:
                session.rollback()  # a dry run shows the links it would make, and makes none
            elif "persons" in remote:
                plan.link_cases = _open_link_cases(ids, snapshot, outcome)
                if outcome.linked.get(Entity.PERSONS.value):  # their journal was skipped while they were unlinked
                    restart_cursors(session, ids.school_id, ids.platform, PERSONS_JOURNAL)
        plan.candidates = list(outcome.candidates)
        run_log.skip_all("read", conn.skipped)

        journal = [e for e in JOURNAL_PUSHED if directions.get(e) is Direction.PUSH]
        unmatched = 0
        if journal:  # the local journal of the lessons the platform has; the others reported, nothing sent for them
            snapshot = await local_journal_to_push(db, run_log, conn, snapshot, dry_run=request.dry_run)
            unmatched = run_log.of(Entity.LESSONS.value).skipped
        pushes = _plan_pushes(db, run_log, platform.kind, directions, snapshot, plan)
        held = [
            entity
            for entity, (adapter, changes) in pushes.items()
            if _over_share(
                sum(c.op == "delete" for c in changes),
                len(adapter.wanted(snapshot)) + sum(c.op == "delete" for c in changes),
                settings.mass_delete_share,
            )
        ]
        if held and request.approve is None:
            plan.hold = (
                f"the plan deletes more than {settings.mass_delete_share:.0%} of {', '.join(held)}; nothing was "
                f"applied. Check the plan, then run again with --approve {run_log.run_id}"
            )
            run_log.finish("on_hold", plan=plan.as_json())
            return SyncOutcome(run_log.run_id, "on_hold", plan)
        if not request.dry_run:
            for entity_name, (adapter, changes) in pushes.items():
                progress().stage(entity_name, f"sending {len(changes)} changes")
                enqueue(db, run_log, adapter, changes)
                if adapter in JOURNAL_ADAPTERS:
                    overwrite = getattr(platform, "journal_conflicts", "report") == "overwrite"
                    await drain_journal(db, run_log, adapter, conn, overwrite=overwrite)
                else:
                    await drain(db, run_log, adapter, conn)
            if pulled:
                first_day = min((p.start_date for p in snapshot.periods), default=None)
                until = request.until or dt.date.today()
                complete = await pull_journal(
                    db,
                    conn,
                    run_log,
                    entities=pulled,
                    until=until,
                    start=first_day,
                    stop=request.stop,
                    lookback_days=lookback_days_of(platform.kind),
                )
                plan.needs_mapping = run_log.needs_mapping
                if not complete:
                    plan.stopped = "stopped after a whole pull window; the next run goes on from its cursor"
                    run_log.finish("stopped", plan=plan.as_json())
                    return SyncOutcome(run_log.run_id, "stopped", plan, counts=run_log.counts)
        status, why = _ending(run_log, [Entity(e) for e in pushes], unmatched=unmatched)
        run_log.finish(status, error=why, plan=plan.as_json())
        if why:
            log.info("sync.ended", status=status, reason=why)
        return SyncOutcome(run_log.run_id, status, plan, why, counts=run_log.counts)
    except GatewayError as exc:
        run_log.finish("failed", error=str(exc), plan=plan.as_json())
        raise
    except DBAPIError as exc:
        error = _database_refused(exc)
        run_log.finish("failed", error=str(error), plan=plan.as_json())
        raise error from exc
    except Exception as exc:
        run_log.finish("failed", error=f"{type(exc).__name__}: {exc}", plan=plan.as_json())
        raise
    except BaseException:  # Ctrl-C, SIGTERM, a cancelled task: the run did not fail, it was stopped mid-way
        run_log.finish("interrupted", error="the process was stopped during the run", plan=plan.as_json())
        raise


def _ending(run_log: SyncRunLog, pushed: Sequence[Entity], *, unmatched: int = 0) -> tuple[str, str | None]:
    """done, partial or failed, and why not done: the rule of the module's docstring. A journal write refused as a
    conflict with a teacher's change on the platform (sync/journal_send.py) is for a person to decide: partial."""
    landed = refused = 0
    for entity in pushed:
        counts = run_log.of(entity.value)
        landed += counts.created + counts.updated + counts.deleted
        refused += counts.failed
    names = {e.value for e in pushed}
    conflicts = sum(1 for s in run_log.skips if s["entity"] in names and s["reason"].startswith(CONFLICT))
    # a refused write is also listed as skipped; a local lesson with no platform lesson is not a record read
    skipped = sum(c.skipped for c in run_log.counts.values()) - refused - unmatched
    refused -= conflicts
    where = f"see `edugateway runs show {run_log.run_id}`"
    if refused and not landed and not conflicts:
        first = next((s["reason"] for s in run_log.skips if s["entity"] in names), "")
        return "failed", f"none of the {refused} writes to {run_log.platform} landed; first refusal: {first}; {where}"
    if refused or skipped or conflicts or unmatched:
        parts = [f"{refused} {_plural(refused, 'write')} refused"] if refused else []
        parts += (
            [f"{conflicts} {_plural(conflicts, 'conflict')} with changes made on the platform"] if conflicts else []
        )
        parts += [f"{unmatched} local {_plural(unmatched, 'lesson')} not on the platform"] if unmatched else []
        parts += [f"{skipped} {_plural(skipped, 'record')} read but not stored"] if skipped else []
        return "partial", f"{', '.join(parts)}, each with its reason; {where}"
    return "done", None


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else f"{noun}s"


def _database_refused(exc: DBAPIError) -> StoreError:
    """A conflict with another process, or a database that went away, as an error a person can act on."""
    return StoreError(describe_database_error(exc))


def _plan_pushes(
    db: Database,
    run_log: SyncRunLog,
    kind: PlatformKind,
    directions: dict[Entity, Direction],
    snapshot: SchoolSnapshot,
    plan: SyncPlan,
) -> dict[str, tuple[PushAdapter, list[PushChange]]]:
    out: dict[str, tuple[PushAdapter, list[PushChange]]] = {}
    for entity, direction in directions.items():
        adapter = PUSH_ADAPTERS.get((kind, entity))
        if direction is not Direction.PUSH or adapter is None:
            continue
        changes = plan_push(db, run_log.school_id, run_log.platform, adapter, snapshot)
        out[entity.value] = (adapter, changes)
        plan.entity(entity).push = changes
    return out
