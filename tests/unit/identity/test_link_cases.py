"""A sync's link candidates as clerk cases, and the clerk's decisions on them fed back to the matcher as labels:
a link writes the id link and a match label, "not this person" a non-match label, and the case closes when no
candidate is left; a case of another school is not found; ЕСИА verification leaves a link case alone."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from edugateway.errors import StoreError
from edugateway.identity import actions
from edugateway.identity.case_types import CaseStatus, CaseType
from edugateway.identity.cases import apply_findings
from edugateway.identity.link_cases import apply_link_candidates, shown_candidate
from edugateway.identity.linkage import LinkRecord
from edugateway.store.cases import Cases
from edugateway.store.cursors import CursorKey, advance_cursor, read_cursor
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks
from edugateway.store.school_scope import SchoolScope
from edugateway.store.tables import IdentityCaseRow, PersonRow, SchoolRow

NOW = dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC)
PLATFORM = "dnevnik"
EVERY = SchoolScope(True, frozenset())


def _never() -> actions.Verifier:
    raise AssertionError("a platform candidate needs no ЕСИА")


@pytest.fixture
def school(sqlite_db: Database) -> int:
    with sqlite_db.session() as session:
        school = SchoolRow(code="sch1", name="Школа № 1")
        session.add(school)
        session.flush()
        session.add(
            PersonRow(school_id=school.id, source_id="s1", roles="student", last_name="Грачёва", first_name="Алина")
        )
        return school.id


def _record(remote_id: str, last_name: str = "Грачева") -> LinkRecord:
    return LinkRecord(remote_id, last_name, "Алина", "Игоревна", dt.date(2018, 3, 7), "f", "2А")


def _apply(db: Database, school_id: int, proposed: dict[str, list[dict[str, object]]]) -> tuple[int, int, int]:
    with db.session() as session:
        changes = apply_link_candidates(
            Cases(session),
            school_id=school_id,
            platform=PLATFORM,
            proposed=proposed,  # type: ignore[arg-type]
            class_names={"s1": "2А"},
            actor="sync:dnevnik",
            now=NOW,
        )
    return changes.opened, changes.refreshed, changes.closed


def _open_case(db: Database, school_id: int, *remote_ids: str) -> int:
    candidates = [
        shown_candidate(PLATFORM, _record(r), 0.8 - i / 10, {"last_name": "one_edit"}) for i, r in enumerate(remote_ids)
    ]
    assert _apply(db, school_id, {"s1": candidates}) == (1, 0, 0)
    with db.session() as session:
        return int(session.scalar(select(IdentityCaseRow.id)) or 0)


def _labels(db: Database, school_id: int) -> list[tuple[str, str, bool]]:
    with db.session() as session:
        return Cases(session).pair_labels(school_id, PLATFORM)


def _status(db: Database, case_id: int) -> str:
    with db.session() as session:
        return Cases(session).get(case_id).status


def test_a_candidate_opens_one_case_a_rerun_keeps_it_and_a_gone_candidate_closes_it(
    sqlite_db: Database, school: int
) -> None:
    case_id = _open_case(sqlite_db, school, "r1")
    again = [shown_candidate(PLATFORM, _record("r1"), 0.8, {"last_name": "one_edit"})]
    assert _apply(sqlite_db, school, {"s1": again}) == (0, 0, 0)  # the same question: nothing changes
    assert _apply(sqlite_db, school, {}) == (0, 0, 1)  # the record linked or vanished
    assert _status(sqlite_db, case_id) == CaseStatus.CLOSED


def test_another_platforms_candidates_stay_on_the_case(sqlite_db: Database, school: int) -> None:
    case_id = _open_case(sqlite_db, school, "r1")
    with sqlite_db.session() as session:
        ecp = shown_candidate("ecp", _record("e9"), 0.6, {})
        apply_link_candidates(
            Cases(session), school_id=school, platform="ecp", proposed={"s1": [ecp]}, class_names={}, actor="t", now=NOW
        )
    assert _apply(sqlite_db, school, {}) == (0, 1, 0)
    with sqlite_db.session() as session:
        assert [c["source"] for c in Cases(session).get(case_id).candidates or []] == ["ecp"]


def test_linking_a_candidate_writes_the_link_a_match_label_and_closes_the_case(
    sqlite_db: Database, school: int
) -> None:
    case_id = _open_case(sqlite_db, school, "r1", "r2")
    with sqlite_db.session() as session:
        advance_cursor(session, CursorKey(school, PLATFORM, "marks"), dt.date(2026, 9, 30))
    result = actions.link_candidate(
        sqlite_db,
        case_id,
        0,
        actor="web:ivanova",
        reason="сверено",
        verifier=_never,
        scope=SchoolScope(True, frozenset()),
    )
    assert result.status == CaseStatus.CLOSED
    with sqlite_db.session() as session:
        links = IdLinks(session, school, PLATFORM, actor="t")
        assert links.links("persons")[0].method == "clerk"
        assert links.remote_id("persons", "s1") == "r1"
        assert read_cursor(session, CursorKey(school, PLATFORM, "marks")) is None  # the skipped marks are read again
    assert _labels(sqlite_db, school) == [("s1", "r1", True)]


def test_rejecting_each_candidate_labels_it_a_non_match_and_the_last_closes_the_case(
    sqlite_db: Database, school: int
) -> None:
    case_id = _open_case(sqlite_db, school, "r1", "r2")
    every = SchoolScope(True, frozenset())
    assert actions.reject_candidate(sqlite_db, case_id, 1, actor="w", reason="другой", scope=every).status == "open"
    assert _labels(sqlite_db, school) == [("s1", "r2", False)]
    assert (
        actions.reject_candidate(sqlite_db, case_id, 0, actor="w", reason="другой", scope=every).status == "dismissed"
    )
    assert _labels(sqlite_db, school) == [("s1", "r2", False), ("s1", "r1", False)]
    assert _status(sqlite_db, case_id) == CaseStatus.DISMISSED


def test_none_of_them_labels_every_candidate_a_non_match(sqlite_db: Database, school: int) -> None:
    case_id = _open_case(sqlite_db, school, "r1", "r2")
    actions.dismiss_case(sqlite_db, case_id, actor="w", reason="другие дети", scope=EVERY)
    assert sorted(_labels(sqlite_db, school)) == [("s1", "r1", False), ("s1", "r2", False)]
    assert _status(sqlite_db, case_id) == CaseStatus.DISMISSED


def test_a_clerk_of_another_school_cannot_decide(sqlite_db: Database, school: int) -> None:
    case_id = _open_case(sqlite_db, school, "r1")
    with pytest.raises(StoreError):
        actions.link_candidate(
            sqlite_db,
            case_id,
            0,
            actor="w",
            reason="x",
            verifier=_never,
            scope=SchoolScope(False, frozenset({school + 1})),
        )
    assert _labels(sqlite_db, school) == []
    assert _status(sqlite_db, case_id) == CaseStatus.OPEN


def test_esia_verification_leaves_a_link_case_open(sqlite_db: Database, school: int) -> None:
    case_id = _open_case(sqlite_db, school, "r1")
    with sqlite_db.session() as session:
        person_id = Cases(session).person_ids(school)["s1"]
        changes = apply_findings(
            Cases(session),
            school_id=school,
            person_id=person_id,
            class_name="2А",
            findings=[],
            candidates={},
            dismissed={},
            actor="verify",
            now=NOW,
        )
    assert changes.closed == 0
    assert _status(sqlite_db, case_id) == CaseStatus.OPEN
    assert CaseType.LINK_CANDIDATE.value == "link_candidate"
