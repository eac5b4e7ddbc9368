"""One row of the journal layout (an XLSX sheet row or a CSV record, as column key -> cell value) into a record
of a ParsedJournal, a JournalDeletion, or a RowProblem that says which column to fix. Shared by both readers so
the XLSX and the CSV form of the layout read alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

import pydantic

from edugateway.domain.marks import parse_mark
from edugateway.domain.models import Attendance, AttendanceCode, Lesson, Mark, MarkKind
from edugateway.spreadsheet_text import formula_refusal, looks_like_formula
from edugateway.store.cell_text import cell_text as text
from edugateway.store.journal_layout import LAYOUT, YEAR_WORD
from edugateway.store.journal_set import JournalDeletion, JournalKind, LessonLocator, ParsedJournal, lesson_key
from edugateway.store.roster import Incoming, RowProblem

YEAR_PERIOD = "@year"  # a year final's period_id until the writer finds the school's year period
_DELETE_WORDS = frozenset({"да", "x", "х", "1", "+", "удалить", "удалена", "удалён", "удален", "yes", "tobedeleted"})
_WORK_WORDS = {"работа": MarkKind.WORK, "за работу": MarkKind.WORK, "work": MarkKind.WORK}
_LESSON_WORDS = {"": MarkKind.LESSON, "урок": MarkKind.LESSON, "за урок": MarkKind.LESSON, "lesson": MarkKind.LESSON}


class RowError(Exception):
    """A row that cannot become a record: the column and what to fix."""


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    if not raw:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{raw!r} is not a date; write it as 05.10.2026 or 2026-10-05")


def _int(value: Any) -> int | None:
    raw = text(value)
    if not raw:
        return None
    if not re.fullmatch(r"\d+", raw):
        raise ValueError(f"{raw!r} is not a whole number")
    return int(raw)


def derived_id(*parts: str) -> str:
    """A stable key for a row the file gives no id: the same row of the next file gets the same key."""
    key = "|".join(parts)
    return key if len(key) <= 128 else "journal-" + hashlib.sha256(key.encode()).hexdigest()[:40]


def final_key(person: str, subject: str, period: str) -> str:
    return derived_id("final", person, subject, period)


class JournalRows:
    """Adds the rows of one file (or sheet) `where` of kind `kind` to `journal`."""

    def __init__(self, journal: ParsedJournal, kind: JournalKind, where: str) -> None:
        self.journal = journal
        self.kind = kind
        self.where = where
        self.headers = {c.key: c.header for c in LAYOUT[kind]}
        self.first: dict[str, int] = {}

    def add(self, values: dict[str, Any], line: int) -> None:
        try:
            self._add(values, line)
        except RowError as exc:
            self.journal.rejected.append(RowProblem(self.where, line, str(exc)))

    # --- cells ----------------------------------------------------------------------------------------

    def _column(self, key: str) -> str:
        return f"column «{self.headers[key]}»"

    def _cell(self, key: str, parse: Callable[[Any], Any], values: dict[str, Any]) -> Any:
        try:
            return parse(values.get(key))
        except ValueError as exc:
            raise RowError(f"{self._column(key)}: {exc}") from None

    def _free_text(self, key: str, values: dict[str, Any]) -> str | None:
        """A topic or homework. Only a formula ("=…") is refused: "- стр. 12" or "+ повторить" is ordinary text
        here, kept as it is; every file the gateway writes stores such text as text (spreadsheet_text.as_text)."""
        raw = text(values.get(key))
        if raw.startswith("=") and looks_like_formula(raw):
            raise RowError(formula_refusal(self._column(key), raw))
        return raw or None

    def _required(self, values: dict[str, Any], deleting: bool) -> None:
        needed = [c for c in LAYOUT[self.kind] if c.required and not (deleting and c.key in ("value", "code"))]
        empty = [self.headers[c.key] for c in needed if not text(values.get(c.key))]
        if empty:
            raise RowError(f"column(s) {', '.join('«' + e + '»' for e in empty)} are empty; fill them")

    def _model(self, make: Callable[[], Any]) -> Any:
        try:
            return make()
        except pydantic.ValidationError as exc:
            parts = []
            for err in exc.errors():
                key = ".".join(str(x) for x in err["loc"])
                msg = str(err["msg"]).removeprefix("Value error, ")
                parts.append(f"{self._column(key)}: {msg}" if key in self.headers else msg)
            raise RowError("; ".join(parts)) from None

    def _once(self, key: str, line: int) -> None:
        if key in self.first:
            raise RowError(f"{self.kind} {key!r} already appears on line {self.first[key]}; the first row was used")
        self.first[key] = line

    def _lesson_ref(self, values: dict[str, Any]) -> str:
        """The lesson a mark or an attendance row is on: its id, or a locator of class, subject, day, number."""
        lesson = text(values.get("lesson"))
        if lesson:
            return lesson
        class_id = text(values.get("class"))
        day = self._cell("lesson_date", _date, values)
        if not class_id or day is None:
            raise RowError(
                f"the lesson is not named: fill «{self.headers['lesson']}», or «{self.headers['class']}» and "
                f"«{self.headers['lesson_date']}» (with «{self.headers['subject']}» and «{self.headers['number']}»)"
            )
        subject = text(values.get("subject")) or None
        number = self._cell("number", _int, values)
        return LessonLocator(class_id, subject, day, number).text()

    # --- rows -----------------------------------------------------------------------------------------

    def _add(self, values: dict[str, Any], line: int) -> None:
        if self.kind is not JournalKind.ATTENDANCE and text(values.get("id")):
            # Seen even if the row is rejected below: a bulk import never deletes a record whose row was bad.
            self.journal.seen(self.kind, text(values.get("id")))
        deleting = text(values.get("delete")).lower() in _DELETE_WORDS
        if text(values.get("delete")) and not deleting:
            raise RowError(f"{self._column('delete')}: {text(values.get('delete'))!r} is not «да»; leave it empty")
        self._required(values, deleting)
        key, build = {
            JournalKind.LESSON: self._lesson,
            JournalKind.MARK: self._mark,
            JournalKind.FINAL: self._final,
            JournalKind.ATTENDANCE: self._attendance,
        }[self.kind](values)
        self.journal.seen(self.kind, key)
        self._once(key, line)
        if deleting:
            self.journal.deletions.append(JournalDeletion(self.kind, key, self.where, line))
        else:
            build(line)

    def _lesson(self, v: dict[str, Any]) -> tuple[str, Callable[[int], None]]:
        class_id, subject_id = text(v["class"]), text(v["subject"])
        day = self._cell("date", _date, v)
        number = self._cell("number", _int, v)
        key = text(v.get("id")) or lesson_key(class_id, subject_id, day, number)

        def build(line: int) -> None:
            record = self._model(
                lambda: Lesson(
                    id=key,
                    date=day,
                    number=number,
                    class_id=class_id,
                    subject_id=subject_id,
                    teacher_id=text(v.get("teacher")) or None,
                    topic=self._free_text("topic", v),
                    homework=self._free_text("homework", v),
                )
            )
            self.journal.lessons.append(Incoming(record, self.where, line))

        return key, build

    def _mark(self, v: dict[str, Any]) -> tuple[str, Callable[[int], None]]:
        person = text(v["person"])
        lesson = self._lesson_ref(v)
        kind_text = text(v.get("kind")).lower()
        kind = _LESSON_WORDS.get(kind_text) or _WORK_WORDS.get(kind_text)
        if kind is None:
            raise RowError(f"{self._column('kind')}: {kind_text!r} is not «урок» or «работа»")
        work_type = self._free_text("work_type", v)
        key = text(v.get("id")) or derived_id("mark", lesson, person, kind.value, work_type or "")

        def build(line: int) -> None:
            value = self._cell("value", parse_mark, v)
            weight = self._cell("weight", _int, v) or 1
            day = self._cell("date", _date, v)
            locator = LessonLocator.parse(lesson)
            record = self._model(
                lambda: Mark(
                    id=key,
                    person_id=person,
                    value=value,
                    kind=kind,
                    lesson_id=lesson,
                    work_type=work_type,
                    weight=weight,
                    date=day or (locator.day if locator else None),
                )
            )
            self.journal.marks.append(Incoming(record, self.where, line))

        return key, build

    def _final(self, v: dict[str, Any]) -> tuple[str, Callable[[int], None]]:
        person, subject = text(v["person"]), text(v["subject"])
        period = text(v["period"])
        year = period.lower() in (YEAR_WORD, "учебный год", "year")
        key = text(v.get("id")) or final_key(person, subject, YEAR_PERIOD if year else period)

        def build(line: int) -> None:
            value = self._cell("value", parse_mark, v)
            record = self._model(
                lambda: Mark(
                    id=key,
                    person_id=person,
                    value=value,
                    kind=MarkKind.YEAR_FINAL if year else MarkKind.PERIOD_FINAL,
                    subject_id=subject,
                    period_id=YEAR_PERIOD if year else period,
                )
            )
            self.journal.finals.append(Incoming(record, self.where, line))

        return key, build

    def _attendance(self, v: dict[str, Any]) -> tuple[str, Callable[[int], None]]:
        person = text(v["person"])
        lesson = self._lesson_ref(v)
        key = f"{lesson}:{person}"

        def build(line: int) -> None:
            raw = text(v["code"]).upper().replace(" ", "")
            code = next((c for c in AttendanceCode if c.value == raw), None)
            if code is None:
                codes = ", ".join(c.value for c in AttendanceCode)
                raise RowError(f"{self._column('code')}: {text(v['code'])!r} is not one of {codes}")
            late = self._cell("minutes_late", _int, v)
            record = self._model(lambda: Attendance(person_id=person, lesson_id=lesson, code=code, minutes_late=late))
            self.journal.attendance.append(Incoming(record, self.where, line))

        return key, build
