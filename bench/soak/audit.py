"""After the last night: what the platforms hold against what the local side wants or has, and what the run log
and outbox say. Each function returns counts (and a few examples) for bench_soak.py to print.

Lost, ЕЦП: a contingent record the local roster wants on the platform (EcpContingent().wanted) that edu-upload
lacks or holds with other values; the expected row is the one the connector would send, read by the emulator's
own CSV parser. Lost, Дневник.ру: a journal record (lesson, mark, attendance) the platform serves in the pulled
span that the local database lacks or holds with another value, unless the run log lists it as skipped.
Doubled, ЕЦП: a row received again with the very values it was last received with; such a resend is explained
when the run that sent it before died with an unknown answer (killed) or failed, else it is counted as doubled.
Doubled, local: two journal rows for one platform record, two active identity links for one remote or local id.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from edugateway.config.settings import Settings
from edugateway.connectors.base import DateRange
from edugateway.connectors.ecp.contingent import Pupil, Representative
from edugateway.connectors.ecp.upload import REPRESENTATIVES, STUDENTS, Row, Table, csv_file
from edugateway.connectors.factory import open_connector
from edugateway.emulators.ecp.upload_csv import parse_file
from edugateway.emulators.ecp.upload_tables import TABLES
from edugateway.errors import ValidationError
from edugateway.mapping import ecp as m
from edugateway.store.db import Database
from edugateway.store.identity_checks import school_id_of
from edugateway.store.snapshots import load_snapshot
from edugateway.store.tables import (
    AttendanceRow,
    IdentityLinkRow,
    LessonRow,
    MarkRow,
    OutboxRow,
    PersonRow,
    RemoteRecordRow,
    SyncRunRow,
)
from edugateway.sync.ecp_contingent import EcpContingent
from soak.platforms import Platforms, Receipt

EXAMPLES = 5


@dataclass
class Found:
    """Counts by kind, with a few examples of each."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, example: str, n: int = 1) -> None:
        self.counts[kind] += n
        if len(self.examples[kind]) < EXAMPLES:
            self.examples[kind].append(example)


# ---- ЕЦП: what the roster wants against what edu-upload holds --------------------------------------------------


def _expected_rows(db: Database, code: str) -> tuple[dict[tuple[str, tuple[str, ...]], dict[str, str]], Found]:
    """(table, key) -> the row as the emulator would store it, for every record the roster wants on ЕЦП; and the
    wanted records the connector or the platform refuses (each sent and listed as refused by the runs)."""
    snapshot = load_snapshot(db, code)
    adapter = EcpContingent()
    wanted = adapter.wanted(snapshot)
    refused = Found()
    rows: dict[str, list[Row]] = {STUDENTS.name: [], REPRESENTATIVES.name: []}
    for key, record in zip(wanted, adapter.records(list(wanted.values())), strict=True):
        try:
            if isinstance(record, Pupil):
                values = m.pupil_row(
                    record.person,
                    class_name=record.class_name,
                    org_ogrn=snapshot.school.ogrn or "",
                    admission_date=record.admission_date,
                )
                rows[STUDENTS.name].append(Row(key, values))
            elif isinstance(record, Representative):
                rows[REPRESENTATIVES.name].append(Row(key, m.representative_row(record.person, record.link)))
        except ValidationError as exc:
            refused.add("refused by the connector", f"{key}: {exc}")
    expected: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
    for table in (STUDENTS, REPRESENTATIVES):
        expected.update(_as_stored(table, rows[table.name], refused))
    return expected, refused


def _as_stored(table: Table, rows: Sequence[Row], refused: Found) -> dict[tuple[str, tuple[str, ...]], dict[str, str]]:
    out: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
    for row in rows:  # one row a file: a bad row is refused alone, as the connector's halving ends up doing
        parsed = parse_file(TABLES[table.name], csv_file(table.columns, [row]), f"{table.name}.csv", deleting=False)
        if parsed.errors:
            refused.add("refused by the platform", f"{row.key}: {parsed.errors[0].message}")
        out.update(((table.name, key), value) for key, value in parsed.rows.items())
    return out


