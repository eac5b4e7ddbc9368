"""The documented journal layout (issue 18): the columns of the XLSX sheets and of the CSV files that hold them.

Four kinds of record, one sheet or one CSV file each: «Уроки» (lessons.csv), «Оценки» (marks.csv), «Итоговые»
(finals.csv), «Посещаемость» (attendance.csv). A column has a Russian header (the sheet's, also accepted in a CSV)
and an English key (the CSV's usual header). Ids are the roster's source ids, as in the roster template. A
non-empty «Удалить» cell (or a `status` of `tobedeleted`) marks the row's record deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from edugateway.domain.models import AttendanceCode
from edugateway.store.journal_set import JournalKind

INSTRUCTIONS = "Инструкция"
LESSONS, MARKS, FINALS, ATTENDANCE = "Уроки", "Оценки", "Итоговые", "Посещаемость"
YEAR_WORD = "год"  # «ID периода» of a year final when the file does not name the year's period


@dataclass(frozen=True)
class JournalColumn:
    header: str  # the sheet's header (a CSV may use it too)
    key: str  # the CSV header and the reader's name for the value
    required: bool = False
    note: str = ""
    width: int = 16
    kind: str = "text"  # text, date, int
    choices: tuple[str, ...] = ()


_DELETE = JournalColumn("Удалить", "delete", False, "«да» — удалить эту запись из журнала", 10, choices=("да",))
_LOCATOR = (
    JournalColumn("ID урока", "lesson", False, "ID с листа «Уроки»; или заполните класс, предмет, дату и номер урока"),
    JournalColumn("ID класса", "class", False, "Если нет ID урока: ID класса или подгруппы из списков школы"),
    JournalColumn("ID предмета", "subject", False, "Если нет ID урока: ID предмета (у подгруппы можно пусто)"),
    JournalColumn("Дата урока", "lesson_date", False, "Если нет ID урока: например 05.10.2026", kind="date"),
    JournalColumn("Номер урока", "number", False, "Если нет ID урока: номер урока в дне", 10, kind="int"),
)

LAYOUT: dict[JournalKind, tuple[JournalColumn, ...]] = {
    JournalKind.LESSON: (
        JournalColumn(
            "ID урока", "id", False, "Необязательно: без него урок узнаётся по классу, предмету, дате и номеру"
        ),
        JournalColumn("ID класса", "class", True, "ID класса или подгруппы из списков школы, например cls-2026-5А"),
        JournalColumn("ID предмета", "subject", True, "ID предмета из списков школы, например subj-math"),
        JournalColumn("Дата", "date", True, "Например 05.10.2026", kind="date"),
        JournalColumn("Номер урока", "number", True, "Номер урока в дне: 1, 2, …", 10, kind="int"),
        JournalColumn("ID учителя", "teacher", False, "ID учителя из списков школы"),
        JournalColumn("Тема", "topic", False, "Тема урока", 40),
        JournalColumn("Домашнее задание", "homework", False, "Что задано", 40),
        _DELETE,
    ),
    JournalKind.MARK: (
        JournalColumn("ID оценки", "id", False, "Необязательно: без него оценка узнаётся по ученику, уроку и виду"),
        JournalColumn("ID ученика", "person", True, "ID ученика из списков школы"),
        *_LOCATOR,
        JournalColumn("Оценка", "value", True, "1–5, можно с + или -", 8),
        JournalColumn("Вид", "kind", False, "за урок (по умолчанию) или за работу", 10, choices=("урок", "работа")),
        JournalColumn("Вид работы", "work_type", False, "Для оценки за работу: контрольная, самостоятельная, …"),
        JournalColumn("Вес", "weight", False, "От 1 до 10, по умолчанию 1", 6, kind="int"),
        JournalColumn("Дата оценки", "date", False, "Если отличается от даты урока", kind="date"),
        _DELETE,
    ),
    JournalKind.FINAL: (
        JournalColumn(
            "ID оценки", "id", False, "Необязательно: без него оценка узнаётся по ученику, предмету и периоду"
        ),
        JournalColumn("ID ученика", "person", True, "ID ученика из списков школы"),
        JournalColumn("ID предмета", "subject", True, "ID предмета из списков школы"),
        JournalColumn("ID периода", "period", True, f"ID периода из списков школы или «{YEAR_WORD}» для годовой"),
        JournalColumn("Оценка", "value", True, "1–5, Н/А, ОСВ, зачёт или незачёт", 10),
        _DELETE,
    ),
    JournalKind.ATTENDANCE: (
        *_LOCATOR,
        JournalColumn("ID ученика", "person", True, "ID ученика из списков школы"),
        JournalColumn(
            "Код",
            "code",
            True,
            "Н — без причины, У — уважительная, Б — болезнь, ОП — опоздание",
            8,
            choices=tuple(c.value for c in AttendanceCode),
        ),
        JournalColumn("Опоздание, мин", "minutes_late", False, "Для ОП: на сколько минут", 10, kind="int"),
        _DELETE,
    ),
}

SHEET_OF: dict[JournalKind, str] = {
    JournalKind.LESSON: LESSONS,
    JournalKind.MARK: MARKS,
    JournalKind.FINAL: FINALS,
    JournalKind.ATTENDANCE: ATTENDANCE,
}
CSV_FILE_OF: dict[JournalKind, str] = {
    JournalKind.LESSON: "lessons.csv",
    JournalKind.MARK: "marks.csv",
    JournalKind.FINAL: "finals.csv",
    JournalKind.ATTENDANCE: "attendance.csv",
}


def header_index(kind: JournalKind, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column key -> position for a header row naming columns by their Russian header or English key (case and
    a trailing «*» ignored), and the header cells that are neither."""
    names = [h.rstrip(" *").strip().lower() for h in header]
    index: dict[str, int] = {}
    unknown: list[str] = []
    by_name = {c.header.lower(): c.key for c in LAYOUT[kind]} | {c.key: c.key for c in LAYOUT[kind]}
    by_name |= {"status": "delete", "статус": "delete"}
    for i, name in enumerate(names):
        key = by_name.get(name)
        if key is None:
            if name:
                unknown.append(header[i])
        else:
            index.setdefault(key, i)
    return index, unknown
