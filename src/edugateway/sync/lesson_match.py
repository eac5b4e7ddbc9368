"""The platform's lessons matched to the school's own: lessons are made in the platform's timetable, never by the
push, so a local lesson is pushed to only when the platform has the lesson of that day, period number, group
(the class or subgroup's linked platform id) and subject (linked). A match is kept as an id link (entity
`lessons`); a local lesson with none is reported with what to do, and nothing of it is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from edugateway.connectors.base import Connector, DateRange
from edugateway.domain.models import Lesson
from edugateway.errors import DataSafetyError
from edugateway.store.id_links import IdLinks, Link

LESSONS = "lessons"
METHOD = "timetable"  # day, number, group and subject agree


@dataclass
class LessonMatch:
    matched: dict[str, str] = field(default_factory=dict)  # local lesson -> platform lesson
    missing: list[tuple[str, str]] = field(default_factory=list)  # local lesson, why it has no platform lesson


async def match_lessons(
    connector: Connector, ids: IdLinks, lessons: Sequence[Lesson], names: dict[str, str], subjects: dict[str, str]
) -> LessonMatch:
    """Reads the platform's lessons over the span of `lessons` and links each local lesson to the one of its
    day, number, group and subject (in `ids`, whose session the caller commits or, on a dry run, rolls back)."""
    out = LessonMatch()
    if not lessons:
        return out
    span = DateRange(min(lesson.date for lesson in lessons), max(lesson.date for lesson in lessons))
    theirs: dict[tuple[str, str, str, int], str] = {}
    async for remote in connector.lessons(span):
        lesson = remote.record
        theirs.setdefault(
            (lesson.class_id, lesson.subject_id, lesson.date.isoformat(), lesson.number), remote.remote_id
        )
    for lesson in lessons:
        where = (
            f"{lesson.date.isoformat()} №{lesson.number} for {names.get(lesson.class_id, lesson.class_id)} "
            f"{subjects.get(lesson.subject_id, lesson.subject_id)}"
        )
        group = ids.remote_id("classes", lesson.class_id)
        subject = ids.remote_id("subjects", lesson.subject_id)
        if group is None or subject is None:
            unlinked = "class" if group is None else "subject"
            out.missing.append((lesson.id, f"the {unlinked} of {where} is not linked to {ids.platform}; link it first"))
            continue
        remote_id = theirs.get((group, subject, lesson.date.isoformat(), lesson.number))
        if remote_id is None:
            out.missing.append(
                (lesson.id, f"no lesson on the platform on {where}; make it in the platform's timetable")
            )
            continue
        known = ids.remote_id(LESSONS, lesson.id)
        try:
            if known != remote_id:
                if known is None:
                    ids.link(LESSONS, Link(lesson.id, remote_id, METHOD))
                else:  # the platform's timetable moved the lesson: follow it
                    ids.relink(LESSONS, Link(lesson.id, remote_id, METHOD), reason="the platform's lesson changed")
        except DataSafetyError as exc:  # the platform lesson is another local lesson's
            out.missing.append((lesson.id, str(exc)))
            continue
        out.matched[lesson.id] = remote_id
    return out
