"""One reconciliation of a school with a platform: read the platform's side, compare it with the local one,
add the open identity cases and the journal's compliance, store the report and write its files.

The same function serves `edugateway reconcile` and the scheduler's reconcile jobs. The report row is written
first (running) and ends done or failed with the error, so a run that dies is visible in the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
from structlog.contextvars import bind_contextvars

from edugateway.config.settings import PlatformKind, Settings
from edugateway.connectors.base import DateRange
from edugateway.connectors.factory import open_connector
from edugateway.domain.entities import Entity
from edugateway.errors import ConfigError
from edugateway.logs import get_logger, run_context
from edugateway.reconciliation.columns import LINKS_SCHEMA, local_schema
from edugateway.reconciliation.compare import EntityFindings, compare_entity, comparison_engine
from edugateway.reconciliation.entities import JOURNAL, ROSTER, SPECS
from edugateway.reconciliation.labels import Labels
from edugateway.reconciliation.remote_side import remote_tables
from edugateway.reconciliation.report import Report, Section
from edugateway.reconciliation.sections import (
    ENTITY_TITLES,
    FIELD_TITLES,
    entity_sections,
    identity_section,
    needs_mapping_section,
)
from edugateway.store.db import Database
from edugateway.store.local_side import RosterScope, links_table, local_table
from edugateway.store.reports import fail_report, finish_report, start_report, summary_before
from edugateway.store.schools import StoredSchool, find_school, first_period_start
from edugateway.store.snapshots import load_snapshot

log = get_logger(__name__)

ALL_ENTITIES = (*ROSTER, *JOURNAL)
_REF_ENTITIES = tuple(
    e.value for e in (Entity.PERSONS, Entity.CLASSES, Entity.SUBJECTS, Entity.PERIODS, Entity.LESSONS)
)


@dataclass(frozen=True)
class ReconcileRequest:
    school: str
    platform: str
    as_of: dt.date | None = None  # the last journal day compared (default: yesterday, in the school's time zone)
    entities: Sequence[str] = ALL_ENTITIES
    write_files: bool = True


@dataclass(frozen=True)
class ReconcileOutcome:
    report_id: int
    report: Report
    previous_summary: dict[str, int] | None
    files: dict[str, Path] = field(default_factory=dict)


def reports_dir(settings: Settings) -> Path:
    return settings.reconcile.reports_dir or settings.data_dir / "reports"


def _school(db: Database, code: str) -> StoredSchool:
    school = find_school(db, code)
    if school is None:
        raise ConfigError(f"no school {code!r} in the local database; import it first (edugateway import …)")
    return school


def _span(db: Database, school_id: int, as_of: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """The last `days` days up to `as_of`, not before the school year began."""
    first = first_period_start(db, school_id, ending_on_or_after=as_of - dt.timedelta(days=days))
    start = as_of - dt.timedelta(days=days - 1)
    return (max(start, first) if first and first <= as_of else start), as_of


async def _read_platform(
    db: Database, settings: Settings, school: StoredSchool, platform: str, entities: Sequence[str], span: DateRange
) -> dict[str, pa.Table]:
    snapshot = load_snapshot(db, school.code)
    connector = open_connector(settings, platform, snapshot.school)
    try:
        return await remote_tables(connector, entities, span)
    finally:
        await connector.aclose()


# What each platform kind's read side holds of the roster (the ЕЦП connector reads pupils and homerooms).
SCOPES = {PlatformKind.ECP: RosterScope(pupils_only=True, homerooms_only=True)}
SCOPE_NOTES = {
    PlatformKind.ECP: "ГИС ЕЦП отдаёт только учеников и классы без подгрупп: учителя и подгруппы не сверялись."
}


def _compare_all(
    db: Database,
    school_id: int,
    platform: str,
    remote: dict[str, pa.Table],
    span: tuple[dt.date, dt.date],
    scope: RosterScope,
) -> tuple[list[EntityFindings], Labels]:
    findings: list[EntityFindings] = []
    with db.session() as session, comparison_engine() as con:
        links = links_table(
            session, school_id=school_id, platform=platform, entities=_REF_ENTITIES, schema=LINKS_SCHEMA
        )
        for entity in ALL_ENTITIES:
            if entity not in remote:
                continue
            spec = SPECS[entity]
            local = local_table(
                session,
                entity,
                school_id=school_id,
                platform=platform,
                span=span,
                scope=scope,
                schema=local_schema(entity),
            )
            findings.append(compare_entity(con, spec, local, remote[entity], links))
        labels = Labels.load(session, school_id)
        labels.load_lessons(session, school_id, _lesson_keys(findings))
    return findings, labels


def _lesson_keys(findings: list[EntityFindings]) -> set[str]:
    keys: set[str] = set()
    for f in findings:
        records = [*f.only_local, *f.only_remote, *(d["local"] for d in f.different)]
        keys.update(r["lesson_key"] for r in records if r.get("lesson_key"))
    return keys


def _notes(
    entities: Sequence[str], remote: dict[str, pa.Table], findings: list[EntityFindings], platform: str
) -> list[str]:
    notes = [
        f"{ENTITY_TITLES[e]}: платформа {platform} не отдаёт их для сверки, они не сравнивались."
        for e in entities
        if e not in remote
    ]
    for f in findings:
        if f.not_kept:
            fields = ", ".join(FIELD_TITLES.get(n, n) for n in f.not_kept)
            notes.append(
                f"{ENTITY_TITLES[f.entity]}: платформа {platform} не хранит поля «{fields}», они не сравнивались."
            )
    return notes


def _compliance(
    db: Database, settings: Settings, school_id: int, platform: str, span: tuple[dt.date, dt.date]
) -> tuple[list[Section], dict[str, float]]:
    """The journal's compliance with DOMAIN.md's rules, from the data pulled from this platform."""
    from edugateway.reconciliation.compliance import compliance_sections

    with db.session() as session:
        return compliance_sections(
            session,
            school_id=school_id,
            platform=platform,
            settings=settings.school_platform(platform),
            as_of=span[1],
            span=span,
        )


async def reconcile(db: Database, settings: Settings, request: ReconcileRequest) -> ReconcileOutcome:
    with run_context(school=request.school, platform=request.platform):
        return await _reconcile(db, settings, request)


async def _reconcile(db: Database, settings: Settings, request: ReconcileRequest) -> ReconcileOutcome:
    kind = settings.school_platform(request.platform).kind  # an unknown platform is refused before any row
    unknown = [e for e in request.entities if e not in SPECS]
    if unknown:
        raise ConfigError(f"cannot reconcile {', '.join(unknown)}; known: {', '.join(ALL_ENTITIES)}")
    school = _school(db, request.school)
    zone = ZoneInfo(school.timezone)
    as_of = request.as_of or (dt.datetime.now(zone).date() - dt.timedelta(days=1))
    span = _span(db, school.id, as_of, settings.reconcile.journal_days)
    report_id = start_report(db, school_id=school.id, platform=request.platform, as_of=as_of)
    bind_contextvars(report_id=report_id)  # the reconcile run's own row; `reconcile` unbinds it with the rest
    log.info("reconcile.start", school=school.code, platform=request.platform, report_id=report_id, as_of=str(as_of))
    try:
        remote = await _read_platform(db, settings, school, request.platform, request.entities, DateRange(*span))
        findings, labels = _compare_all(db, school.id, request.platform, remote, span, SCOPES.get(kind, RosterScope()))
        sections = [s for f in findings for s in entity_sections(f, labels, request.platform)]
        with db.session() as session:
            sections.append(needs_mapping_section(session, school.id, request.platform))
            sections.append(identity_section(session, school.id, labels, as_of))
        compliance, figures = _compliance(db, settings, school.id, request.platform, span)
        report = Report(
            school=school.code,
            school_name=school.name,
            platform=request.platform,
            generated_at=dt.datetime.now(zone),
            as_of=as_of,
            span_start=span[0],
            span_end=span[1],
            counts=[f.counts for f in findings],
            figures=figures,
            sections=[*sections, *compliance],
            notes=[
                *([SCOPE_NOTES[kind]] if kind in SCOPE_NOTES else []),
                *_notes(request.entities, remote, findings, request.platform),
                *_archive_note(db, settings, school, as_of),
            ],
        )
        previous = summary_before(db, report_id)
        files = _write_files(settings, report, previous, zone) if request.write_files else {}
    except BaseException as exc:
        fail_report(db, report_id, str(exc) or type(exc).__name__)
        log.error(
            "reconcile.failed", school=school.code, platform=request.platform, report_id=report_id, error=str(exc)
        )
        raise
    finish_report(
        db,
        report_id,
        summary=report.summary(),
        report=report.model_dump(mode="json"),
        files={k: str(v) for k, v in files.items()},
    )
    log.info(
        "reconcile.done",
        school=school.code,
        platform=request.platform,
        report_id=report_id,
        findings=report.findings(),
    )
    return ReconcileOutcome(report_id, report, previous, files)


def _write_files(
    settings: Settings, report: Report, previous: dict[str, int] | None, zone: ZoneInfo
) -> dict[str, Path]:
    from edugateway.reconciliation.report_files import write_report_files

    directory = reports_dir(settings) / report.school
    directory.mkdir(parents=True, exist_ok=True)
    return write_report_files(report, previous, directory, zone=zone)


def _archive_note(db: Database, settings: Settings, school: StoredSchool, as_of: dt.date) -> list[str]:
    """One line while last year's archive is missing past its 30 June deadline, judged on the night the report is
    made (the day after `as_of`)."""
    from edugateway.archive.deadline import overdue_archive, report_note

    with db.session() as session:
        overdue = overdue_archive(session, settings, school.id, school.code, as_of + dt.timedelta(days=1))
    return report_note(overdue, school.code)
