"""The school's own journal as an import reads it (issue 18): lessons with topic and homework, lesson and work
marks, period and year finals, attendance, each with the file and line it came from.

Every reader (the OneRoster 1.2 gradebook CSVs, the journal XLSX/CSV layout) produces a `ParsedJournal`; one
writer (`import journal`) stores it. Ids are the school's own: a lesson's `id` is the key its file gives it (or
one derived from class, subject, date and number where the file has none); `class_id`, `subject_id`,
`person_id` and `period_id` are the roster's source ids. Stored rows get `origin = LOCAL_ORIGIN`, which is how
the push to a platform and a later bulk import find the local journal among the rows pulled from platforms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from edugateway.domain.models import Attendance, Lesson, Mark
from edugateway.store.roster import Incoming, Mode, RowProblem

LOCAL_ORIGIN = "local"
_SEP = "|"  # not "/" or ":": roster ids and platform refs use those


def lesson_key(class_id: str, subject_id: str, day: dt.date, number: int) -> str:
    """The key of a lesson whose file gives it none: class, subject, day and number name one lesson."""
    return _SEP.join((class_id, subject_id, day.isoformat(), str(number)))


@dataclass(frozen=True, slots=True)
class LessonLocator:
    """A mark's lesson named by what the file knows of it rather than by its key (a gradebook result has a class
    and a date, not a lesson): the writer finds the stored local lesson it names. `subject_id` None means the
    class's own subject (a subgroup's); `number` None means the lesson of that day (the first, with a warning, when
    the class has several of that subject that day)."""

    class_id: str
    subject_id: str | None
    day: dt.date
    number: int | None = None

    def text(self) -> str:
        """What a Mark's `lesson_id` holds for this locator: "@" and the fields."""
        fields = (
            self.class_id,
            self.subject_id or "",
            self.day.isoformat(),
            "" if self.number is None else str(self.number),
        )
        return "@" + _SEP.join(fields)

    @classmethod
    def parse(cls, text: str) -> LessonLocator | None:
        """The locator a `lesson_id` holds, or None when it is a lesson's key."""
        if not text.startswith("@"):
            return None
        class_id, subject_id, day, number = text[1:].split(_SEP)
        return cls(class_id, subject_id or None, dt.date.fromisoformat(day), int(number) if number else None)


class JournalKind(StrEnum):
    """A kind of journal record, in the order the importer writes them (a lesson before what names it). The
    values key the import report's counts and the audit rows' `entity`, so they never change."""

    LESSON = "lesson"
    MARK = "mark"  # lesson and work marks
    FINAL = "final"  # period and year finals
    ATTENDANCE = "attendance"


@dataclass(frozen=True, slots=True)
class JournalDeletion:
    """A row the file marks deleted (OneRoster `status=tobedeleted`, or the layout's deletion column): the stored
    local record with this key goes. Attendance is keyed "<lesson id>:<person id>"."""

    kind: JournalKind
    key: str
    file: str
    line: int


@dataclass
class ParsedJournal:
    """What a journal reader produced: records with their origins, a mode per kind, and every row problem."""

    source: str  # "oneroster-gradebook", "journal-xlsx", "journal-csv": the audit actor is "import:<source>"
    location: str
    lessons: list[Incoming[Lesson]] = field(default_factory=list)
    marks: list[Incoming[Mark]] = field(default_factory=list)  # kind lesson or work
    finals: list[Incoming[Mark]] = field(default_factory=list)  # kind period_final or year_final
    attendance: list[Incoming[Attendance]] = field(default_factory=list)
    deletions: list[JournalDeletion] = field(default_factory=list)
    # bulk: the file holds every record of its kind for the span it covers; delta: only changes; absent: no file.
    modes: dict[JournalKind, Mode] = field(default_factory=dict)
    # Every key a file named, accepted or not: a bulk import never deletes a record whose row was rejected.
    seen_keys: dict[JournalKind, set[str]] = field(default_factory=dict)
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)  # file -> encoding it was read with
    notes: list[str] = field(default_factory=list)  # what the report says about the set as a whole

    def mode(self, kind: JournalKind) -> Mode:
        return self.modes.get(kind, Mode.ABSENT)

    def seen(self, kind: JournalKind, key: str) -> None:
        self.seen_keys.setdefault(kind, set()).add(key)
