"""Pulling the journal from the Дневник.ру emulator into a school imported from OneRoster: the roster linked to
the world's ids (what the identity step does), a connector to the emulator, and one pull of the whole term.
Shared by tests/integration/sync (the pull itself) and tests/integration/reconciliation (the compliance world)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from edugateway.config.settings import DnevnikSettings, SchoolSettings, SecretRef, Settings
from edugateway.connectors.dnevnik import DnevnikConnector, build_dnevnik_connector
from edugateway.emulators import dnevnik
from edugateway.emulators.dnevnik import platform_id
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks, Link
from edugateway.store.sync_run_log import SyncRunLog
from edugateway.store.tables import ClassRow, PersonRow, ReportingPeriodRow, SchoolRow, SubjectRow
from edugateway.sync.pull import pull_journal

START, UNTIL = dt.date(2026, 9, 1), dt.date(2026, 11, 20)
ALL = ("lessons", "marks", "final_marks", "attendance")
SECRET = "s3cret"


def link_roster(db: Database, code: str, world: dnevnik.DnevnikWorld) -> None:
    with db.session() as session:
        school_id = session.scalar(select(SchoolRow.id).where(SchoolRow.code == code))
        assert school_id is not None
        links = IdLinks(session, school_id, "dnevnik", actor="test:linker")
        local_persons = set(session.scalars(select(PersonRow.source_id).where(PersonRow.school_id == school_id)))
        for remote_id, person in world.persons.items():
            if person["localId"] in local_persons:
                links.link("persons", Link(person["localId"], str(remote_id), "test"))
        for entity, kind, table in (
            ("classes", "group", ClassRow),
            ("subjects", "subject", SubjectRow),
            ("periods", "period", ReportingPeriodRow),
        ):
            remote_table = {"group": world.edu_groups, "subject": world.subjects, "period": world.reporting_periods}
            for local_key in session.scalars(select(table.source_id).where(table.school_id == school_id)):
                remote_id = platform_id(kind, code, local_key)
                if remote_id in remote_table[kind]:
                    links.link(entity, Link(local_key, str(remote_id), "test"))


def gateway_settings(base_url: str, code: str, token_env: str, **more: object) -> Settings:
    """Settings of one school synced with the Дневник.ру emulator at `base_url` (its token in $`token_env`)."""
    platform = DnevnikSettings.model_validate(
        {"kind": "dnevnik", "base_url": f"{base_url}/v2.0/", "token": SecretRef(env=token_env), "rate_limit_rps": 1000}
    )
    return Settings.model_validate(
        {
            "schools": [SchoolSettings(code=code, platform_ids={"dnevnik": str(platform_id("school", code))})],
            "platforms": {"dnevnik": platform},
            **more,
        }
    )


def connect(monkeypatch: pytest.MonkeyPatch, base_url: str, token: str, code: str) -> DnevnikConnector:
    monkeypatch.setenv("TEST_DNEVNIK_TOKEN", token)
    settings = DnevnikSettings.model_validate(
        {
            "kind": "dnevnik",
            "base_url": f"{base_url}/v2.0/",
            "token": SecretRef(env="TEST_DNEVNIK_TOKEN"),
            "rate_limit_rps": 500,
            "max_concurrency": 4,
        }
    )
    return build_dnevnik_connector("dnevnik", settings, str(platform_id("school", code)))


async def pull(
    db: Database,
    emulator: tuple[dnevnik.DnevnikEmulator, str],
    code: str,
    monkeypatch: pytest.MonkeyPatch,
    entities: tuple[str, ...] = ALL,
) -> SyncRunLog:
    served, base_url = emulator
    connector = connect(monkeypatch, base_url, served.admin_token, code)
    run_log = SyncRunLog.start(db, code, "dnevnik", dict.fromkeys(entities, "pull"))
    try:
        await pull_journal(db, connector, run_log, entities=entities, start=START, until=UNTIL, today=UNTIL)
    finally:
        await connector.aclose()
    run_log.finish()
    return run_log
