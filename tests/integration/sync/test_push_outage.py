"""A push to the ЕЦП emulator over real sockets while its edu-upload service is down: the run fails (never
`done`) after recording what landed, the rest stays queued without giving up, and after three such nights a
good run pushes every record exactly once and leaves no failed rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from edugateway.config.settings import EcpSettings, SchoolSettings, SecretRef, Settings
from edugateway.domain.entities import Entity
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import ecp
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.errors import ConnectorError
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.outbox import owed_writes
from edugateway.store.roster import apply_roster
from edugateway.store.tables import AuditRow, OutboxRow, SyncRunRow
from edugateway.sync.engine import SyncRequest, run_sync
from support.upload_outage import UploadOutage

CODE = "sch125"


@pytest.fixture(scope="module")
def school() -> SchoolSnapshot:
    return generate_school(students=60, classes=4, seed=8, code=CODE).snapshot


@pytest.fixture
def db(sqlite_db: Database, school: SchoolSnapshot, tmp_path: Path) -> Database:
    write_oneroster(school, tmp_path / "or")
    apply_roster(sqlite_db, read_oneroster(tmp_path / "or"), CODE)
    return sqlite_db


@pytest.fixture
def served(
    school: SchoolSnapshot, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ecp.EcpEmulator, UploadOutage, Settings]]:
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
                        "retries": 1,
                        "backoff_max_s": 0.01,
                    }
                )
            },
        )
        yield emulator, outage, settings


def outbox(db: Database) -> dict[str, int]:
    with db.session() as session:
        return dict(session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).tuples().all())


async def test_an_upload_outage_fails_the_run_and_queues_what_did_not_land(
    db: Database, school: SchoolSnapshot, served: tuple[ecp.EcpEmulator, UploadOutage, Settings]
) -> None:
    emulator, outage, settings = served
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


async def test_three_outage_nights_then_a_good_run_push_every_record_once(
    db: Database, served: tuple[ecp.EcpEmulator, UploadOutage, Settings]
) -> None:
    emulator, outage, settings = served
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
