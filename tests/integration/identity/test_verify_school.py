"""Verification of a generated school against the СМЭВ/ЕСИА emulator over a real socket: every planted SNILS
problem becomes the right case and no correct person is flagged; an unchanged school is not asked again; a
clerk's correction closes its case at once, a dismissal is not reopened by the same finding, and a mistyped
SNILS offers the real number as a ranked candidate."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from edugateway.config.settings import IdentitySettings
from edugateway.connectors.esia import EsiaLookup
from edugateway.domain.snils import normalize_snils
from edugateway.emulators.drift import DriftKind, DriftProfile, PlantedDrift, drift_esia
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.smev import ENDPOINT, create_app, world_from_snapshot
from edugateway.emulators.synthetic import GeneratedSchool, generate_school
from edugateway.errors import ValidationError
from edugateway.identity import actions
from edugateway.identity.case_types import VERIFIED_TYPES, CaseStatus, CaseType
from edugateway.identity.verify import Verifier
from edugateway.logs import get_logger
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import (
    AuditRow,
    IdentityCaseEventRow,
    IdentityCaseRow,
    IdentityCheckRow,
    PersonRow,
)
from support.clerk_school import quick_lookup
from support.identity_truth import Expected, expected_cases, score

EVERY = SchoolScope.all_schools()  # the clerk's school is the only one here; scopes are tested with the pages

CODE = "sch125"
TODAY = dt.date(2026, 11, 23)


@dataclass(frozen=True)
class World:
    generated: GeneratedSchool
    planted: list[PlantedDrift]
    url: str


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    generated = generate_school(students=300, classes=12, seed=17, code=CODE)
    esia, extras, planted = drift_esia(generated.snapshot, DriftProfile.named("heavy"), random.Random(17), TODAY)
    emulator = create_app(world_from_snapshot(esia, extras), response_delay_s=0.05)
    with BackgroundServer(emulator.app) as server:
        yield World(generated, planted, server.base_url + ENDPOINT)


@pytest.fixture
def school_db(database: Database, world: World, tmp_path: Path) -> Database:
    write_oneroster(world.generated.snapshot, tmp_path / "oneroster")
    apply_roster(database, read_oneroster(tmp_path / "oneroster"), CODE)
    return database


def verifier(world: World) -> Verifier:
    return Verifier(lambda: quick_lookup(world.url), IdentitySettings(), today=lambda: TODAY)


def open_cases(db: Database) -> set[Expected]:
    with db.session() as session:
        rows = session.execute(
            select(PersonRow.source_id, IdentityCaseRow.case_type, IdentityCaseRow.detail)
            .join(PersonRow, PersonRow.id == IdentityCaseRow.person_id)
            .where(IdentityCaseRow.status == CaseStatus.OPEN)
        )
        return {(source_id, case_type, detail) for source_id, case_type, detail in rows.tuples()}


def case_of(db: Database, source_id: str, case_type: CaseType) -> IdentityCaseRow:
    with db.session() as session:
        case = session.scalars(
            select(IdentityCaseRow)
            .join(PersonRow, PersonRow.id == IdentityCaseRow.person_id)
            .where(PersonRow.source_id == source_id, IdentityCaseRow.case_type == case_type)
        ).one()
        session.expunge(case)
        return case


def planted(world: World, kind: DriftKind) -> list[PlantedDrift]:
    """The drift of this kind on persons ЕСИА is asked about (drift on a person without a SNILS has no effect)."""
    asked = {p.id for p in world.generated.snapshot.persons if p.snils or kind is DriftKind.ESIA_TYPO_ACCOUNT}
    return [d for d in world.planted if d.kind is kind and d.person_id in asked]


def test_every_planted_problem_is_found_and_nothing_else(school_db: Database, world: World) -> None:
    report = verifier(world).verify_school(school_db, CODE, actor="test")

    expected = expected_cases(world.generated.snapshot.persons, world.generated.planted, world.planted)
    found = open_cases(school_db)
    assert report.failed == {}
    for s in score(expected, found):
        assert (s.case_type, s.precision, s.recall) == (s.case_type, 1.0, 1.0)
    assert found == expected
    # every kind the regulations name is in this world, so each classification was exercised
    assert {e[1] for e in expected} == {t.value for t in VERIFIED_TYPES}
    with school_db.session() as session:
        checks = session.scalar(select(IdentityCheckRow.id).limit(1))
    assert checks is not None


def test_an_unchanged_school_is_not_asked_again(school_db: Database, world: World) -> None:
    first = verifier(world).verify_school(school_db, CODE, actor="test")
    again = verifier(world).verify_school(school_db, CODE, actor="test")
    assert first.asked == first.persons
    assert (again.asked, again.reused, again.numbers_asked) == (0, again.persons, 0)
    forced = verifier(world).verify_school(school_db, CODE, actor="test", force=True)
    assert forced.asked == forced.persons
    assert (forced.cases.opened, forced.cases.closed) == (0, 0)


def test_correcting_a_name_closes_its_case_at_once_and_is_audited(school_db: Database, world: World) -> None:
    check = verifier(world)
    check.verify_school(school_db, CODE, actor="test")
    typo = planted(world, DriftKind.NAME_TYPO)[0]
    case = case_of(school_db, typo.person_id, CaseType.NAME_DIFFERS)
    with school_db.session() as session:
        person = session.get(PersonRow, case.person_id)
        assert person is not None
        values = {"last_name": person.last_name, "first_name": person.first_name}
    values[str(typo.field)] = str(typo.remote)  # as ЕСИА has it: the clerk checked the documents
    result = actions.correct_person(
        school_db,
        case.id,
        last_name=values["last_name"],
        first_name=values["first_name"],
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        actor="clerk:ivanova",
        reason="по свидетельству о рождении",
        verifier=check,
        scope=EVERY,
    )
    assert result.status == CaseStatus.CLOSED
    with school_db.session() as session:
        audit = session.scalars(
            select(AuditRow).where(AuditRow.entity == "person", AuditRow.entity_id == typo.person_id)
        ).all()
        events = session.scalars(
            select(IdentityCaseEventRow.action).where(IdentityCaseEventRow.case_id == case.id)
        ).all()
    assert audit[-1].actor == "clerk:ivanova"
    assert audit[-1].reason == "по свидетельству о рождении"
    assert audit[-1].changes == {str(typo.field): [typo.local, typo.remote]}
    assert list(events) == ["opened", "person_corrected", "closed_by_verification"]


def test_a_dismissed_case_stays_dismissed_until_the_evidence_changes(school_db: Database, world: World) -> None:
    check = verifier(world)
    check.verify_school(school_db, CODE, actor="test")
    untrusted = planted(world, DriftKind.ESIA_UNTRUSTED)[0]
    case = case_of(school_db, untrusted.person_id, CaseType.ACCOUNT_UNTRUSTED)
    with pytest.raises(ValidationError):
        actions.dismiss_case(school_db, case.id, actor="clerk:ivanova", reason="  ", scope=EVERY)
    actions.dismiss_case(school_db, case.id, actor="clerk:ivanova", reason="подтвердит в МФЦ в декабре", scope=EVERY)
    report = check.verify_school(school_db, CODE, actor="test", force=True)
    assert report.cases.suppressed == 1
    assert report.cases.opened == 0
    assert case_of(school_db, untrusted.person_id, CaseType.ACCOUNT_UNTRUSTED).status == CaseStatus.DISMISSED


def test_a_mistyped_snils_offers_the_real_number_and_linking_it_closes_the_case(
    school_db: Database, world: World
) -> None:
    check = verifier(world)
    check.verify_school(school_db, CODE, actor="test")
    typo = planted(world, DriftKind.ESIA_TYPO_ACCOUNT)[0]
    case = case_of(school_db, typo.person_id, CaseType.INVALID_SNILS)
    assert case.candidates
    best = case.candidates[0]
    assert best["snils"] == normalize_snils(str(typo.remote))
    assert best["probability"] >= 0.9
    result = actions.link_candidate(
        school_db, case.id, 0, actor="clerk:ivanova", reason="совпал с ЕСИА", verifier=lambda: check, scope=EVERY
    )
    assert result.status == CaseStatus.CLOSED
    with school_db.session() as session:
        person = session.get(PersonRow, case.person_id)
        assert person is not None
        assert (person.snils, person.snils_rejected) == (normalize_snils(str(typo.remote)), None)


def test_a_snils_another_person_holds_is_refused_with_the_reason(school_db: Database, world: World) -> None:
    check = verifier(world)
    check.verify_school(school_db, CODE, actor="test")
    missing = next(pid for pid, p in world.generated.planted.items() if p.value == "snils_missing")
    case = case_of(school_db, missing, CaseType.MISSING_SNILS)
    with school_db.session() as session:
        taken = session.scalars(select(PersonRow.snils).where(PersonRow.snils.is_not(None)).limit(1)).one()
    with pytest.raises(ValidationError, match="already has SNILS"):
        actions.correct_snils(
            school_db, case.id, str(taken), actor="clerk:ivanova", reason="опечатка", verifier=check, scope=EVERY
        )
    with pytest.raises(ValidationError, match=r"checksum|control"):
        actions.correct_snils(
            school_db, case.id, "112-233-445 96", actor="clerk:ivanova", reason="опечатка", verifier=check, scope=EVERY
        )
    assert case_of(school_db, missing, CaseType.MISSING_SNILS).status == CaseStatus.OPEN


def test_revealing_a_snils_is_audited(school_db: Database, world: World) -> None:
    with school_db.session() as session:
        person_id, source_id = session.execute(
            select(PersonRow.id, PersonRow.source_id).where(PersonRow.snils.is_not(None)).limit(1)
        ).one()
    shown = actions.reveal_snils(school_db, person_id, actor="clerk:ivanova", scope=EVERY)
    assert shown is not None
    assert len(shown) == len("XXX-XXX-XXX YY")
    with school_db.session() as session:
        audit = session.scalars(select(AuditRow).where(AuditRow.action == "view_snils")).one()
    assert (audit.actor, audit.entity_id) == ("clerk:ivanova", source_id)


def test_a_rejected_candidate_is_never_proposed_again(school_db: Database, world: World) -> None:
    check = verifier(world)
    check.verify_school(school_db, CODE, actor="test")
    typo = planted(world, DriftKind.ESIA_TYPO_ACCOUNT)[0]
    case = case_of(school_db, typo.person_id, CaseType.INVALID_SNILS)
    assert case.candidates
    rejected = case.candidates[0]["remote_id"]
    actions.reject_candidate(school_db, case.id, 0, actor="clerk:ivanova", reason="другой человек", scope=EVERY)
    check.verify_school(school_db, CODE, actor="test", force=True)
    again = case_of(school_db, typo.person_id, CaseType.INVALID_SNILS)
    assert again.id == case.id
    assert rejected not in [c["remote_id"] for c in again.candidates or []]


def test_fixing_the_source_data_closes_the_case_on_the_next_verification(school_db: Database, world: World) -> None:
    check = verifier(world)
    check.verify_school(school_db, CODE, actor="test")
    swapped = planted(world, DriftKind.BIRTH_DATE_SWAPPED)[0]
    case = case_of(school_db, swapped.person_id, CaseType.BIRTH_DATE_DIFFERS)
    with school_db.session() as session:  # as a re-import from the school's own system would
        person = session.get(PersonRow, case.person_id)
        assert person is not None
        person.birth_date = dt.date.fromisoformat(str(swapped.remote))
    report = check.verify_school(school_db, CODE, actor="test")
    assert report.asked == 1  # only the changed person went to ЕСИА
    assert report.cases.closed == 1
    assert case_of(school_db, swapped.person_id, CaseType.BIRTH_DATE_DIFFERS).status == CaseStatus.CLOSED


def test_the_runs_lines_name_the_school_and_the_esia_platform_only_while_it_runs(
    school_db: Database, world: World
) -> None:
    def lookup() -> EsiaLookup:
        get_logger("test").info("lookup.opened")
        return quick_lookup(world.url)

    with capture_logs(processors=[merge_contextvars]) as logs:
        Verifier(lookup, IdentitySettings(), today=lambda: TODAY).verify_school(school_db, CODE, actor="test")
        get_logger("test").info("after.run")
    (inside,) = [e for e in logs if e["event"] == "lookup.opened"]
    assert (inside["school"], inside["platform"]) == (CODE, "esia")
    (after,) = [e for e in logs if e["event"] == "after.run"]
    assert not {"school", "platform"} & set(after)
