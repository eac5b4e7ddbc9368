"""Linking persons: Дневник.ру's SNILS search first, then the gateway's one matcher (identity/linkage.py). A clear
match links by itself, an uncertain one is a candidate for the clerk, and the clerk's decisions are labels the
matcher obeys: a match links (method "clerk"), a non-match is never proposed again."""

from __future__ import annotations

import datetime as dt

import pytest

from edugateway.domain.models import Gender, Person, Role
from edugateway.identity.linkage import Label
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks
from edugateway.store.tables import SchoolRow
from edugateway.sync.linking import LinkOutcome, PersonSide, link_persons

BORN = dt.date(2016, 4, 12)


def side(key: str, last: str, first: str, *, born: dt.date | None = BORN, snils: str | None = None) -> PersonSide:
    person = Person(
        id=key,
        roles=frozenset({Role.STUDENT}),
        last_name=last,
        first_name=first,
        middle_name="Игоревна",
        birth_date=born,
        gender=Gender.FEMALE,
        snils=snils,
    )
    return PersonSide(key, person, "4Б")


LOCAL = [side("s1", "Смирнова", "Варвара", snils="11223344595"), side("s2", "Кузнецова", "Полина")]


@pytest.fixture
def school_id(sqlite_db: Database) -> int:
    with sqlite_db.session() as session:
        school = SchoolRow(code="s1", name="Школа № 1")
        session.add(school)
        session.flush()
        return school.id


async def run(
    db: Database, school_id: int, remote: list[PersonSide], *, labels: list[Label] | None = None, found: str = ""
) -> tuple[LinkOutcome, dict[str, tuple[str, str]]]:
    async def search(snils: str) -> list[str]:
        return [found] if found else []

    outcome = LinkOutcome()
    with db.session() as session:
        ids = IdLinks(session, school_id, "dnevnik", actor="test")
        await link_persons(ids, LOCAL, remote, outcome, search_by_snils=search, labels=labels or [])
        return outcome, {link.local_key: (link.remote_id, link.method) for link in ids.links("persons")}


async def test_a_clear_match_links_by_itself(sqlite_db: Database, school_id: int) -> None:
    outcome, links = await run(sqlite_db, school_id, [side("r2", "КУЗНЕЦОВА", "Полина")])
    assert links == {"s2": ("r2", "match")}
    assert outcome.candidates == []


async def test_the_snils_search_comes_before_the_matcher(sqlite_db: Database, school_id: int) -> None:
    # The platform's name is another (a marriage, a wrong record): the SNILS the platform confirmed decides.
    _, links = await run(sqlite_db, school_id, [side("r1", "Орлова", "Дарья", born=None)], found="r1")
    assert links == {"s1": ("r1", "snils")}


async def test_an_uncertain_match_is_a_candidate_not_a_link(sqlite_db: Database, school_id: int) -> None:
    outcome, links = await run(sqlite_db, school_id, [side("r2", "Кузнецва", "Полина", born=None)])
    assert links == {}
    [candidate] = outcome.candidates
    assert (candidate.local_key, candidate.remote_id) == ("s2", "r2")
    assert 0.5 <= candidate.score < 0.99
    assert candidate.agreement["last_name"] == "one_edit"
    assert outcome.remote_records["r2"].last_name == "Кузнецва"


async def test_the_clerks_labels_decide_the_pair(sqlite_db: Database, school_id: int) -> None:
    remote = [side("r2", "Кузнецва", "Полина", born=None)]
    rejected, links = await run(sqlite_db, school_id, remote, labels=[Label("s2", "r2", match=False)])
    assert (rejected.candidates, links) == ([], {})
    accepted, links = await run(sqlite_db, school_id, remote, labels=[Label("s2", "r2", match=True)])
    assert (accepted.candidates, links) == ([], {"s2": ("r2", "clerk")})
