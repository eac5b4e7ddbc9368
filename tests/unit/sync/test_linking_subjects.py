"""Linking subjects: by name; a platform subject the school has none of is held for the platform (a local row of
the platform's, linked to it) so its journal is stored; once the school has the subject, by name or by a link
made by hand, the held subject's lessons and marks move to it and the held row retires."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from edugateway.domain.models import Subject
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks, Link
from edugateway.store.tables import (
    AuditRow,
    ClassRow,
    IdentityLinkRow,
    LessonRow,
    MarkRow,
    PersonRow,
    SchoolRow,
    SubjectRow,
)
from edugateway.sync.linking import LinkOutcome, ReleasedSubject, link_subjects

MATH, PHYS = Subject(id="rm1", name="Математика"), Subject(id="rm2", name="Физика")


@pytest.fixture
def school_id(database: Database) -> int:
    with database.session() as session:
        school = SchoolRow(code="s1", name="Школа № 1")
        session.add(school)
        session.flush()
        session.add(SubjectRow(school_id=school.id, source_id="phys", name="физика"))
        return school.id


def local(database: Database, school_id: int) -> list[Subject]:
    """The school's own subjects, as the engine's snapshot has them."""
    with database.session() as session:
        rows = session.scalars(
            select(SubjectRow).where(SubjectRow.school_id == school_id, SubjectRow.held_for.is_(None))
        )
        return [Subject(id=r.source_id, name=r.name) for r in rows]


def link(database: Database, school_id: int, remote: list[Subject]) -> LinkOutcome:
    outcome = LinkOutcome()
    mine = local(database, school_id)
    with database.session() as session:
        ids = IdLinks(session, school_id, "dnevnik", actor="sync:dnevnik", entities=["subjects"])
        link_subjects(ids, mine, [(s.id, s) for s in remote], outcome)
    return outcome


def links(database: Database) -> dict[str, tuple[str, str]]:
    """remote id -> (local key, method) of the active subject links."""
    with database.session() as session:
        rows = session.scalars(select(IdentityLinkRow).where(IdentityLinkRow.unlinked_at.is_(None)))
        return {r.remote_id: (r.local_key, r.method) for r in rows}


def subject(database: Database, source_id: str) -> SubjectRow:
    with database.session() as session:
        row = session.scalar(select(SubjectRow).where(SubjectRow.source_id == source_id))
        assert row is not None
        return row


def add_journal(database: Database, school_id: int, subject_key: str, lessons: int) -> None:
    """`lessons` lessons of the subject, each with a mark: what a pull stores under it."""
    held = subject(database, subject_key)
    with database.session() as session:
        cls = ClassRow(school_id=school_id, source_id=f"c-{subject_key}", name="5А", grade=5, academic_year=2026)
        pupil = PersonRow(
            school_id=school_id, source_id=f"p-{subject_key}", roles="student", last_name="И", first_name="А"
        )
        session.add_all([cls, pupil])
        session.flush()
        for n in range(lessons):
            lesson = LessonRow(
                school_id=school_id,
                source_id=f"dnevnik:L{subject_key}{n}",
                date=dt.date(2026, 9, 1 + n),
                number=1,
                class_id=cls.id,
                subject_id=held.id,
            )
            session.add(lesson)
            session.flush()
            session.add(
                MarkRow(
                    school_id=school_id,
                    source_id=f"dnevnik:M{subject_key}{n}",
                    person_id=pupil.id,
                    value="5",
                    kind="lesson",
                    lesson_id=lesson.id,
                    subject_id=held.id,
                )
            )


def under(database: Database, source_id: str) -> tuple[int, int]:
    """(lessons, marks) filed under the subject `source_id`."""
    row = subject(database, source_id)
    with database.session() as session:
        lessons = session.scalars(select(LessonRow.id).where(LessonRow.subject_id == row.id)).all()
        marks = session.scalars(select(MarkRow.id).where(MarkRow.subject_id == row.id)).all()
    return len(lessons), len(marks)


def test_a_subject_the_school_lacks_is_held_for_the_platform_and_linked(database: Database, school_id: int) -> None:
    outcome = link(database, school_id, [MATH, PHYS])

    assert links(database) == {"rm1": ("dnevnik:rm1", "held"), "rm2": ("phys", "name")}
    held = subject(database, "dnevnik:rm1")
    assert (held.name, held.held_for, held.active) == ("Математика", "dnevnik", True)
    assert outcome.held == ["rm1"]
    assert outcome.linked == {"subjects": 1}  # held subjects are not counted as the school's links
    with database.session() as session:
        created = session.scalar(select(AuditRow).where(AuditRow.entity == "subject", AuditRow.action == "create"))
    assert created is not None
    assert created.entity_id == "dnevnik:rm1"

    again = link(database, school_id, [MATH, PHYS])
    assert (again.held, again.linked) == ([], {})
    assert links(database) == {"rm1": ("dnevnik:rm1", "held"), "rm2": ("phys", "name")}


def test_a_held_subject_follows_the_platforms_name(database: Database, school_id: int) -> None:
    link(database, school_id, [MATH])
    link(database, school_id, [Subject(id="rm1", name="Математика (углублённая)")])
    assert subject(database, "dnevnik:rm1").name == "Математика (углублённая)"


def test_the_schools_subject_of_that_name_takes_the_journal_over(database: Database, school_id: int) -> None:
    link(database, school_id, [MATH, PHYS])
    add_journal(database, school_id, "dnevnik:rm1", lessons=3)
    with database.session() as session:
        session.add(SubjectRow(school_id=school_id, source_id="math", name="МАТЕМАТИКА"))  # imported since

    outcome = link(database, school_id, [MATH, PHYS])

    assert links(database)["rm1"] == ("math", "name")
    assert under(database, "math") == (3, 3)
    assert under(database, "dnevnik:rm1") == (0, 0)
    assert not subject(database, "dnevnik:rm1").active
    assert outcome.released == [ReleasedSubject("rm1", "Математика", "math", 3, 3)]
    with database.session() as session:
        moved = session.scalars(select(AuditRow.entity_id).where(AuditRow.reason.contains("named «Математика»")))
        assert {"dnevnik:Ldnevnik:rm10", "dnevnik:Mdnevnik:rm10", "dnevnik:rm1"} <= set(moved)
        ended = session.scalar(
            select(IdentityLinkRow).where(
                IdentityLinkRow.local_key == "dnevnik:rm1", IdentityLinkRow.remote_id == "rm1"
            )
        )
    assert ended is not None
    assert ended.unlinked_at is not None  # the held link ends, kept with its reason

    assert link(database, school_id, [MATH, PHYS]).released == []  # nothing left to move


def test_a_link_made_by_hand_to_another_subject_takes_the_journal_over(database: Database, school_id: int) -> None:
    link(database, school_id, [MATH])
    add_journal(database, school_id, "dnevnik:rm1", lessons=2)
    with database.session() as session:
        session.add(SubjectRow(school_id=school_id, source_id="alg", name="Алгебра"))
        session.flush()
        ids = IdLinks(session, school_id, "dnevnik", actor="clerk:ivanova", entities=["subjects"])
        ids.relink("subjects", Link("alg", "rm1", "clerk"), reason="на платформе алгебру ведут как математику")

    link(database, school_id, [MATH])

    assert links(database)["rm1"] == ("alg", "clerk")
    assert under(database, "alg") == (2, 2)
    assert not subject(database, "dnevnik:rm1").active


def test_a_name_two_held_subjects_share_is_not_given_to_one_of_them(database: Database, school_id: int) -> None:
    twins = [MATH, Subject(id="rm9", name="Математика")]
    link(database, school_id, twins)
    assert {k for k, (key, method) in links(database).items() if method == "held"} == {"rm1", "rm9"}
    with database.session() as session:
        session.add(SubjectRow(school_id=school_id, source_id="math", name="Математика"))

    link(database, school_id, twins)

    assert links(database)["rm1"] == ("dnevnik:rm1", "held")
    assert links(database)["rm9"] == ("dnevnik:rm9", "held")
    assert subject(database, "dnevnik:rm1").active


def test_a_name_the_school_has_is_not_held_even_when_it_cannot_be_linked(database: Database, school_id: int) -> None:
    link(database, school_id, [PHYS, Subject(id="rm3", name="Физика")])  # two of it on the platform
    assert links(database) == {}
    with database.session() as session:
        assert session.scalar(select(SubjectRow).where(SubjectRow.held_for.is_not(None))) is None


def test_a_school_subject_with_the_held_key_is_never_taken_over(database: Database, school_id: int) -> None:
    with database.session() as session:
        session.add(SubjectRow(school_id=school_id, source_id="dnevnik:rm1", name="Черчение"))
    link(database, school_id, [MATH])
    assert "rm1" not in links(database)
    assert subject(database, "dnevnik:rm1").held_for is None


def test_a_held_subject_whose_link_was_ended_by_hand_is_handed_over_by_name(database: Database, school_id: int) -> None:
    link(database, school_id, [MATH])
    add_journal(database, school_id, "dnevnik:rm1", lessons=1)
    with database.session() as session:
        session.add(SubjectRow(school_id=school_id, source_id="math", name="Математика"))
        ended = session.scalar(select(IdentityLinkRow).where(IdentityLinkRow.remote_id == "rm1"))
        assert ended is not None
        ended.unlinked_at = dt.datetime.now(dt.UTC)

    link(database, school_id, [MATH])

    assert links(database)["rm1"] == ("math", "name")
    assert under(database, "math") == (1, 1)
    assert not subject(database, "dnevnik:rm1").active


def test_a_held_subject_whose_link_was_ended_by_hand_is_held_again(database: Database, school_id: int) -> None:
    link(database, school_id, [MATH])
    with database.session() as session:
        ended = session.scalar(select(IdentityLinkRow).where(IdentityLinkRow.remote_id == "rm1"))
        assert ended is not None
        ended.unlinked_at = dt.datetime.now(dt.UTC)

    link(database, school_id, [MATH])

    assert links(database)["rm1"] == ("dnevnik:rm1", "held")
    assert subject(database, "dnevnik:rm1").active
