"""Read the school's journal from OneRoster 1.2 gradebook CSV files (issue 18) into a ParsedJournal.

The folder holds results.csv and lineItems.csv, usually categories.csv, scoreScales.csv with
lineItemScoreScales.csv / resultScoreScales.csv, and often the roster files of the same set: of those only
classes.csv (a line item's class: a scheduled class's course is its subject) and academicSessions.csv (a
session's type, parent and dates) are read, and nothing of the roster is imported here. Column lists: see
_gradebook_spec.py.

How a result becomes a Mark (id = the result's sourcedId, person = studentSourcedId):
- value: the result's textScore, else score, through its scale (resultScoreScales.csv, else the line item's in
  lineItemScoreScales.csv); without a scale the value must itself be a mark (parse_mark). scoreStatus
  «fully graded» makes a mark, «exempt» makes ОСВ, «submitted» / «partially graded» / «not submitted» make
  none yet (a warning; the result's id still counts as seen, so a bulk import keeps a stored mark of it).
- kind, from the line item's category title: a final when it names a period (четвертная, полугодовая,
  триместровая, семестровая, "final"), a year final when it says годовая or итоговая or its session is a
  schoolYear; a work when it names a written or control work (контрольная, проверочная, самостоятельная,
  диктант, …; the title becomes work_type); else a lesson mark. The category's weight, rounded into 1–10,
  is every such mark's weight.
- lesson and work marks: lesson_id = LessonLocator(the line item's class, its course when classes.csv says it
  is a scheduled class else None, the line item's assignDate else dueDate).text(); the writer finds the lesson.
- finals: period_id = the line item's academicSessionSourcedId (for a year final the schoolYear session above
  it when academicSessions.csv shows one), subject_id = the class's course from classes.csv (required).
- date: scoreDate, else the line item's assignDate / dueDate, else (a final) its session's endDate.
- `status=tobedeleted` result rows are JournalDeletions keyed by the result's sourcedId (kind mark or final
  from its line item; both when the line item is not in this set, as a delta set's often is not).
The results file's manifest mode (`file.results`) is the mode of marks and finals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pydantic

from edugateway.domain.marks import parse_mark
from edugateway.domain.models import Mark, MarkKind
from edugateway.errors import ValidationError
from edugateway.spreadsheet_text import formula_refusal, looks_like_formula
from edugateway.store.csvfiles import CsvTable, parse_date, parse_datetime, read_table
from edugateway.store.import_limits import ImportLimits
from edugateway.store.journal_set import JournalDeletion, JournalKind, LessonLocator, ParsedJournal
from edugateway.store.oneroster import _spec
from edugateway.store.oneroster._gradebook_spec import (
    COLUMNS,
    CONTEXT_FILES,
    EXEMPT,
    EXEMPT_MARK,
    GRADEBOOK_FILES,
    GRADED,
    NOT_YET_GRADED,
    PERIOD_FINAL_WORDS,
    REQUIRED,
    TOLERATED,
    WORK_WORDS,
    YEAR_FINAL_WORDS,
    folded,
)
from edugateway.store.oneroster._score_scales import ScoreScale, number, parse_scale
from edugateway.store.roster import Incoming, Mode, RowProblem

SOURCE = "oneroster-gradebook"
_KINDS = (JournalKind.MARK, JournalKind.FINAL)


def read_gradebook(path: Path, limits: ImportLimits | None = None) -> ParsedJournal:
    """Parses the gradebook files in the folder `path`. A folder without results.csv or lineItems.csv, or whose
    results.csv / lineItems.csv header lacks a required column, is refused whole (ValidationError, one line);
    every other bad row is a RowProblem and the rest are read."""
    if not path.is_dir():
        raise ValidationError(f"{path} is not a directory; give the folder that holds results.csv")
    return _Reader(path, limits or ImportLimits()).read()


@dataclass(frozen=True, slots=True)
class _Category:
    title: str
    weight: int


@dataclass(frozen=True, slots=True)
class _Session:
    type: str
    parent: str
    end: dt.date | None


@dataclass(frozen=True, slots=True)
class _Class:
    scheduled: bool
    course: str


@dataclass(frozen=True, slots=True)
class _LineItem:
    line: int
    deleted: bool
    class_id: str
    category: _Category | None
    session: str
    day: dt.date | None  # assignDate, else dueDate


def _day(value: str, column: str) -> dt.date:
    """A 1.2 date or dateTime column's day, as written (a school's journal dates are local days)."""
    if len(value) == 10:
        return parse_date(value, column)
    return parse_datetime(value, column).date()


class _Reader:
    def __init__(self, directory: Path, limits: ImportLimits) -> None:
        self.dir = directory
        self.limits = limits
        self.journal = ParsedJournal(source=SOURCE, location=str(directory))
        self.modes: dict[str, Mode] = {}

    # --- plumbing -----------------------------------------------------------------------------------

    def reject(self, file: str, line: int, reason: str) -> None:
        self.journal.rejected.append(RowProblem(file, line, reason))

    def warn(self, file: str, line: int, reason: str) -> None:
        self.journal.warnings.append(RowProblem(file, line, reason))

    def table(self, name: str, *, must: bool = False) -> CsvTable | None:
        if self.modes.get(name, Mode.ABSENT) is Mode.ABSENT:
            return None
        if name in COLUMNS:
            known = COLUMNS[name] + TOLERATED.get(name, ())
        else:
            known = _spec.COLUMNS[name] + _spec.EXTENSIONS.get(name, ())
        table = read_table(
            self.dir / f"{name}.csv",
            known=known,
            required=REQUIRED[name],
            rejected=self.journal.rejected,
            warnings=self.journal.warnings,
            limits=self.limits,
        )
        if table is None and must:  # every mark hangs on these two: one refusal, not a report of nothing
            raise ValidationError(f"{name}.csv cannot be read: {self.journal.rejected[-1].reason}")
        if table is not None:
            self.journal.encodings[table.file] = table.encoding
        return table

    def rows(self, name: str, table: CsvTable | None) -> Iterator[tuple[int, dict[str, str], bool]]:
        """(line, row, tobedeleted) of a file; a bad status, an empty or repeated sourcedId rejects the row."""
        if table is None:
            return
        delta = self.modes[name] is Mode.DELTA
        first: dict[str, int] = {}
        for line, row in table.rows():
            status = row.get("status", "")
            if status not in ("", "active", "tobedeleted"):
                self.reject(table.file, line, f"status {status!r} is not active or tobedeleted")
                continue
            if delta and not status:
                self.warn(table.file, line, "a delta file fills status on every row; this row was read as active")
            if "sourcedId" in table.header:
                sid = row["sourcedId"]
                if not sid:
                    self.reject(table.file, line, "sourcedId is empty; every row needs its own id")
                    continue
                if sid in first:
                    self.reject(
                        table.file,
                        line,
                        f"sourcedId {sid!r} already appears on line {first[sid]}; the first row was used, give each "
                        "row its own id",
                    )
                    continue
                first[sid] = line
            yield line, row, status == "tobedeleted"

    # --- driver -------------------------------------------------------------------------------------

    def read(self) -> ParsedJournal:
        self.read_manifest()
        for kind in _KINDS:
            self.journal.modes[kind] = self.modes["results"]
        sessions = self.read_sessions()
        classes = self.read_classes()
        categories = self.read_categories()
        scales = self.read_scales()
        items = self.read_line_items(categories)
        item_scales = self.links("lineItemScoreScales", "lineItemSourcedId", scales)
        result_scales = self.links("resultScoreScales", "resultSourcedId", scales)
        self.read_results(items, item_scales, result_scales, classes, sessions)
        return self.journal

    def read_manifest(self) -> None:
        names = GRADEBOOK_FILES + CONTEXT_FILES
        path = self.dir / "manifest.csv"
        if not path.exists():
            present = [n for n in names if (self.dir / f"{n}.csv").exists()]
            self.modes = dict.fromkeys(present, Mode.BULK)
            if "results" in present:
                self.warn("manifest.csv", 0, "manifest.csv is missing; the files present were read as bulk")
        else:
            table = read_table(
                path,
                known=("propertyName", "value"),
                required=("propertyName", "value"),
                rejected=self.journal.rejected,
                warnings=self.journal.warnings,
                limits=self.limits,
            )
            if table is None:
                raise ValidationError(f"{path} cannot be read: {self.journal.rejected[-1].reason}")
            self.journal.encodings[table.file] = table.encoding
            props = {row["propertyName"]: (line, row["value"]) for line, row in table.rows()}
            for name in names:
                line, value = props.get(f"file.{name}", (0, "absent"))
                try:
                    mode = Mode(value.strip().lower())
                except ValueError:
                    self.reject("manifest.csv", line, f"file.{name} is {value!r}; use bulk, delta or absent")
                    continue
                exists = (self.dir / f"{name}.csv").exists()
                if mode is not Mode.ABSENT and not exists:
                    missing = f"file.{name} is {mode.value} but {name}.csv is not in the folder"
                    self.reject("manifest.csv", line, missing)
                    continue
                if mode is Mode.ABSENT and exists and name != "results":
                    unread = f"{name}.csv is present but the manifest says absent; it was not read"
                    self.warn("manifest.csv", line, unread)
                    continue
                self.modes[name] = mode
        if self.modes.get("results", Mode.ABSENT) is Mode.ABSENT:
            if (self.dir / "results.csv").exists():
                raise ValidationError(
                    "manifest.csv says file.results is absent, so the set holds no marks; set it to bulk or delta"
                )
            raise ValidationError(f"{self.dir} holds no results.csv, so there are no marks to import; check the folder")
        if self.modes.get("lineItems", Mode.ABSENT) is Mode.ABSENT:
            raise ValidationError(
                f"{self.dir} holds results.csv but no lineItems.csv (listed in the manifest); every result names "
                "its line item: add lineItems.csv"
            )

    # --- the files results refer to ------------------------------------------------------------------

    def read_sessions(self) -> dict[str, _Session]:
        out: dict[str, _Session] = {}
        for line, row, deleted in self.rows("academicSessions", self.table("academicSessions")):
            if deleted:
                continue
            end = None
            if row.get("endDate"):
                try:
                    end = _day(row["endDate"], "endDate")
                except ValueError as exc:
                    self.warn("academicSessions.csv", line, f"{exc}; finals of this session need a scoreDate")
            out[row["sourcedId"]] = _Session(row["type"], row.get("parentSourcedId", ""), end)
        return out

    def read_classes(self) -> dict[str, _Class]:
        out: dict[str, _Class] = {}
        for _line, row, deleted in self.rows("classes", self.table("classes")):
            if not deleted:
                out[row["sourcedId"]] = _Class(row["classType"] == "scheduled", row["courseSourcedId"])
        return out

    def read_categories(self) -> dict[str, _Category]:
        out: dict[str, _Category] = {}
        for line, row, deleted in self.rows("categories", self.table("categories")):
            sid, title = row["sourcedId"], row["title"]
            if deleted:
                continue
            if looks_like_formula(title):
                self.reject("categories.csv", line, f"category {sid!r}: " + formula_refusal("title", title))
                continue
            if not title:
                self.reject("categories.csv", line, f"category {sid!r}: title is empty; name the kind of work")
                continue
            weight = 1
            if row.get("weight"):
                value = number(row["weight"])
                if value is None:
                    self.reject("categories.csv", line, f"category {sid!r}: weight {row['weight']!r} is not a number")
                    continue
                weight = min(10, max(1, round(value)))
                if weight != value:
                    self.warn(
                        "categories.csv",
                        line,
                        f"category {sid!r}: weight {row['weight']} was read as {weight} (a mark's weight is 1–10)",
                    )
            out[sid] = _Category(title, weight)
        return out

    def read_scales(self) -> dict[str, ScoreScale]:
        out: dict[str, ScoreScale] = {}
        for line, row, deleted in self.rows("scoreScales", self.table("scoreScales")):
            sid = row["sourcedId"]
            if deleted:
                continue
            try:
                out[sid] = parse_scale(sid, row["title"], row["scoreScaleValue"])
            except ValueError as exc:
                self.reject("scoreScales.csv", line, f"scale {sid!r}: {exc}")
        return out

    def links(self, name: str, column: str, scales: dict[str, ScoreScale]) -> dict[str, ScoreScale]:
        """lineItem or result id -> its scale, from lineItemScoreScales.csv / resultScoreScales.csv."""
        out: dict[str, ScoreScale] = {}
        for line, row, deleted in self.rows(name, self.table(name)):
            if deleted:
                continue
            scale = scales.get(row["scoreScaleSourcedId"])
            if scale is None:
                self.reject(
                    f"{name}.csv",
                    line,
                    f"scoreScaleSourcedId {row['scoreScaleSourcedId']!r} is not a scale read from scoreScales.csv",
                )
                continue
            out[row[column]] = scale
        return out

    def read_line_items(self, categories: dict[str, _Category]) -> dict[str, _LineItem | int]:
        """lineItem id -> the line item, or the line of its row when the row was rejected."""
        out: dict[str, _LineItem | int] = {}
        for line, row, deleted in self.rows("lineItems", self.table("lineItems", must=True)):
            sid = row["sourcedId"]
            out[sid] = line
            category = None
            if row["categorySourcedId"]:
                category = categories.get(row["categorySourcedId"])
                if category is None and not deleted:
                    self.reject(
                        "lineItems.csv",
                        line,
                        f"lineItem {sid!r}: categorySourcedId {row['categorySourcedId']!r} is not a category read "
                        "from categories.csv; add it there or fix the id",
                    )
                    continue
            if not row["classSourcedId"] and not deleted:
                self.reject("lineItems.csv", line, f"lineItem {sid!r}: classSourcedId is empty; name the class")
                continue
            day = None
            for column in ("assignDate", "dueDate"):
                if row.get(column) and day is None:
                    try:
                        day = _day(row[column], column)
                    except ValueError as exc:
                        self.reject("lineItems.csv", line, f"lineItem {sid!r}: {exc}")
                        break
            else:
                session = row.get("academicSessionSourcedId") or row.get("gradingPeriodSourcedId", "")
                out[sid] = _LineItem(line, deleted, row["classSourcedId"], category, session, day)
        return out

    # --- results ------------------------------------------------------------------------------------

    def read_results(
        self,
        items: dict[str, _LineItem | int],
        item_scales: dict[str, ScoreScale],
        result_scales: dict[str, ScoreScale],
        classes: dict[str, _Class],
        sessions: dict[str, _Session],
    ) -> None:
        table = self.table("results", must=True)
        if table is not None and not {"score", "textScore"} & set(table.header):
            raise ValidationError("results.csv has neither a score nor a textScore column, so it holds no marks")
        for line, row, deleted in self.rows("results", table):
            sid, item_id = row["sourcedId"], row["lineItemSourcedId"]
            item = items.get(item_id)
            kinds = _KINDS if not isinstance(item, _LineItem) else (_journal_kind(_kind_of(item, sessions)[0]),)
            for kind in kinds:
                self.journal.seen(kind, sid)
            if deleted:
                for kind in kinds:
                    self.journal.deletions.append(JournalDeletion(kind, sid, "results.csv", line))
                continue
            if item is None:
                self.reject(
                    "results.csv", line, f"result {sid!r}: lineItem {item_id!r} is not in lineItems.csv; fix the id"
                )
                continue
            if isinstance(item, int):
                self.reject(
                    "results.csv",
                    line,
                    f"result {sid!r}: lineItem {item_id!r} was not read (see lineItems.csv line {item}); fix it there",
                )
                continue
            if item.deleted:
                self.reject(
                    "results.csv", line, f"result {sid!r}: lineItem {item_id!r} is tobedeleted; delete the result too"
                )
                continue
            if row.get("classSourcedId") and row["classSourcedId"] != item.class_id:
                self.warn(
                    "results.csv",
                    line,
                    f"result {sid!r}: classSourcedId {row['classSourcedId']!r} differs from its lineItem's class "
                    f"{item.class_id!r}; the lineItem's was used",
                )
            mark = self.result_mark(line, row, item, result_scales.get(sid) or item_scales.get(item_id))
            if mark is None:
                continue
            record = self.build(line, row, item, mark, classes, sessions)
            if record is not None:
                target = self.journal.finals if record.kind in _FINALS else self.journal.marks
                target.append(Incoming(record, "results.csv", line))

    def result_mark(self, line: int, row: dict[str, str], item: _LineItem, scale: ScoreScale | None) -> str | None:
        sid, status = row["sourcedId"], row["scoreStatus"].strip().lower()
        if status == EXEMPT:
            return EXEMPT_MARK
        if status in NOT_YET_GRADED:
            self.warn("results.csv", line, f"result {sid!r}: scoreStatus is {status!r}; no mark until it is graded")
            return None
        if status != GRADED:
            self.reject(
                "results.csv",
                line,
                f"result {sid!r}: scoreStatus {row['scoreStatus']!r} is not one of fully graded, exempt, "
                + ", ".join(NOT_YET_GRADED),
            )
            return None
        score, text = row.get("score", ""), row.get("textScore", "")
        if not score and not text:
            self.reject("results.csv", line, f"result {sid!r}: score and textScore are empty; give the mark")
            return None
        if scale is not None:
            mark = scale.mark(score, text)
            if mark is None:
                self.reject(
                    "results.csv",
                    line,
                    f"result {sid!r}: {text or score!r} is not on scale {scale.describe()}; fix the score or the scale",
                )
            return mark
        errors = []
        for given in (text, score):
            if given:
                try:
                    return parse_mark(given)
                except ValueError as exc:
                    errors.append(str(exc))
        self.reject(
            "results.csv",
            line,
            f"result {sid!r}: {errors[0]}; or link the lineItem to a scale in lineItemScoreScales.csv",
        )
        return None

    def build(
        self,
        line: int,
        row: dict[str, str],
        item: _LineItem,
        value: str,
        classes: dict[str, _Class],
        sessions: dict[str, _Session],
    ) -> Mark | None:
        sid = row["sourcedId"]
        kind, period = _kind_of(item, sessions)
        known = classes.get(item.class_id)
        course = known.course if known is not None and known.scheduled else None
        try:
            day = _day(row["scoreDate"], "scoreDate") if row.get("scoreDate") else item.day
        except ValueError as exc:
            self.reject("results.csv", line, f"result {sid!r}: {exc}")
            return None
        fields: dict[str, object] = {"id": sid, "person_id": row["studentSourcedId"], "value": value, "kind": kind}
        if item.category is not None:
            fields["weight"] = item.category.weight
        if kind in _FINALS:
            if not period:
                self.reject(
                    "results.csv",
                    line,
                    f"result {sid!r}: its lineItem is a final but names no academicSessionSourcedId; give the period",
                )
                return None
            if course is None:
                self.reject(
                    "results.csv",
                    line,
                    f"result {sid!r}: a final needs its subject, but class {item.class_id!r} is not a scheduled class "
                    "of classes.csv with a course; add classes.csv to the set",
                )
                return None
            session = sessions.get(period)
            fields |= {"period_id": period, "subject_id": course, "date": day or (session.end if session else None)}
        else:
            if item.day is None:
                self.reject(
                    "results.csv",
                    line,
                    f"result {sid!r}: its lineItem has neither assignDate nor dueDate, so its lesson is unknown",
                )
                return None
            fields["lesson_id"] = LessonLocator(item.class_id, course, item.day).text()
            fields["date"] = day
            if kind is MarkKind.WORK and item.category is not None:
                fields["work_type"] = item.category.title
        try:
            return Mark.model_validate(fields)
        except pydantic.ValidationError as exc:
            columns = {"id": "sourcedId", "person_id": "studentSourcedId"}  # name the file's column, not ours
            reason = "; ".join(
                f"{columns.get(str(e['loc'][0]) if e['loc'] else '', 'row')}: {e['msg']}" for e in exc.errors()
            )
            self.reject("results.csv", line, f"result {sid!r}: {reason}")
            return None


_FINALS = (MarkKind.PERIOD_FINAL, MarkKind.YEAR_FINAL)


def _journal_kind(kind: MarkKind) -> JournalKind:
    return JournalKind.FINAL if kind in _FINALS else JournalKind.MARK


def _kind_of(item: _LineItem, sessions: dict[str, _Session]) -> tuple[MarkKind, str]:
    """The kind of the line item's marks and, for a final, its period (see the module docstring)."""
    title = folded(item.category.title) if item.category else ""
    session = sessions.get(item.session)
    year_session = session is not None and session.type == "schoolYear"
    if any(w in title for w in YEAR_FINAL_WORDS) or (year_session and any(w in title for w in PERIOD_FINAL_WORDS)):
        period, seen = item.session, set()
        while period in sessions and sessions[period].type != "schoolYear" and period not in seen:
            seen.add(period)
            period = sessions[period].parent
        return MarkKind.YEAR_FINAL, period if period in sessions else item.session
    if any(w in title for w in PERIOD_FINAL_WORDS):
        return MarkKind.PERIOD_FINAL, item.session
    if any(w in title for w in WORK_WORDS):
        return MarkKind.WORK, ""
    return MarkKind.LESSON, ""