def ecp_lost(db: Database, code: str, platforms: Platforms) -> tuple[Found, Found]:
    """(lost: missing, other values, held but no longer wanted; refused with a reason)."""
    expected, refused = _expected_rows(db, code)
    uploads = platforms.ecp.world.uploads
    lost = Found()
    for (table, key), row in expected.items():
        held = uploads[table].get(key)
        if held is None:
            lost.add("missing", f"{table} {'/'.join(key)}")
        elif held != row:
            diff = {c: (held.get(c), v) for c, v in row.items() if held.get(c) != v}
            lost.add("other values", f"{table} {'/'.join(key)}: {diff}")
    for table, held_rows in uploads.items():
        for key in held_rows:
            if (table, key) not in expected:
                lost.add("held but no longer wanted", f"{table} {'/'.join(key)}")
    return lost, refused


# ---- ЕЦП: rows received more than once ----------------------------------------------------------------------


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite hands back naive UTC


def _ecp_runs(db: Database, code: str) -> list[tuple[dt.datetime, dt.datetime, SyncRunRow]]:
    school_id = _school_id(db, code)
    with db.session() as session:
        rows = session.scalars(
            select(SyncRunRow).where(SyncRunRow.school_id == school_id, SyncRunRow.platform == "ecp")
        ).all()
    return [(_utc(r.started_at), _utc(r.finished_at), r) for r in rows if r.finished_at is not None]


def ecp_doubled(db: Database, code: str, platforms: Platforms) -> Found:
    """Rows received again with the values they were last received with, by how the run that sent them before
    ended. That run is found in the run log by time: one ЕЦП run at a time holds the lease, and an abandoned run
    (its process was killed) ends when the next run finds it, before that run sends anything."""
    found = Found()
    received = platforms.ecp.world.received
    found.counts["rows received more than once"] = sum(1 for n in received.values() if n > 1)
    found.counts["receipts"] = sum(received.values())
    logged = sum(1 for r in platforms.uploads.receipts if not r.deleting)  # `received` counts upserts only
    if logged != found.counts["receipts"]:
        found.add("receipts the bench's log and the emulator disagree on", f"{logged} logged")
    runs = _ecp_runs(db, code)
    last: dict[tuple[str, tuple[str, ...]], Receipt] = {}
    for receipt in platforms.uploads.receipts:
        key = (receipt.table, receipt.key)
        before = last.get(key)
        last[key] = receipt
        if receipt.deleting or before is None or before.deleting or before.values != receipt.values:
            continue
        senders = [run for start, end, run in runs if start <= before.at <= end]
        name = f"{receipt.table} {'/'.join(receipt.key)}"
        if len(senders) != 1:
            found.add("same values again, sender unknown", f"{name} ({len(senders)} runs at the time)")
            continue
        sender = senders[0]
        if sender.status in ("abandoned", "interrupted"):
            found.add("same values again after a killed run", f"{name} (run {sender.id})")
        elif sender.status == "failed":
            found.add("same values again after a failed run", f"{name} (run {sender.id})")
        else:
            found.add("doubled", f"{name} (sent by run {sender.id}, {sender.status}; again by a later run)")
    return found


# ---- Дневник.ру: the platform's journal against the local one ----------------------------------------------------


async def _platform_journal(settings: Settings, db: Database, code: str, span: DateRange) -> dict[str, list[Any]]:
    connector = open_connector(settings, "dnevnik", load_snapshot(db, code).school)
    try:
        return {
            "lessons": [r async for r in connector.lessons(span)],
            "marks": [r async for r in connector.marks(span)],
            "attendance": [r async for r in connector.attendance(span)],
        }
    finally:
        await connector.aclose()


