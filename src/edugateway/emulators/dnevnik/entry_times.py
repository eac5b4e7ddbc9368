"""When the emulated teachers entered what they entered: a homework's `sentDate` and an attendance entry's
`createdDate`, as naive local times of the school like every Дневник payload.

Most is on time and some is late, as in a real school (001 §2.5–2.6: attendance daily, homework within 1.5 h
after the class's lessons end). Each time is drawn from a generator seeded by the record's own id, so a world
regenerated from the same school has the same times, and the school's journal generator is left untouched.
"""

from __future__ import annotations

import datetime as dt
import random

LESSON_MINUTES = 45
HOMEWORK_LIMIT = dt.timedelta(minutes=90)  # 001 §2.6, 003 §2.7
HOMEWORK_IN_LESSON = 0.80  # typed in while the lesson is on
HOMEWORK_AFTER_LESSONS = 0.12  # after the class's last lesson, within the limit; the rest is late
ATTENDANCE_LATE = 0.06  # entered on a later day


def _rng(*key: str) -> random.Random:
    return random.Random(":".join(key))  # a str seed is hashed with SHA-512: the same on every run


def homework_sent(key: str, lesson_start: dt.datetime, day_end: dt.datetime) -> dt.datetime:
    """When the homework of the lesson starting at `lesson_start` was sent; `day_end` is when the class's last
    lesson that day ends."""
    rng = _rng("homework", key)
    draw = rng.random()
    if draw < HOMEWORK_IN_LESSON:
        return lesson_start + dt.timedelta(minutes=rng.randint(5, 40), seconds=rng.randint(0, 59))
    if draw < HOMEWORK_IN_LESSON + HOMEWORK_AFTER_LESSONS:
        return day_end + dt.timedelta(minutes=rng.randint(1, 85), seconds=rng.randint(0, 59))
    return day_end + HOMEWORK_LIMIT + dt.timedelta(minutes=rng.randint(5, 300), seconds=rng.randint(0, 59))


def attendance_entered(key: str, lesson_start: dt.datetime) -> dt.datetime:
    """When the attendance entry `key` of the lesson starting at `lesson_start` was made: during the lesson, or
    for a few on one of the next three days."""
    rng = _rng("attendance", key)
    millis = dt.timedelta(milliseconds=rng.randint(0, 999))
    if rng.random() >= ATTENDANCE_LATE:
        return lesson_start + dt.timedelta(minutes=rng.randint(0, 15), seconds=rng.randint(0, 59)) + millis
    later = dt.datetime.combine(lesson_start.date() + dt.timedelta(days=rng.randint(1, 3)), dt.time(8))
    return later + dt.timedelta(minutes=rng.randint(0, 13 * 60)) + millis
