"""Which compliance rules the night's report can judge: a rule reads pulled journal entities, and a rule whose
entities were never pulled from the platform was not looked at. Such a rule is shown «не проверяется: …» with
no figure, never as «0 нарушений» (issue 16: an ЕЦП school's report showed every journal rule as 0 while
nothing had pulled its journal).

"Pulled" means the entity's pull cursor exists (a pull read it, even if it found nothing) or the platform
delivered records of it (active identity links); see `pulled_entities`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from edugateway.domain.entities import Entity
from edugateway.store.journal_coverage import pulled_and_delivered

# What each rule reads; a rule not named here reads lessons (every journal rule is about lessons held).
# Attendance only narrows the progress rules (an absent pupil's lessons do not count) and a school may have no
# absence at all, so it is not required: without it every pupil counts as present.
RULE_NEEDS: dict[str, tuple[Entity, ...]] = {
    "lesson_without_topic": (Entity.LESSONS,),
    "mark_late": (Entity.LESSONS, Entity.MARKS),
    "work_mark_late": (Entity.LESSONS, Entity.MARKS),
    "student_no_marks": (Entity.LESSONS, Entity.MARKS),
    "student_one_mark": (Entity.LESSONS, Entity.MARKS),
    "mark_accumulation": (Entity.LESSONS, Entity.MARKS),
    "final_missing": (Entity.LESSONS, Entity.FINAL_MARKS),
    "final_changed_after_close": (Entity.FINAL_MARKS,),
    "final_entered_late": (Entity.FINAL_MARKS,),
    "lesson_mark_changed_late": (Entity.LESSONS, Entity.MARKS),
    "homework_late": (Entity.LESSONS,),
    "attendance_late": (Entity.LESSONS, Entity.ATTENDANCE),
}
DEFAULT_NEEDS = (Entity.LESSONS,)
# The control figures by what they read (compliance.py computes them).
FIGURE_NEEDS: dict[str, tuple[Entity, ...]] = {
    "compliance.no_marks_share": RULE_NEEDS["student_no_marks"],
    "compliance.one_mark_share": RULE_NEEDS["student_one_mark"],
    "compliance.homework_share": (Entity.LESSONS,),
    "compliance.topic_share": (Entity.LESSONS,),
    "compliance.teacher_participation_share": (Entity.LESSONS, Entity.MARKS),
}
ENTITY_GENITIVE = {
    Entity.LESSONS: "уроки",
    Entity.MARKS: "отметки",
    Entity.FINAL_MARKS: "итоговые отметки",
    Entity.ATTENDANCE: "посещаемость",
}


def pulled_entities(session: Session, school_id: int, platform: str) -> set[Entity]:
    """The journal entities this school's journal on `platform` was looked at for: those a pull read (their
    cursor) or delivered records of. Without any cursor (records stored by other means) a journal with any
    delivered record counts as looked at whole: its records are the only evidence there is."""
    cursors, delivered = pulled_and_delivered(session, school_id, platform, [e.value for e in ENTITY_GENITIVE])
    if not cursors:
        return set(ENTITY_GENITIVE) if delivered else set()
    return {e for e in ENTITY_GENITIVE if e.value in cursors | delivered}


def missing_reason(needs: Iterable[Entity], pulled: set[Entity]) -> str | None:
    """Why a rule or figure reading `needs` is not judged, or None when everything it reads was pulled."""
    missing = [ENTITY_GENITIVE[e] for e in needs if e not in pulled]
    if not missing:
        return None
    return f"{', '.join(missing)} с платформы ещё не загружались (синхронизация их не забирала), судить не по чему"


def rule_needs(rule: str) -> tuple[Entity, ...]:
    return RULE_NEEDS.get(rule, DEFAULT_NEEDS)