def _skipped(db: Database, school_id: int) -> dict[tuple[str, str], str]:
    """(entity, remote id) -> the reason the latest run that skipped it gave."""
    with db.session() as session:
        lists = session.scalars(
            select(SyncRunRow.skipped)
            .where(SyncRunRow.school_id == school_id, SyncRunRow.platform == "dnevnik")
            .order_by(SyncRunRow.id)
        )
        return {(str(s["entity"]), str(s["id"])): str(s["reason"]) for skipped in lists for s in skipped or []}


def dnevnik_lost(
    settings: Settings, db: Database, code: str, first: dt.date, last: dt.date
) -> tuple[Found, Counter[str]]:
    """(lost by kind, records the platform serves by entity)."""
    remote = asyncio.run(_platform_journal(settings, db, code, DateRange(first, last)))
    school_id = _school_id(db, code)
    skipped = _skipped(db, school_id)
    with db.session() as session:
        links = {
            (r.entity, r.remote_id): r.local_key
            for r in session.scalars(
                select(IdentityLinkRow).where(
                    IdentityLinkRow.school_id == school_id,
                    IdentityLinkRow.platform == "dnevnik",
                    IdentityLinkRow.unlinked_at.is_(None),
                )
            )
        }
        lessons = {r.source_id: r for r in session.scalars(select(LessonRow).where(LessonRow.school_id == school_id))}
        marks = {r.source_id: r for r in session.scalars(select(MarkRow).where(MarkRow.school_id == school_id))}
        persons = dict(
            session.execute(select(PersonRow.source_id, PersonRow.id).where(PersonRow.school_id == school_id))
            .tuples()
            .all()
        )
        attendance = {
            (r.person_id, r.lesson_id): r
            for r in session.scalars(select(AttendanceRow).where(AttendanceRow.school_id == school_id))
        }
    lost = Found()
    served: Counter[str] = Counter({entity: len(records) for entity, records in remote.items()})

    def lacking(entity: str, remote_id: str, what: str) -> None:
        if (entity, remote_id) in skipped:
            lost.add(f"{entity} skipped with a reason", f"{remote_id}: {skipped[(entity, remote_id)]}")
        else:
            lost.add(f"{entity} {what}", remote_id)

    for r in remote["lessons"]:
        row = lessons.get(links.get(("lessons", r.remote_id), ""))
        if row is None:
            lacking("lessons", r.remote_id, "missing")
        elif (row.date, row.number, row.topic, row.homework) != (
            r.record.date,
            r.record.number,
            r.record.topic,
            r.record.homework,
        ):
            lacking("lessons", r.remote_id, "with other values")
    for r in remote["marks"]:
        mark = marks.get(links.get(("marks", r.remote_id), ""))
        if mark is None:
            lacking("marks", r.remote_id, "missing")
        elif mark.value != r.record.value:
            lacking("marks", r.remote_id, "with other values")
    for r in remote["attendance"]:
        person = persons.get(links.get(("persons", r.record.person_id), ""))
        lesson = lessons.get(links.get(("lessons", r.record.lesson_id), ""))
        entry = attendance.get((person, lesson.id)) if person is not None and lesson is not None else None
        if entry is None:
            lacking("attendance", r.remote_id, "missing")
        elif entry.code != r.record.code.value:
            lacking("attendance", r.remote_id, "with other values")
    return lost, served


# ---- local duplicates, run log, outbox ---------------------------------------------------------------------------


