"""The journal model's lesson keys and locators: a locator survives the round trip through a Mark's lesson_id,
and a lesson's key is never read as a locator."""

from __future__ import annotations

import datetime as dt

from edugateway.store.journal_set import LessonLocator, lesson_key

DAY = dt.date(2026, 10, 5)


def test_a_locator_round_trips_through_its_text() -> None:
    for locator in (
        LessonLocator("5А", "math", DAY, 2),
        LessonLocator("5А-1", None, DAY),
        LessonLocator("c:7/2", "ru", DAY, None),
    ):
        assert LessonLocator.parse(locator.text()) == locator


def test_a_lesson_key_is_not_a_locator() -> None:
    key = lesson_key("5А", "math", DAY, 3)
    assert key == "5А|math|2026-10-05|3"
    assert LessonLocator.parse(key) is None
