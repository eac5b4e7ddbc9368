"""The sync engine against the emulators over real sockets: a first sync links and pushes, a second with no
change sends no write, a change on each side lands where the direction says, a run killed mid-apply leaves
exactly one copy of every write after the rerun, and a plan that deletes too much waits for --approve. While
edu-upload is down the run fails (never `done`) after recording what landed, the rest stays queued without
giving up, and after three such nights a good run pushes every record exactly once and leaves no failed rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from edugateway.config.settings import (
    DnevnikSettings,
    EcpSettings,
    PlatformKind,
    SchoolSettings,
    SecretRef,
    Settings,
)
from edugateway.domain.entities import Entity
from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik, ecp
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer, free_port
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import ConfigError, ConnectorError
from edugateway.logs import get_logger
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.outbox import owed_writes
from edugateway.store.roster import apply_roster
from edugateway.store.sync_run_log import recent_sync_runs
from edugateway.store.tables import AuditRow, IdentityLinkRow, MarkRow, OutboxRow, PersonRow, SchoolRow, SyncRunRow
from edugateway.sync import engine, push
from edugateway.sync.engine import SyncRequest, run_sync
from support.dnevnik_pull import gateway_settings
from support.upload_outage import UploadOutage

CODE = "sch125"
UNTIL = dt.date(2026, 10, 20)


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_school(students=60, classes=4, seed=8, code=CODE).snapshot


@pytest.fixture
def db(sqlite_db: Database, school: SchoolSnapshot, tmp_path: Path) -> Database:
    write_oneroster(school, tmp_path / "or")
    apply_roster(sqlite_db, read_oneroster(tmp_path / "or"), CODE)
    return sqlite_db


@dataclass
class Served:
    emulator: ecp.EcpEmulator
    outage: UploadOutage  # the edu-upload service goes down on cue (lands=N), the reads stay up
    settings: Settings


@pytest.fixture
def served(school: SchoolSnapshot, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    emulator = ecp.create_app(ecp.world_from_snapshot(school))
    outage = UploadOutage(emulator.app)
    monkeypatch.setenv("SYNC_ECP_PASSWORD", ecp.ADMIN_PASSWORD)
    with BackgroundServer(outage) as server:
        settings = Settings(
            schools=[SchoolSettings(code=CODE)],
            platforms={
                "ecp": EcpSettings.model_validate(
                    {
                        "kind": "ecp",
                        "base_url": f"{server.base_url}/api/",
                        "login": ecp.admin_login(CODE),
                        "password": SecretRef(env="SYNC_ECP_PASSWORD"),
                        "rate_limit_rps": 1000,
                        "retries": 2,
                        "backoff_max_s": 0.05,
                    }
                )
            },
        )
        yield Served(emulator, outage, settings)


@pytest.fixture
def ecp_served(served: Served) -> tuple[ecp.EcpEmulator, Settings]:
    return served.emulator, served.settings


def _uploads(emulator: ecp.EcpEmulator) -> int:
    return emulator.stats.by_route["POST /api/edu-upload/{version}/csv/{table}"]


async def test_first_sync_links_and_pushes_and_a_second_sends_nothing(
    db: Database, school: SchoolSnapshot, ecp_served: tuple[ecp.EcpEmulator, Settings]
) -> None:
    emulator, settings = ecp_served
    first = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS, Entity.CLASSES]))
    assert first.status == "done"
    students = {p.id for p in school.persons if "student" in p.roles}
    assert {key[0] for key in emulator.world.uploads["students"]} == students
    assert emulator.world.uploads["representatives"]
    persons = first.plan.as_json()["entities"]["persons"]
    assert persons["linked"] == len(students)  # same names and class: linked without birth dates
    assert persons["only_local"] == sorted(p.id for p in school.persons if "teacher" in p.roles)

    emulator.stats.reset()
    second = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS, Entity.CLASSES]))
    assert second.status == "done"
    assert _uploads(emulator) == 0
    assert all(not items for items in second.plan.as_json()["entities"]["persons"]["push"].values())
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(IdentityLinkRow)) == len(students) + 4


async def test_a_local_change_is_pushed_once(
    db: Database, school: SchoolSnapshot, ecp_served: tuple[ecp.EcpEmulator, Settings]
) -> None:
    emulator, settings = ecp_served
    await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    student = next(p for p in school.persons if "student" in p.roles)
    with db.session() as session:
        row = session.scalar(select(PersonRow).where(PersonRow.source_id == student.id))
        assert row is not None
        row.last_name = "Новикова-Петрова"
    emulator.stats.reset()
    run = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    updates = run.plan.as_json()["entities"]["persons"]["push"]["update"]
    assert [u["key"] for u in updates] == [student.id]
    assert updates[0]["fields"]["person.last_name"][1] == "Новикова-Петрова"
    assert _uploads(emulator) == 1
    stored = next(v for k, v in emulator.world.uploads["students"].items() if k[0] == student.id)
    assert "Новикова-Петрова" in stored.values()


async def test_a_run_killed_mid_apply_leaves_one_copy_after_the_rerun(
    db: Database, school: SchoolSnapshot, ecp_served: tuple[ecp.EcpEmulator, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator, settings = ecp_served
    real_record = push._record

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("the process was killed after sending, before recording")

    monkeypatch.setattr(push, "_record", crash)
    with pytest.raises(KeyboardInterrupt):
        await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    with db.session() as session:
        assert session.scalar(select(func.count()).where(OutboxRow.status == "sending")) > 0
        # Stopped mid-run, the run is marked interrupted: its `sending` rows are no live process's any more.
        assert session.scalars(select(SyncRunRow.status)).one() == "interrupted"
    monkeypatch.setattr(push, "_record", real_record)
    rerun = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    assert rerun.status == "done"
    with db.session() as session:
        left = list(
            session.execute(select(OutboxRow.status, OutboxRow.op, OutboxRow.error).where(OutboxRow.status != "done"))
        )
        assert left == []
        pushes = session.scalar(select(func.count()).where(AuditRow.action == "push_create"))
    wanted = len({p.id for p in school.persons if "student" in p.roles})
    assert len(emulator.world.uploads["students"]) == wanted  # one copy each, keyed by the local id
    assert pushes == len(push_keys(db))


def push_keys(db: Database) -> set[str]:
    with db.session() as session:
        return {r.local_key for r in session.scalars(select(OutboxRow).where(OutboxRow.op == "create"))}


async def test_a_plan_that_deletes_too_much_waits_for_approval(
    db: Database, school: SchoolSnapshot, ecp_served: tuple[ecp.EcpEmulator, Settings]
) -> None:
    emulator, settings = ecp_served
    await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    with db.session() as session:
        for row in list(session.scalars(select(PersonRow).where(PersonRow.roles == "student")))[:20]:
            row.active = False
    held = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    assert held.status == "on_hold"
    assert held.plan.hold is not None
    assert f"--approve {held.run_id}" in held.plan.hold
    assert len(emulator.world.uploads["students"]) == 60
    approved = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS], approve=held.run_id))
    assert approved.status == "done"
    assert len(emulator.world.uploads["students"]) == 40
    with db.session() as session:
        assert session.get(SyncRunRow, held.run_id).status == "approved"  # type: ignore[union-attr]


async def test_dnevnik_rosters_are_compared_and_linked_by_snils_never_written(
    db: Database, school: SchoolSnapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = generate_journal(school, until=UNTIL, seed=2)
    emulator = dnevnik.create_app(dnevnik.world_from_snapshot(journal))
    monkeypatch.setenv("SYNC_DNEVNIK_TOKEN", emulator.admin_token)
    with BackgroundServer(emulator.app) as server:
        settings = gateway_settings(server.base_url, CODE, "SYNC_DNEVNIK_TOKEN")
        run = await run_sync(db, settings, SyncRequest(CODE, "dnevnik", until=UNTIL))
        with db.session() as session:
            audits = session.scalar(select(func.count()).select_from(AuditRow))
            marks = session.scalar(select(func.count()).select_from(MarkRow))
        emulator.stats.reset()
        again = await run_sync(db, settings, SyncRequest(CODE, "dnevnik", until=UNTIL))
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(AuditRow)) == audits  # nothing written
        assert again.status == "done"
        assert (
            again.plan.as_json()["entities"]["persons"]["linked"] == run.plan.as_json()["entities"]["persons"]["linked"]
        )
    assert run.status == "done"
    assert marks == len(journal.marks)  # the whole journal was pulled
    assert run.plan.as_json()["directions"]["marks"] == "pull"
    assert run.plan.as_json()["directions"]["persons"] == "compare"
    persons = run.plan.as_json()["entities"]["persons"]
    people = [p for p in school.persons if p.roles & {Role.STUDENT, Role.TEACHER}]
    assert persons["linked"] == len(people)
    assert persons["differences"] == []
    reads_by_post = ("users/many", "/edu-groups", "lessons/many")
    writes = [
        r
        for r in emulator.stats.by_route
        if r.startswith(("PUT", "DELETE")) or (r.startswith("POST") and not r.endswith(reads_by_post))
    ]
    assert writes == []
    with db.session() as session:
        methods = set(session.scalars(select(IdentityLinkRow.method).where(IdentityLinkRow.entity == "persons")))
    assert "snils" in methods
    with db.session() as session:
        year = session.scalar(
            select(IdentityLinkRow.local_key).where(
                IdentityLinkRow.entity == "periods", IdentityLinkRow.remote_id == "year"
            )
        )
    assert year == next(p.id for p in school.periods if p.kind == "year")  # where Дневник files year finals


async def test_a_push_the_gateway_cannot_make_is_refused_before_anything_runs(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNC_UNUSED_TOKEN", "a" * 32)
    # Every write the platforms take has its push now (issue 18): one is taken away to see the guard refuse.
    monkeypatch.delitem(engine.PUSH_ADAPTERS, (PlatformKind.DNEVNIK, Entity.MARKS))
    settings = Settings(
        schools=[SchoolSettings(code=CODE, platform_ids={"dnevnik": "1"})],
        platforms={
            "dnevnik": DnevnikSettings.model_validate(
                {
                    "kind": "dnevnik",
                    "base_url": f"http://127.0.0.1:{free_port()}/v2.0/",  # never called
                    "token": SecretRef(env="SYNC_UNUSED_TOKEN"),
                    "directions": {"marks": "push"},  # the platform takes marks, the gateway has no push for them
                }
            )
        },
    )
    with pytest.raises(ConfigError, match=r"does not push marks to dnevnik platforms yet"):
        await run_sync(db, settings, SyncRequest(CODE, "dnevnik", [Entity.MARKS]))
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(SyncRunRow)) == 0


async def test_the_runs_lines_name_the_school_platform_and_run_only_while_it_runs(
    db: Database, ecp_served: tuple[ecp.EcpEmulator, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    _emulator, settings = ecp_served
    read_roster = engine._read_roster

    async def logging_read(*args: Any) -> Any:
        get_logger("test").info("read.inside")
        return await read_roster(*args)

    monkeypatch.setattr(engine, "_read_roster", logging_read)
    with capture_logs(processors=[merge_contextvars]) as logs:
        run = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
        get_logger("test").info("after.run")
    (inside,) = [e for e in logs if e["event"] == "read.inside"]
    assert (inside["school"], inside["platform"], inside["run_id"]) == (CODE, "ecp", run.run_id)
    (after,) = [e for e in logs if e["event"] == "after.run"]
    assert not {"school", "platform", "run_id"} & set(after)


async def test_a_push_whose_every_write_is_refused_fails_and_one_partly_refused_is_partial(
    db: Database, school: SchoolSnapshot, ecp_served: tuple[ecp.EcpEmulator, Settings]
) -> None:
    emulator, settings = ecp_served
    with db.session() as session:
        school_row = session.scalar(select(SchoolRow).where(SchoolRow.code == CODE))
        assert school_row is not None
        ogrn, school_row.ogrn = school_row.ogrn, None  # the students table requires the school's ОГРН
    refused = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    assert refused.status == "failed"
    assert refused.error is not None
    assert refused.error.startswith("none of the ")
    assert "org_ogrn" in refused.error
    assert emulator.world.uploads["students"] == {}

    pupil = next(p for p in school.persons if "student" in p.roles)
    with db.session() as session:
        school_row = session.scalar(select(SchoolRow).where(SchoolRow.code == CODE))
        assert school_row is not None
        school_row.ogrn = ogrn
        row = session.scalar(select(PersonRow).where(PersonRow.source_id == pupil.id))
        assert row is not None
        row.birth_date = None
    partial = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    assert partial.status == "partial"
    assert partial.error is not None
    assert partial.error.startswith("3 writes refused")  # the pupil, and the two representatives that name them
    students = {p.id for p in school.persons if "student" in p.roles}
    assert {key[0] for key in emulator.world.uploads["students"]} == students - {pupil.id}
    (run,) = [r for r in recent_sync_runs(db) if r.id == partial.run_id]
    assert run.status == "partial"


def outbox(db: Database) -> dict[str, int]:
    with db.session() as session:
        return dict(session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).tuples().all())


async def test_an_upload_outage_fails_the_run_and_queues_what_did_not_land(
    db: Database, school: SchoolSnapshot, served: Served
) -> None:
    emulator, outage, settings = served.emulator, served.outage, served.settings
    pupils = sum("student" in p.roles for p in school.persons)
    outage.lands = 1  # the pupils' file lands, then the service goes down
    with pytest.raises(ConnectorError) as raised:
        await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    queued = outbox(db)["pending"]
    assert outbox(db) == {"done": pupils, "pending": queued}
    assert len(emulator.world.uploads["students"]) == pupils
    assert emulator.world.uploads["representatives"] == {}
    message = str(raised.value)
    assert message.startswith("pushing persons to ecp failed: ГИС ЕЦП edu-upload did not take the representatives")
    assert message.endswith(f"; {pupils} writes landed, {queued} are queued for the next run")
    with db.session() as session:
        run = session.scalars(select(SyncRunRow)).one()
        assert (run.status, run.error) == ("failed", message)
        assert run.counts is not None
        assert (run.counts["persons"]["created"], run.counts["persons"]["failed"]) == (pupils, 0)
    owed = owed_writes(db, run.school_id, "ecp")
    assert [(o.entity, o.pending, o.sending, o.failed) for o in owed] == [("persons", queued, {}, 0)]


async def test_three_outage_nights_then_a_good_run_push_every_record_once(db: Database, served: Served) -> None:
    emulator, outage, settings = served.emulator, served.outage, served.settings
    for lands in (0, 1, 0):
        outage.lands = lands
        with pytest.raises(ConnectorError, match="are queued for the next run"):
            await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    outage.lands = None
    good = await run_sync(db, settings, SyncRequest(CODE, "ecp", [Entity.PERSONS]))
    assert good.status == "done"
    with db.session() as session:
        keys = session.scalar(select(func.count(func.distinct(OutboxRow.local_key))))
        creates = select(AuditRow.entity_id, func.count()).where(AuditRow.action == "push_create")
        pushes = dict(session.execute(creates.group_by(AuditRow.entity_id)).tuples().all())
        runs = list(session.scalars(select(SyncRunRow).order_by(SyncRunRow.id)))
    assert outbox(db) == {"done": keys}  # one row per record, every one done: none failed, none left behind
    assert len(pushes) == keys
    assert set(pushes.values()) == {1}
    assert len(emulator.world.uploads["students"]) + len(emulator.world.uploads["representatives"]) == keys
    assert [r.status for r in runs] == ["failed", "failed", "failed", "done"]
    assert owed_writes(db, runs[-1].school_id, "ecp") == []