def local_doubles(db: Database, code: str) -> Found:
    school_id = _school_id(db, code)
    found = Found()
    with db.session() as session:
        active = IdentityLinkRow.unlinked_at.is_(None)
        for column in (IdentityLinkRow.remote_id, IdentityLinkRow.local_key):
            doubles = session.execute(
                select(IdentityLinkRow.platform, IdentityLinkRow.entity, column, func.count())
                .where(IdentityLinkRow.school_id == school_id, active)
                .group_by(IdentityLinkRow.platform, IdentityLinkRow.entity, column)
                .having(func.count() > 1)
            ).tuples()
            for platform, entity, value, n in doubles:
                found.add(f"active links sharing one {column.key}", f"{platform} {entity} {value} x{n}", n - 1)
        tracked = session.execute(
            select(RemoteRecordRow.platform, RemoteRecordRow.entity, RemoteRecordRow.remote_id, func.count())
            .where(RemoteRecordRow.school_id == school_id)
            .group_by(RemoteRecordRow.platform, RemoteRecordRow.entity, RemoteRecordRow.remote_id)
            .having(func.count() > 1)
        ).tuples()
        for platform, entity, remote_id, n in tracked:
            found.add("platform records tracked twice", f"{platform} {entity} {remote_id} x{n}", n - 1)
        # A journal row names its platform record through its link (or its `dnevnik:<id>` key before linking): two
        # rows that lead to one platform record are one record stored twice.
        remote_of = {
            (r.entity, r.local_key): r.remote_id
            for r in session.scalars(
                select(IdentityLinkRow).where(
                    IdentityLinkRow.school_id == school_id, IdentityLinkRow.platform == "dnevnik"
                )
            )
        }
        for entity, table in (("lessons", LessonRow), ("marks", MarkRow)):
            keys = session.scalars(select(table.source_id).where(table.school_id == school_id))
            per_remote = Counter(remote_of.get((entity, k), k.removeprefix("dnevnik:")) for k in keys)
            for remote_id, n in per_remote.items():
                if n > 1:
                    found.add(f"{entity}: two local rows for one platform record", f"{remote_id} x{n}", n - 1)
    return found


@dataclass
class RunLog:
    statuses: Counter[str]
    still_running: list[int]
    overlapping: list[tuple[int, int]]  # runs of one platform whose times overlap (neither abandoned)
    errors: Counter[str]  # the first line of the error of runs that failed, by platform


def run_log(db: Database, code: str) -> RunLog:
    school_id = _school_id(db, code)
    with db.session() as session:
        rows = list(
            session.scalars(select(SyncRunRow).where(SyncRunRow.school_id == school_id).order_by(SyncRunRow.started_at))
        )
    statuses = Counter(f"{r.platform} {r.status}" for r in rows)
    running = [r.id for r in rows if r.status == "running"]
    overlapping: list[tuple[int, int]] = []
    by_platform: dict[str, list[SyncRunRow]] = defaultdict(list)
    for r in rows:
        if r.status != "abandoned" and r.finished_at is not None:
            by_platform[r.platform].append(r)
    for runs in by_platform.values():
        for before, after in itertools.pairwise(runs):
            if before.finished_at is not None and after.started_at < before.finished_at:
                overlapping.append((before.id, after.id))
    errors = Counter(
        f"{r.platform}: {(r.error or '').splitlines()[0][:160]}" for r in rows if r.status in ("failed", "partial")
    )
    return RunLog(statuses, running, overlapping, errors)


def open_outbox(db: Database, code: str) -> Found:
    """Outbox rows not done at the end, by status and by what became of their record: sent by a later row (a row
    that gave up after its attempts stays failed, and the next plan queues the record anew), no longer wanted,
    or still owed."""
    school_id = _school_id(db, code)
    wanted = EcpContingent().wanted(load_snapshot(db, code))
    found = Found()
    with db.session() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.school_id == school_id).order_by(OutboxRow.id)).all()
    done_after: dict[str, int] = {}
    for row in rows:
        if row.status == "done":
            done_after[row.local_key] = row.id
    for row in rows:
        if row.status == "done":
            continue
        if done_after.get(row.local_key, 0) > row.id:
            fate = "its record sent by a later row"
        elif row.local_key not in wanted and row.op != "delete":
            fate = "its record no longer wanted"
        else:
            fate = "still owed"
        error = (row.error or "").splitlines()[0][:100] if row.error else "no error"
        found.add(f"{row.status}, {fate}", f"{row.op} {row.local_key} after {row.attempts} attempts: {error}")
    return found


def _school_id(db: Database, code: str) -> int:
    with db.session() as session:
        return school_id_of(session, code)
