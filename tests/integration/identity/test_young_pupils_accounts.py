"""Issue 15 through the real СМЭВ/ЕСИА emulator: pupils under 14 on the unconfirmed child account a parent made
open no case, while a pupil of 14 or over with an unconfirmed account does, from the 14th birthday on (the
date counted at the school, in its time zone), even when nothing else about the pupil changed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from edugateway.config.settings import IdentitySettings
from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.emulators.server import BackgroundServer
from edugateway.emulators.smev import ENDPOINT, create_app, world_from_snapshot
from edugateway.emulators.synthetic import generate_school
from edugateway.identity.case_types import CaseStatus
from edugateway.identity.verify import Verifier
from edugateway.store.db import Database
from edugateway.store.oneroster import read_oneroster, write_oneroster
from edugateway.store.roster import apply_roster
from edugateway.store.tables import IdentityCaseRow, PersonRow
from support.clerk_school import quick_lookup

CODE = "sch125"
TODAY = dt.date(2026, 11, 23)
FOURTEEN_TODAY = dt.date(2012, 11, 23)
FOURTEEN_TOMORROW = dt.date(2012, 11, 24)
ZONE = "Asia/Yekaterinburg"  # UTC+5: 19:00 UTC on 22 November is already 23 November at the school


def _age(born: dt.date | None) -> int:
    assert born is not None
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


class School:
    """A school whose pupils have the accounts of the region, plus four pupils at and over the boundary."""

    def __init__(self) -> None:
        snapshot = generate_school(students=110, classes=11, seed=23, code=CODE, snils_error_rate=0).snapshot
        holders = Counter(p.snils for p in snapshot.persons if p.snils)  # a copied SNILS is a case of its own
        students = [p for p in snapshot.persons if Role.STUDENT in p.roles and p.snils and holders[p.snils] == 1]
        older = [p for p in students if _age(p.birth_date) >= 15]
        self.not_converted, self.own_unconfirmed = older[0].id, older[1].id  # 14+, unconfirmed
        self.birthday_today, self.birthday_tomorrow = older[2].id, older[3].id
        born = {self.birthday_today: FOURTEEN_TODAY, self.birthday_tomorrow: FOURTEEN_TOMORROW}
        persons = [p.model_copy(update={"birth_date": born[p.id]}) if p.id in born else p for p in snapshot.persons]
        school = snapshot.school.model_copy(update={"timezone": ZONE})
        self.snapshot: SchoolSnapshot = snapshot.model_copy(update={"persons": persons, "school": school})
        self.young = {p.id for p in students if _age(p.birth_date) < 14}
        assert len(self.young) > 20, "the school must have many pupils under 14"

    def account_flags(self) -> dict[str, dict[str, Any]]:
        """The region's accounts: under 14 a parent-made child account, unconfirmed; 14+ their own, confirmed;
        except the four chosen pupils, whose accounts are unconfirmed whatever their age."""
        parent_made_unconfirmed = {"trusted": False, "kidAccCreatedByParent": True}
        flags: dict[str, dict[str, Any]] = {
            p.id: parent_made_unconfirmed
            if _age(p.birth_date) < 14
            else {"trusted": True, "kidAccCreatedByParent": False}
            for p in self.snapshot.persons
            if Role.STUDENT in p.roles
        }
        flags[self.not_converted] = flags[self.birthday_today] = flags[self.birthday_tomorrow] = parent_made_unconfirmed
        flags[self.own_unconfirmed] = {"trusted": False, "kidAccCreatedByParent": False}
        return flags


@pytest.fixture(scope="module")
def school() -> School:
    return School()


@pytest.fixture(scope="module")
def esia_url(school: School) -> Iterator[str]:
    emulator = create_app(world_from_snapshot(school.snapshot, school.account_flags()), response_delay_s=0.05)
    with BackgroundServer(emulator.app) as server:
        yield server.base_url + ENDPOINT


@pytest.fixture
def school_db(database: Database, school: School, tmp_path: Path) -> Database:
    write_oneroster(school.snapshot, tmp_path / "oneroster")
    apply_roster(database, read_oneroster(tmp_path / "oneroster"), CODE)
    return database


def open_cases(db: Database) -> set[tuple[str, str]]:
    with db.session() as session:
        rows = session.execute(
            select(PersonRow.source_id, IdentityCaseRow.case_type)
            .join(PersonRow, PersonRow.id == IdentityCaseRow.person_id)
            .where(IdentityCaseRow.status == CaseStatus.OPEN)
        )
        return {(source_id, case_type) for source_id, case_type in rows.tuples()}


def test_young_pupils_parent_made_accounts_open_no_case_but_unconfirmed_14_year_olds_do(
    school_db: Database, school: School, esia_url: str
) -> None:
    verifier = Verifier(lambda: quick_lookup(esia_url), IdentitySettings(), today=lambda: TODAY)
    report = verifier.verify_school(school_db, CODE, actor="test")

    assert report.failed == {}
    account_cases = {c for c in open_cases(school_db) if c[1] in ("account_untrusted", "no_child_account")}
    assert account_cases == {
        (school.not_converted, "account_untrusted"),  # still on the child account a parent made
        (school.own_unconfirmed, "account_untrusted"),
        (school.birthday_today, "account_untrusted"),  # 14 today: the day itself counts
    }
    assert not {c for c in open_cases(school_db) if c[0] in school.young or c[0] == school.birthday_tomorrow}


def test_the_age_is_counted_on_the_date_at_the_school(school_db: Database, school: School, esia_url: str) -> None:
    clock = dt.datetime(2026, 11, 22, 18, 59, tzinfo=dt.UTC)  # 23:59 on 22 November in Yekaterinburg
    verifier = Verifier(lambda: quick_lookup(esia_url), IdentitySettings(), now=lambda: clock)

    verifier.verify_school(school_db, CODE, actor="test")
    assert (school.birthday_today, "account_untrusted") not in open_cases(school_db)  # still 13 at the school

    clock = dt.datetime(2026, 11, 22, 19, 0, tzinfo=dt.UTC)  # 00:00 on 23 November there, 22:00 in Moscow
    report = verifier.verify_school(school_db, CODE, actor="test")  # not forced: nobody's record changed
    assert (school.birthday_today, "account_untrusted") in open_cases(school_db)
    assert (school.birthday_tomorrow, "account_untrusted") not in open_cases(school_db)
    # only who turned 14 since the last check is asked again; everyone else keeps a fresh answer
    turned_14 = [p for p in school.snapshot.persons if Role.STUDENT in p.roles and p.birth_date == FOURTEEN_TODAY]
    assert report.asked == len(turned_14)
    assert report.reused == report.persons - len(turned_14)
