"""A sync's person candidates reach the clerk: against the Дневник.ру emulator over a real socket, a platform pupil
the SNILS search cannot find and the matcher is not sure of becomes a `link_candidate` case; the clerk links it on
the case page (served on loopback, as the web tests do), and the next sync goes through that link: no new case,
the pupil's marks stored.
A "not this person" is never asked again, and a case whose platform record vanished closes by itself."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from edugateway.config.settings import Settings
from edugateway.domain.models import Person, Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators import dnevnik
from edugateway.emulators.journal import generate_journal
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.synthetic import generate_school
from edugateway.identity.case_types import CaseStatus, CaseType
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.tables import IdentityCaseRow, IdentityLabelRow, IdentityLinkRow, MarkRow, PersonRow
from edugateway.sync.engine import SyncRequest, run_sync
from edugateway.web.app import UVICORN_OPTIONS, create_app
from support.clerk_school import CODE, PASSWORD, add_accounts, cheap_passwords
from support.dnevnik_pull import gateway_settings

UNTIL = dt.date(2026, 10, 20)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def journal() -> SchoolSnapshot:
    return generate_journal(generate_school(students=60, classes=4, seed=8, code=CODE).snapshot, until=UNTIL, seed=2)


@dataclass
class Drifted:
    settings: Settings
    world: dnevnik.DnevnikWorld
    pupil: Person  # the local pupil whose platform record drifted
    remote_id: str  # that record's id on the platform


def _pupil(journal: SchoolSnapshot) -> Person:
    marked = {m.person_id for m in journal.marks}
    return next(
        p
        for p in journal.persons
        if Role.STUDENT in p.roles and p.id in marked and p.middle_name and len(p.last_name) > 5
    )


def _typo(name: str) -> str:
    """A letter dropped after the first three (a typo the matcher's blocking still meets)."""
    return name[:4] + name[5:]


@pytest.fixture
def drifted(journal: SchoolSnapshot, monkeypatch: pytest.MonkeyPatch) -> Iterator[Drifted]:
    """The platform's record of one pupil has no SNILS (the search cannot find it), no birth date and a one-letter
    typo in the surname: likely the pupil, not sure enough to link without a clerk."""
    world = dnevnik.world_from_snapshot(journal)
    pupil = _pupil(journal)
    remote_id, row = next((rid, r) for rid, r in world.persons.items() if r["localId"] == pupil.id)
    row.update(snils=None, birthday=None, lastName=_typo(pupil.last_name))
    emulator = dnevnik.create_app(world)
    monkeypatch.setenv("SYNC_DNEVNIK_TOKEN", emulator.admin_token)
    with BackgroundServer(emulator.app) as server:
        yield Drifted(gateway_settings(server.base_url, CODE, "SYNC_DNEVNIK_TOKEN"), world, pupil, str(remote_id))


@pytest.fixture
def db(database: Database, journal: SchoolSnapshot, tmp_path: Path) -> Database:
    write_oneroster(journal, tmp_path / "or")
    apply_roster(database, read_oneroster(tmp_path / "or"), CODE)
    add_accounts(database, cheap_passwords())
    return database


async def _sync(db: Database, drifted: Drifted) -> dict[str, object]:
    run = await run_sync(db, drifted.settings, SyncRequest(CODE, "dnevnik", until=UNTIL))
    return run.plan.as_json()


def _cases(db: Database, status: str | None = None) -> list[IdentityCaseRow]:
    with db.session() as session:
        query = select(IdentityCaseRow).where(IdentityCaseRow.case_type == CaseType.LINK_CANDIDATE)
        if status is not None:
            query = query.where(IdentityCaseRow.status == status)
        rows = list(session.scalars(query.order_by(IdentityCaseRow.id)))
        session.expunge_all()
        return rows


def _link_of(db: Database, local_key: str) -> tuple[str, str] | None:
    with db.session() as session:
        row = session.scalar(
            select(IdentityLinkRow).where(
                IdentityLinkRow.entity == "persons",
                IdentityLinkRow.local_key == local_key,
                IdentityLinkRow.unlinked_at.is_(None),
            )
        )
        return None if row is None else (row.remote_id, row.method)


def _marks_of(db: Database, source_id: str) -> int:
    with db.session() as session:
        person_id = session.scalar(select(PersonRow.id).where(PersonRow.source_id == source_id))
        return int(session.scalar(select(func.count()).select_from(MarkRow).where(MarkRow.person_id == person_id)) or 0)


@pytest.fixture
def clerk(db: Database) -> Iterator[httpx.Client]:
    """The clerk's pages served on loopback as `serve web` serves them, signed in as clerk ivanova of the school."""
    app = create_app(db, Settings(), passwords=cheap_passwords())
    with (
        BackgroundServer(app, **UVICORN_OPTIONS) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as client,
    ):
        token = CSRF.search(client.get("/login").text)
        assert token
        answer = client.post(
            "/login",
            data={"username": "ivanova", "password": PASSWORD, "csrf_token": token.group(1), "next": "/cases"},
        )
        assert answer.status_code == 303, answer.text
        yield client


def _post(client: httpx.Client, case_id: int, action: str, **data: str) -> None:
    token = CSRF.search(client.get(f"/cases/{case_id}").text)
    assert token
    answer = client.post(f"/cases/{case_id}/{action}", data={**data, "csrf_token": token.group(1)})
    assert answer.status_code == 303, answer.text


async def test_a_candidate_reaches_the_clerk_who_links_it_and_the_next_sync_uses_the_link(
    db: Database, drifted: Drifted, clerk: httpx.Client, journal: SchoolSnapshot
) -> None:
    pupil = drifted.pupil
    plan = await _sync(db, drifted)

    assert _link_of(db, pupil.id) is None  # not sure enough to link alone
    assert [(c["local_key"], c["remote_id"]) for c in plan["candidates"]] == [(pupil.id, drifted.remote_id)]  # type: ignore[union-attr, index]
    assert plan["link_cases"] == {"opened": 1, "refreshed": 0, "closed": 0, "suppressed": 0}
    [case] = _cases(db, CaseStatus.OPEN)
    assert case.candidates is not None
    [shown] = case.candidates
    assert (shown["source"], shown["remote_id"], shown["birth_date"]) == ("dnevnik", drifted.remote_id, None)
    assert 0.5 <= shown["probability"] < 0.99
    assert _marks_of(db, pupil.id) == 0  # the platform's marks of an unlinked pupil cannot be stored

    queue = clerk.get("/cases", params={"case_type": CaseType.LINK_CANDIDATE.value})
    assert f"/cases/{case.id}" in queue.text
    page = clerk.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert "Возможно, это один человек" in page.text
    assert drifted.remote_id in page.text
    assert _typo(pupil.last_name) in page.text
    _post(clerk, case.id, "link", candidate="0", reason="сверено с классным журналом")

    assert _link_of(db, pupil.id) == (drifted.remote_id, "clerk")
    assert _cases(db, CaseStatus.OPEN) == []
    with db.session() as session:
        labels = session.execute(select(IdentityLabelRow.kind, IdentityLabelRow.source, IdentityLabelRow.remote_id))
        assert [tuple(r) for r in labels] == [("match", "dnevnik", drifted.remote_id)]

    again = await _sync(db, drifted)
    assert again.get("candidates") == []
    assert [c.status for c in _cases(db)] == [CaseStatus.CLOSED]  # no new case
    assert _link_of(db, pupil.id) == (drifted.remote_id, "clerk")
    assert _marks_of(db, pupil.id) == sum(1 for m in journal.marks if m.person_id == pupil.id)


async def test_not_the_same_person_is_not_asked_again(db: Database, drifted: Drifted, clerk: httpx.Client) -> None:
    await _sync(db, drifted)
    [case] = _cases(db, CaseStatus.OPEN)
    _post(clerk, case.id, "reject", candidate="0", reason="другой ребёнок: сверено с родителями")
    assert [c.status for c in _cases(db)] == [CaseStatus.DISMISSED]

    again = await _sync(db, drifted)
    assert again.get("candidates") == []  # the matcher obeys the non-match label
    assert [c.status for c in _cases(db)] == [CaseStatus.DISMISSED]
    assert _link_of(db, drifted.pupil.id) is None


async def test_a_case_whose_platform_record_vanished_closes(db: Database, drifted: Drifted) -> None:
    await _sync(db, drifted)
    assert [c.status for c in _cases(db)] == [CaseStatus.OPEN]
    del drifted.world.persons[int(drifted.remote_id)]
    drifted.world.memberships[:] = [m for m in drifted.world.memberships if str(m.get("person")) != drifted.remote_id]

    again = await _sync(db, drifted)
    assert again["link_cases"] == {"opened": 0, "refreshed": 0, "closed": 1, "suppressed": 0}
    assert [c.status for c in _cases(db)] == [CaseStatus.CLOSED]


async def test_a_dry_run_lists_the_candidate_and_opens_no_case(db: Database, drifted: Drifted) -> None:
    run = await run_sync(db, drifted.settings, SyncRequest(CODE, "dnevnik", until=UNTIL, dry_run=True))
    assert [c.local_key for c in run.plan.candidates or []] == [drifted.pupil.id]
    assert "link_cases" not in run.plan.as_json()
    assert _cases(db) == []
