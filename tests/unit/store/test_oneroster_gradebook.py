"""The OneRoster 1.2 gradebook reader: results.csv and the files it names, read into a ParsedJournal.

Issue 18, «A local journal»: «`edugateway import journal` reads the school's journal: OneRoster 1.2 gradebook
files (`categories.csv`, `lineItems.csv`, `results.csv`, `scoreScales.csv`) for works and marks … and period
finals (with Н/А, ОСВ, зачёт). Idempotent, delta-aware, per-row problems reported»."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from edugateway.domain.models import Mark, MarkKind
from edugateway.errors import ValidationError
from edugateway.store.journal_set import JournalDeletion, JournalKind, LessonLocator, ParsedJournal
from edugateway.store.oneroster.gradebook import read_gradebook
from edugateway.store.roster import Mode
from support.fixture_files import FIXTURES

_T = "2026-09-07T15:00:00Z"
_CATEGORIES = "sourcedId,status,dateLastModified,title,weight"
_SCALES = "sourcedId,status,dateLastModified,title,type,orgSourcedId,courseSourcedId,classSourcedId,scoreScaleValue"
_LINKS = "sourcedId,status,dateLastModified,title,lineItemSourcedId,scoreScaleSourcedId"
_ITEMS = (
    "sourcedId,status,dateLastModified,title,description,assignDate,dueDate,classSourcedId,categorySourcedId,"
    "academicSessionSourcedId,resultValueMin,resultValueMax,schoolSourcedId"
)
_RESULTS = (
    "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate,comment,"
    "textScore,classSourcedId,inProgress,incomplete,late,missing"
)
_CLASSES = "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classType,schoolSourcedId,termSourcedIds"
_SESSIONS = "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear"


def _write(folder: Path, name: str, *lines: str, encoding: str = "utf-8") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def _item(sid: str, category: str, *, day: str = "2026-09-07", session: str = "q1", cls: str = "c-math") -> str:
    return f"{sid},active,{_T},{sid},,{day},{day},{cls},{category},{session},,,sch-1"


def _result(sid: str, item: str, *, status: str = "fully graded", score: str = "", text: str = "", on: str = "") -> str:
    return f"{sid},active,{_T},{item},p-1,{status},{score},{on},,{text},,,,,"


def _set(folder: Path, items: list[str], results: list[str], categories: list[str] | None = None) -> Path:
    """A set without a manifest (read as bulk): the given line items and results, the usual categories."""
    default = [f"lesson,active,{_T},Ответ на уроке,1", f"kr,active,{_T},Контрольная работа,3"]
    _write(folder, "categories", _CATEGORIES, *(default if categories is None else categories))
    _write(folder, "lineItems", _ITEMS, *items)
    _write(folder, "results", _RESULTS, *results)
    return folder


def _marks(journal: ParsedJournal) -> dict[str, Mark]:
    return {i.record.id: i.record for i in journal.marks + journal.finals}


def _problems(journal: ParsedJournal) -> list[tuple[str, int, str]]:
    return [(p.file, p.line, p.reason) for p in journal.rejected]


def test_the_fixture_set_gives_lesson_work_and_final_marks() -> None:
    """The checked-in set (tests/fixtures/oneroster_gradebook/README.md): every kind of mark once, no problems."""
    journal = read_gradebook(FIXTURES / "oneroster_gradebook")
    assert journal.source == "oneroster-gradebook"
    assert journal.rejected == []
    marks = _marks(journal)
    lesson = LessonLocator("c-5a-math", "crs-math", dt.date(2026, 9, 7)).text()
    work = LessonLocator("c-5a-math", "crs-math", dt.date(2026, 9, 21)).text()
    assert [(i.record.id, i.record.value, i.record.kind, i.record.lesson_id) for i in journal.marks] == [
        ("r-1", "5", MarkKind.LESSON, lesson),
        ("r-2", "4", MarkKind.LESSON, lesson),  # textScore «хорошо» on the five-point scale
        ("r-3", "4", MarkKind.WORK, work),  # 78 on the percent scale
        ("r-4", "ОСВ", MarkKind.WORK, work),  # exempt
    ]
    assert marks["r-3"].work_type == "Контрольная работа"
    assert marks["r-3"].weight == 3
    assert marks["r-3"].date == dt.date(2026, 9, 22)  # scoreDate, not the lesson's day
    assert [(i.record.id, i.record.kind, i.record.period_id, i.record.subject_id) for i in journal.finals] == [
        ("r-6", MarkKind.PERIOD_FINAL, "q1", "crs-math"),
        ("r-7", MarkKind.YEAR_FINAL, "y2027", "crs-math"),
    ]
    assert marks["r-6"].date == dt.date(2026, 10, 24)  # no scoreDate, no line item dates: the quarter's end
    assert [(w.file, w.line) for w in journal.warnings] == [("results.csv", 6)]  # r-5 submitted, not graded yet
    assert journal.seen_keys[JournalKind.MARK] == {"r-1", "r-2", "r-3", "r-4", "r-5"}
    assert journal.mode(JournalKind.MARK) is Mode.BULK
    assert journal.mode(JournalKind.FINAL) is Mode.BULK


def test_a_lesson_mark_names_its_lesson_by_class_and_assign_date_and_takes_the_scheduled_class_course(
    tmp_path: Path,
) -> None:
    folder = _set(tmp_path, [_item("li-1", "lesson", day="2026-09-07T00:00:00Z")], [_result("r-1", "li-1", score="5-")])
    mark = _marks(read_gradebook(folder))["r-1"]
    assert (mark.kind, mark.value, mark.weight) == (MarkKind.LESSON, "5-", 1)
    assert LessonLocator.parse(mark.lesson_id or "") == LessonLocator("c-math", None, dt.date(2026, 9, 7))
    assert mark.date == dt.date(2026, 9, 7)  # no scoreDate: the line item's assignDate

    _write(tmp_path, "classes", _CLASSES, f"c-math,active,{_T},5А мат,05,crs-math,scheduled,sch-1,y2027")
    mark = _marks(read_gradebook(folder))["r-1"]
    assert LessonLocator.parse(mark.lesson_id or "") == LessonLocator("c-math", "crs-math", dt.date(2026, 9, 7))


def test_a_work_category_gives_work_type_and_a_weight_rounded_into_1_to_10(tmp_path: Path) -> None:
    folder = _set(
        tmp_path,
        [_item("li-1", "kr"), _item("li-2", "dict")],
        [_result("r-1", "li-1", score="3"), _result("r-2", "li-2", score="4")],
        categories=[f"kr,active,{_T},Контрольная работа,2.6", f"dict,active,{_T},Диктант,25"],
    )
    journal = read_gradebook(folder)
    marks = _marks(journal)
    assert (marks["r-1"].kind, marks["r-1"].work_type, marks["r-1"].weight) == (MarkKind.WORK, "Контрольная работа", 3)
    assert (marks["r-2"].kind, marks["r-2"].work_type, marks["r-2"].weight) == (MarkKind.WORK, "Диктант", 10)
    assert [(w.file, w.line) for w in journal.warnings if "weight" in w.reason] == [
        ("categories.csv", 2),
        ("categories.csv", 3),
    ]


def test_a_scale_maps_words_and_ranges_and_a_score_off_the_scale_is_rejected_naming_both(tmp_path: Path) -> None:
    folder = _set(
        tmp_path,
        [_item("li-1", "lesson"), _item("li-2", "kr")],
        [
            _result("r-1", "li-1", text="Зачтено"),
            _result("r-2", "li-2", score='"91,5"'),
            _result("r-3", "li-2", score="120"),
            _result("r-4", "li-1", text="отлично"),
        ],
    )
    _write(
        folder,
        "scoreScales",
        _SCALES,
        f'zach,active,{_T},Зачёт,pass,sch-1,,,"{{зачтено:зачёт}},{{не зачтено:незачёт}}"',
        f'pct,active,{_T},Проценты,percent,sch-1,,,"{{85-100:5}},{{70-84.99:4}},{{0-69.99:3}}"',
    )
    _write(folder, "lineItemScoreScales", _LINKS, f"l1,active,{_T},,li-1,zach", f"l2,active,{_T},,li-2,pct")
    journal = read_gradebook(folder)
    marks = _marks(journal)
    assert (marks["r-1"].value, marks["r-2"].value) == ("зачёт", "5")
    assert _problems(journal) == [
        ("results.csv", 4, "result 'r-3': '120' is not on scale 'pct' «Проценты» (85-100, 70-84.99, 0-69.99); "
         "fix the score or the scale"),
        ("results.csv", 5, "result 'r-4': 'отлично' is not on scale 'zach' «Зачёт» (зачтено, не зачтено); "
         "fix the score or the scale"),
    ]  # fmt: skip


def test_a_scale_whose_pair_is_not_a_mark_is_rejected_and_its_links_with_it(tmp_path: Path) -> None:
    folder = _set(tmp_path, [_item("li-1", "lesson")], [_result("r-1", "li-1", score="A")])
    _write(folder, "scoreScales", _SCALES, f'us,active,{_T},Letters,letter,sch-1,,,"{{A:excellent}}"')
    _write(folder, "lineItemScoreScales", _LINKS, f"l1,active,{_T},,li-1,us")
    problems = _problems(read_gradebook(folder))
    assert [(f, line) for f, line, _ in problems] == [
        ("scoreScales.csv", 2),
        ("lineItemScoreScales.csv", 2),
        ("results.csv", 2),
    ]
    assert "{A:excellent}: mark 'excellent' is not one of 1–5" in problems[0][2]
    assert "'us' is not a scale read from scoreScales.csv" in problems[1][2]


def test_finals_take_their_period_and_the_year_final_the_school_year_above_it(tmp_path: Path) -> None:
    folder = _set(
        tmp_path,
        [_item("li-q", "q", day="", session="q2"), _item("li-y", "fin", day="", session="h2")],
        [_result("r-q", "li-q", text="н/а"), _result("r-y", "li-y", score="5", on="2027-05-30")],
        categories=[f"q,active,{_T},Четвертная,", f"fin,active,{_T},Итоговая отметка,"],
    )
    _write(folder, "classes", _CLASSES, f"c-math,active,{_T},5А мат,05,crs-math,scheduled,sch-1,y2027")
    _write(
        folder,
        "academicSessions",
        _SESSIONS,
        f"y2027,active,{_T},2026/2027,schoolYear,2026-09-01,2027-05-31,,2027",
        f"h2,active,{_T},2 полугодие,semester,2027-01-09,2027-05-31,y2027,2027",
        f"q2,active,{_T},2 четверть,gradingPeriod,2026-11-05,2026-12-28,y2027,2027",
    )
    journal = read_gradebook(folder)
    assert journal.rejected == []
    assert journal.marks == []
    finals = _marks(journal)
    assert (finals["r-q"].kind, finals["r-q"].value, finals["r-q"].period_id) == (MarkKind.PERIOD_FINAL, "Н/А", "q2")
    assert finals["r-q"].date == dt.date(2026, 12, 28)
    assert (finals["r-y"].kind, finals["r-y"].period_id, finals["r-y"].subject_id) == (
        MarkKind.YEAR_FINAL,
        "y2027",
        "crs-math",
    )
    assert finals["r-y"].date == dt.date(2027, 5, 30)


def test_a_final_whose_class_course_is_unknown_is_rejected_saying_what_to_add(tmp_path: Path) -> None:
    folder = _set(
        tmp_path,
        [_item("li-q", "q", day="")],
        [_result("r-q", "li-q", score="4")],
        categories=[f"q,active,{_T},Четвертная отметка,"],
    )
    assert _problems(read_gradebook(folder)) == [
        (
            "results.csv",
            2,
            "result 'r-q': a final needs its subject, but class 'c-math' is not a scheduled class of classes.csv "
            "with a course; add classes.csv to the set",
        )
    ]


def test_exempt_is_osv_and_ungraded_results_make_no_mark_but_are_seen(tmp_path: Path) -> None:
    folder = _set(
        tmp_path,
        [_item("li-1", "kr")],
        [
            _result("r-1", "li-1", status="exempt"),
            _result("r-2", "li-1", status="partially graded", score="3"),
            _result("r-3", "li-1", status="graded", score="3"),
        ],
    )
    journal = read_gradebook(folder)
    assert {k: m.value for k, m in _marks(journal).items()} == {"r-1": "ОСВ"}
    assert [(w.line, w.reason) for w in journal.warnings if w.file == "results.csv"] == [
        (3, "result 'r-2': scoreStatus is 'partially graded'; no mark until it is graded")
    ]
    assert _problems(journal) == [
        (
            "results.csv",
            4,
            "result 'r-3': scoreStatus 'graded' is not one of fully graded, exempt, submitted, partially graded, "
            "not submitted",
        )
    ]
    assert journal.seen_keys[JournalKind.MARK] == {"r-1", "r-2", "r-3"}


def test_tobedeleted_results_in_a_delta_set_are_deletions_of_their_kind(tmp_path: Path) -> None:
    folder = _set(
        tmp_path,
        [_item("li-1", "lesson"), _item("li-q", "q", day="")],
        [
            f"r-1,tobedeleted,{_T},li-1,p-1,fully graded,5,,,,,,,,",
            f"r-2,tobedeleted,{_T},li-q,p-1,fully graded,5,,,,,,,,",
            f"r-3,tobedeleted,{_T},li-gone,p-1,fully graded,5,,,,,,,,",
            f"r-4,active,{_T},li-1,p-1,fully graded,4,,,,,,,,",
        ],
        categories=[f"lesson,active,{_T},Ответ на уроке,1", f"q,active,{_T},Четвертная,"],
    )
    _write(
        folder,
        "manifest",
        "propertyName,value",
        "manifest.version,1.0",
        "oneroster.version,1.2",
        "file.categories,bulk",
        "file.lineItems,delta",
        "file.results,delta",
    )
    journal = read_gradebook(folder)
    assert journal.rejected == []
    assert journal.mode(JournalKind.MARK) is Mode.DELTA
    assert journal.mode(JournalKind.FINAL) is Mode.DELTA
    assert journal.deletions == [
        JournalDeletion(JournalKind.MARK, "r-1", "results.csv", 2),
        JournalDeletion(JournalKind.FINAL, "r-2", "results.csv", 3),
        # The line item is not in this delta set: the key is deleted whichever kind holds it.
        JournalDeletion(JournalKind.MARK, "r-3", "results.csv", 4),
        JournalDeletion(JournalKind.FINAL, "r-3", "results.csv", 4),
    ]
    assert list(_marks(journal)) == ["r-4"]


def test_bad_rows_are_reported_with_file_line_and_the_id_they_name(tmp_path: Path) -> None:
    folder = _set(
        tmp_path,
        [_item("li-1", "lesson"), _item("li-2", "nope"), _item("li-3", "lesson", day="07.09.2026")],
        [
            _result("r-1", "li-1", score="6"),
            _result("r-2", "li-2", score="5"),
            _result("r-3", "li-9", score="5"),
            _result("r-1", "li-1", score="5"),
            _result("r-5", "li-1"),
            _result("r-6", "li-3", score="5"),
        ],
        categories=[f"lesson,active,{_T},Ответ на уроке,1", f"bad,active,{_T},=HYPERLINK(1),1"],
    )
    journal = read_gradebook(folder)
    assert [(f, line) for f, line, _ in _problems(journal)] == [
        ("categories.csv", 3),
        ("lineItems.csv", 3),
        ("lineItems.csv", 4),
        ("results.csv", 2),
        ("results.csv", 3),
        ("results.csv", 4),
        ("results.csv", 5),
        ("results.csv", 6),
        ("results.csv", 7),
    ]
    reasons = [r for _, _, r in _problems(journal)]
    assert "categorySourcedId 'nope' is not a category read from categories.csv" in reasons[1]
    assert "assignDate '07.09.2026' is not a date in the form YYYY-MM-DD" in reasons[2]
    assert reasons[3].startswith("result 'r-1': mark '6' is not one of 1–5")
    assert reasons[4] == "result 'r-2': lineItem 'li-2' was not read (see lineItems.csv line 3); fix it there"
    assert reasons[5] == "result 'r-3': lineItem 'li-9' is not in lineItems.csv; fix the id"
    assert "sourcedId 'r-1' already appears on line 2" in reasons[6]
    assert reasons[7] == "result 'r-5': score and textScore are empty; give the mark"
    assert "lineItem 'li-3' was not read (see lineItems.csv line 4)" in reasons[8]


def test_a_result_without_its_pupil_is_rejected_naming_the_column(tmp_path: Path) -> None:
    folder = _set(tmp_path, [_item("li-1", "lesson")], [f"r-1,active,{_T},li-1,,fully graded,5,,,,,,,,"])
    assert _problems(read_gradebook(folder)) == [
        ("results.csv", 2, "result 'r-1': studentSourcedId: String should have at least 1 character")
    ]


def test_a_cp1251_set_from_russian_excel_is_read(tmp_path: Path) -> None:
    folder = _set(tmp_path, [_item("li-1", "kr")], [_result("r-1", "li-1", text="5")])
    _write(folder, "categories", _CATEGORIES, f"kr,active,{_T},Проверочная работа,2", encoding="cp1251")
    journal = read_gradebook(folder)
    assert _marks(journal)["r-1"].work_type == "Проверочная работа"
    assert journal.encodings["categories.csv"] == "cp1251"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no results", "holds no results.csv, so there are no marks to import"),
        ("no line items", "holds results.csv but no lineItems.csv"),
        ("results without studentSourcedId", "results.csv cannot be read: the header lacks the required column(s) "
         "studentSourcedId; none of its 1 data rows were imported"),
        ("results without a score column", "results.csv has neither a score nor a textScore column"),
        ("manifest says results absent", "manifest.csv says file.results is absent"),
    ],
)  # fmt: skip
def test_a_set_without_readable_results_is_refused_in_one_line(tmp_path: Path, change: str, message: str) -> None:
    folder = _set(tmp_path, [_item("li-1", "lesson")], [_result("r-1", "li-1", score="5")])
    results = folder / "results.csv"
    if change == "no results":
        results.unlink()
    elif change == "no line items":
        (folder / "lineItems.csv").unlink()
    elif change == "results without studentSourcedId":
        results.write_text(results.read_text(encoding="utf-8").replace("studentSourcedId", "student"), encoding="utf-8")
    elif change == "results without a score column":
        text = results.read_text(encoding="utf-8").replace(",score,", ",points,").replace(",textScore,", ",words,")
        results.write_text(text, encoding="utf-8")
    else:
        _write(folder, "manifest", "propertyName,value", "file.lineItems,bulk", "file.results,absent")
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        read_gradebook(folder)
    assert "\n" not in str(caught.value)
