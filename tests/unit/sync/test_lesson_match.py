"""Matching the school's own lessons to the platform's (issue 18: "matched by date, period number, group and
subject (lessons themselves are made in the platform's timetable; a local lesson with no platform lesson is
reported, not invented)")."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from edugateway.connectors.base import DateRange, Remote
from edugateway.domain.models import Lesson
from edugateway.store.db import Database
from edugateway.store.id_links import IdLinks, Link
from edugateway.store.tables import IdentityLinkRow, SchoolRow
from edugateway.sync.lesson_match import match_lessons

DAY = dt.date(2026, 9, 3)


class Timetable:
    """The platform's lessons (group, subject, day, number) and the spans it was asked for."""

    platform = "dnevnik"

    def __init__(self, *lessons: Lesson) -> None:
        self._lessons = lessons
        self.asked: list[DateRange] = []

    async def lessons(self, span: DateRange) -> AsyncIterator[Remote[Lesson]]:
        self.asked.append(span)
        for lesson in self._lessons:
            if span.start <= lesson.date <= span.end:
                yield Remote(lesson.id, lesson)


def local(key: str, number: int, class_id: str = "5a", subject: str = "math", day: dt.date = DAY) -> Lesson:
    return Lesson(id=key, date=day, number=number, class_id=class_id, subject_id=subject)


def remote(key: str, number: int, group: str = "g5a", subject: str = "s-math", day: dt.date = DAY) -> Lesson:
    return Lesson(id=key, date=day, number=number, class_id=group, subject_id=subject)


def _links(session: Session) -> IdLinks:
    session.add(SchoolRow(code="s1", name="Школа № 1"))
    session.flush()
    school_id = session.scalar(select(SchoolRow.id))
    assert school_id is not None
    ids = IdLinks(session, school_id, "dnevnik", actor="test")
    ids.link("classes", Link("5a", "g5a", "test"))
    ids.link("subjects", Link("math", "s-math", "test"))
    return ids


async def test_lessons_match_by_day_number_group_and_subject_and_the_match_is_kept(sqlite_db: Database) -> None:
    later = local("k2-next", 2, day=DAY + dt.timedelta(days=7))
    platform = Timetable(
        remote("L2", 2), remote("L3", 3), remote("other", 2, subject="s-rus"), remote("L2-next", 2, day=later.date)
    )
    with sqlite_db.session() as session:
        found = await match_lessons(platform, _links(session), [local("k2", 2), local("k3", 3), later], {}, {})

    assert found.matched == {"k2": "L2", "k3": "L3", "k2-next": "L2-next"}
    assert found.missing == []
    assert platform.asked == [DateRange(DAY, later.date)]  # one read of the local journal's span
    with sqlite_db.session() as session:
        kept = {(r.local_key, r.remote_id) for r in session.scalars(select(IdentityLinkRow)) if r.entity == "lessons"}
    assert kept == {("k2", "L2"), ("k3", "L3"), ("k2-next", "L2-next")}


async def test_a_local_lesson_without_a_platform_lesson_is_reported_with_what_to_do(sqlite_db: Database) -> None:
    lessons = [local("k4", 4), local("k1", 1, class_id="5b")]

    names, subjects = {"5a": "5А", "5b": "5Б"}, {"math": "Математика"}
    with sqlite_db.session() as session:
        found = await match_lessons(Timetable(remote("L2", 2)), _links(session), lessons, names, subjects)

    assert found.matched == {}
    assert dict(found.missing) == {
        "k4": "no lesson on the platform on 2026-09-03 №4 for 5А Математика; make it in the platform's timetable",
        "k1": "the class of 2026-09-03 №1 for 5Б Математика is not linked to dnevnik; link it first",
    }
    with sqlite_db.session() as session:
        assert session.scalars(select(IdentityLinkRow).where(IdentityLinkRow.entity == "lessons")).first() is None
