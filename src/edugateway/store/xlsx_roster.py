"""The XLSX roster template a school clerk fills by hand, with Russian headers; read back into a ParsedRoster.

One sheet per kind of record («Школа», «Предметы», «Периоды», «Классы», «Люди», «Зачисления», «Родители»),
a header row whose cells carry a comment with the rules and an example, and drop-down lists where a column
takes a fixed set of words. `write_template(path)` writes it empty; `write_template(path, snapshot)` fills it
(the XLSX export). A sheet with data rows replaces that kind of record (bulk); a missing or empty sheet
leaves the stored records alone. Problems name the sheet, the row and the column.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from edugateway.domain.entities import RecordKind
from edugateway.domain.models import (
    Enrollment,
    EnrollmentRole,
    Gender,
    ParentLink,
    Person,
    ReportingPeriod,
    ReportingPeriodKind,
    Role,
    School,
    SchoolClass,
    Subject,
)
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.domain.snils import check_snils, format_snils
from edugateway.errors import ValidationError
from edugateway.private_files import FileKind, private_file
from edugateway.spreadsheet_text import formula_refusal, looks_like_formula, text_cell
from edugateway.store.cell_text import cell_text as _text
from edugateway.store.import_limits import ImportLimits
from edugateway.store.roster import Incoming, Mode, ParsedRoster, RowProblem
from edugateway.store.xlsx_archive import check_xlsx_archive

INSTRUCTIONS = "Инструкция"
SCHOOL, SUBJECTS, PERIODS, CLASSES, PEOPLE, ENROLLMENTS, PARENTS = (
    "Школа",
    "Предметы",
    "Периоды",
    "Классы",
    "Люди",
    "Зачисления",
    "Родители",
)

ROLE_RU = {Role.STUDENT: "ученик", Role.TEACHER: "учитель", Role.PARENT: "родитель", Role.STAFF: "сотрудник"}
ROLE_IN = (
    {v: k for k, v in ROLE_RU.items()}
    | {
        "ученица": Role.STUDENT,
        "учительница": Role.TEACHER,
        "педагог": Role.TEACHER,
        "мать": Role.PARENT,
        "отец": Role.PARENT,
        "опекун": Role.PARENT,
        "законный представитель": Role.PARENT,
        "администрация": Role.STAFF,
    }
    | {r.value: r for r in Role}
)
KIND_RU = {
    ReportingPeriodKind.QUARTER: "четверть",
    ReportingPeriodKind.HALF: "полугодие",
    ReportingPeriodKind.TRIMESTER: "триместр",
    ReportingPeriodKind.YEAR: "год",
}
KIND_IN = (
    {v: k for k, v in KIND_RU.items()}
    | {"учебный год": ReportingPeriodKind.YEAR}
    | {k.value: k for k in ReportingPeriodKind}
)
ENROLL_RU = {EnrollmentRole.STUDENT: "ученик", EnrollmentRole.TEACHER: "учитель"}
ENROLL_IN = {v: k for k, v in ENROLL_RU.items()} | {k.value: k for k in EnrollmentRole}
RELATION_RU = {"mother": "мать", "father": "отец", "guardian": "опекун", "parent": "родитель"}
RELATION_IN = {v: k for k, v in RELATION_RU.items()}
GENDER_IN = {
    "м": Gender.MALE,
    "муж": Gender.MALE,
    "m": Gender.MALE,
    "ж": Gender.FEMALE,
    "жен": Gender.FEMALE,
    "f": Gender.FEMALE,
}
GENDER_RU = {Gender.MALE: "М", Gender.FEMALE: "Ж"}


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    note: str = ""
    width: int = 18
    kind: str = "text"  # text, date, int
    choices: tuple[str, ...] = ()


SCHOOL_FIELDS = (
    ("Полное наименование", "name", "Как в уставе, например МАОУ «СОШ № 125»"),
    ("ИНН", "inn", "10 цифр"),
    ("ОГРН", "ogrn", "13 цифр"),
    ("Часовой пояс", "timezone", "Например Europe/Moscow, Asia/Yekaterinburg"),
    ("Код школы", "code", "Для справки: при загрузке школу выбирает параметр --school"),
)

SHEETS: dict[str, tuple[Column, ...]] = {
    SUBJECTS: (
        Column("ID предмета", "id", True, "Постоянный код предмета в вашей системе, например subj-math"),
        Column("Название", "name", True, "Например «Математика»", 30),
        Column("Краткий код", "code", False, "Необязательно, например math"),
    ),
    PERIODS: (
        Column("ID периода", "id", True, "Например rp-2026-q1"),
        Column("Название", "name", True, "Например «1 четверть»", 24),
        Column("Вид", "kind", True, "четверть, полугодие, триместр или год", choices=tuple(KIND_RU.values())),
        Column("Учебный год", "academic_year", True, "Год начала: 2026 для 2026/2027", kind="int"),
        Column("Начало", "start_date", True, "Дата, например 01.09.2026", kind="date"),
        Column("Окончание", "end_date", True, "Дата, например 26.10.2026", kind="date"),
    ),
    CLASSES: (
        Column("ID класса", "id", True, "Например cls-2026-5А"),
        Column("Название", "name", True, "Например «5А» или «5А Английский язык, группа 1»", 30),
        Column("Параллель", "grade", True, "Число от 0 до 11 (0 для дошкольной группы)", kind="int"),
        Column("Учебный год", "academic_year", True, "Год начала: 2026 для 2026/2027", kind="int"),
        Column("Класс (для подгруппы)", "parent_id", False, "Только у подгруппы: ID класса, который она делит", 22),
        Column(
            "Предмет (для подгруппы)", "subject_id", False, "Только у подгруппы: ID предмета с листа «Предметы»", 22
        ),
    ),
    PEOPLE: (
        Column("ID", "id", True, "Постоянный код человека в вашей системе, например s00001"),
        Column(
            "Роли",
            "roles",
            True,
            "ученик, учитель, родитель или сотрудник; несколько — через запятую",
            choices=tuple(ROLE_RU.values()),
        ),
        Column("Фамилия", "last_name", True, "Например Иванова"),
        Column("Имя", "first_name", True, "Например Мария"),
        Column("Отчество", "middle_name", False, "Если есть"),
        Column("Дата рождения", "birth_date", False, "Например 14.03.2014", kind="date"),
        Column("Пол", "gender", False, "М или Ж", 8, choices=("М", "Ж")),
        Column("СНИЛС", "snils", False, "Например 112-233-445 95", 16),
        Column("Эл. почта", "email", False, "", 24),
        Column("Телефон", "phone", False, "Например +79001234567"),
    ),
    ENROLLMENTS: (
        Column("ID человека", "person_id", True, "ID с листа «Люди»"),
        Column("ID класса", "class_id", True, "ID с листа «Классы» (класс или подгруппа)"),
        Column("Роль в классе", "role", True, "ученик или учитель", choices=tuple(ENROLL_RU.values())),
        Column("Дата начала", "start_date", False, "Например 01.09.2026", kind="date"),
        Column("Дата окончания", "end_date", False, "Если ученик выбыл", kind="date"),
        Column("ID записи", "id", False, "Необязательно; оставьте пустым, если в вашей системе его нет", 24),
    ),
    PARENTS: (
        Column("ID родителя", "parent_id", True, "ID с листа «Люди»"),
        Column("ID ребёнка", "child_id", True, "ID с листа «Люди»"),
        Column(
            "Кем приходится", "relation", False, "мать, отец, опекун или родитель", choices=tuple(RELATION_RU.values())
        ),
    ),
}
KIND_OF_SHEET: dict[str, RecordKind] = {
    SUBJECTS: RecordKind.SUBJECT,
    PERIODS: RecordKind.PERIOD,
    CLASSES: RecordKind.CLASS,
    PEOPLE: RecordKind.PERSON,
    ENROLLMENTS: RecordKind.ENROLLMENT,
    PARENTS: RecordKind.PARENT_LINK,
}

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_DATE_FORMAT = "DD.MM.YYYY"


# --- writing --------------------------------------------------------------------------------------------


def write_template(path: Path, snapshot: SchoolSnapshot | None = None) -> dict[str, int]:
    """Writes the template (empty, or filled from `snapshot`) and returns the number of data rows per sheet.
    Filled, it holds personal data: readable by its owner only. Every value is a text cell, never a formula."""
    wb = Workbook()
    intro = wb.active
    assert intro is not None  # a new workbook always has one sheet
    intro.title = INSTRUCTIONS
    _instructions(intro)
    rows = _rows(snapshot) if snapshot is not None else {}
    counts: dict[str, int] = {}
    school_ws = wb.create_sheet(SCHOOL)
    _school_sheet(school_ws, snapshot.school if snapshot else None)
    for title, columns in SHEETS.items():
        ws = wb.create_sheet(title)
        _header(ws, columns)
        data = rows.get(title, [])
        for values in data:
            ws.append([text_cell(ws, value) for value in values])
        _formats(ws, columns, len(data))
        counts[title] = len(data)
    if snapshot is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
    else:
        with private_file(path, FileKind.OPERATOR) as stream:
            wb.save(stream)
    return counts


def _instructions(ws: Worksheet) -> None:
    lines = [
        "Шаблон списков школы для edugateway",
        "",
        "1. Заполните лист «Школа» и листы с данными; первая строка каждого листа — заголовки, не меняйте их.",
        "   Наведите мышь на заголовок: в примечании сказано, что писать, и дан пример. Столбцы со * обязательны.",
        "2. ID — постоянные коды записей в вашей системе. Не меняйте ID при следующих загрузках:",
        "   по ним edugateway узнаёт, что запись уже есть.",
        "3. Заполненный лист заменяет весь список этого вида: кого нет на листе, тот станет неактивным.",
        "   Пустой или удалённый лист ничего не меняет.",
        "4. Даты — в виде 01.09.2026; СНИЛС — в виде 112-233-445 95.",
        "5. Загрузка: edugateway import xlsx ФАЙЛ --school КОД. Строки с ошибками не загружаются,",
        "   остальные загружаются; список ошибок с листом, строкой и столбцом выводится и сохраняется рядом.",
    ]
    for line in lines:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110


def _school_sheet(ws: Worksheet, school: School | None) -> None:
    ws.append(["Поле", "Значение"])
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for label, key, note in SCHOOL_FIELDS:
        value = getattr(school, key) if school is not None else None
        ws.append([label, text_cell(ws, value)])
        ws.cell(ws.max_row, 1).comment = Comment(note, "edugateway")
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 2).number_format = "@"  # ИНН and ОГРН keep their leading zeros


def _header(ws: Worksheet, columns: tuple[Column, ...]) -> None:
    ws.append([c.header + (" *" if c.required else "") for c in columns])
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(1, i)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        note = col.note + (" (обязательно)" if col.required else "")
        cell.comment = Comment(note, "edugateway", width=260, height=90)
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"


def _formats(ws: Worksheet, columns: tuple[Column, ...], rows: int) -> None:
    """Text format for id and SNILS columns (Excel would drop leading zeros), date format, drop-down lists."""
    last = max(rows + 1, 1000)
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        if col.kind in ("text", "date"):
            fmt = _DATE_FORMAT if col.kind == "date" else "@"
            # The column style covers the rows a clerk adds; the written cells get it too. Formatting empty
            # cells one by one would make them rows, and a file of 1000 blank rows.
            ws.column_dimensions[letter].number_format = fmt
            for row in range(2, rows + 2):
                ws.cell(row, i).number_format = fmt
        if col.choices:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(col.choices) + '"',
                allow_blank=not col.required,
                errorStyle="warning",  # several roles «ученик, родитель» are allowed, so only warn
                error="Выберите значение из списка: " + ", ".join(col.choices),
                showErrorMessage=True,
            )
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)


def _rows(s: SchoolSnapshot) -> dict[str, list[list[Any]]]:
    enrollment_ids = {e.id for e in s.enrollments}
    return {
        SUBJECTS: [[x.id, x.name, x.code] for x in s.subjects],
        PERIODS: [[p.id, p.name, KIND_RU[p.kind], p.academic_year, p.start_date, p.end_date] for p in s.periods],
        CLASSES: [[c.id, c.name, c.grade, c.academic_year, c.parent_id, c.subject_id] for c in s.classes],
        PEOPLE: [
            [
                p.id,
                ", ".join(ROLE_RU[r] for r in (Role.STUDENT, Role.TEACHER, Role.STAFF, Role.PARENT) if r in p.roles),
                p.last_name,
                p.first_name,
                p.middle_name,
                p.birth_date,
                GENDER_RU[p.gender] if p.gender else None,
                format_snils(p.snils) if p.snils else p.snils_rejected,
                p.email,
                p.phone,
            ]
            for p in s.persons
        ],
        ENROLLMENTS: [
            [
                e.person_id,
                e.class_id,
                ENROLL_RU[e.role],
                e.start_date,
                e.end_date,
                None
                if derived_enrollment_id(e.person_id, e.class_id, e.role) == e.id or e.id not in enrollment_ids
                else e.id,
            ]
            for e in s.enrollments
        ],
        PARENTS: [
            [link.parent_id, link.child_id, RELATION_RU.get(link.relation, link.relation)] for link in s.parent_links
        ],
    }


def derived_enrollment_id(person_id: str, class_id: str, role: EnrollmentRole) -> str:
    """The id of an enrollment row without «ID записи»: stable, so a re-import matches it."""
    sid = f"{person_id}@{class_id}" + ("#teacher" if role is EnrollmentRole.TEACHER else "")
    if len(sid) <= 128:
        return sid
    return "xlsx-" + hashlib.sha256(sid.encode()).hexdigest()[:40]


# --- reading --------------------------------------------------------------------------------------------


def read_xlsx(path: Path, limits: ImportLimits | None = None) -> ParsedRoster:
    """Parses a filled template. Rows that cannot become records are reported as "FILE.xlsx:Лист", row number
    and a reason that names the column. A file that is no workbook, is broken, or is larger than `limits` (see
    xlsx_archive.py) is refused whole with a ValidationError."""
    check_xlsx_archive(path, limits or ImportLimits())
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            return _XlsxReader(path, wb).read()
        finally:
            wb.close()
    # What openpyxl raises on a broken workbook, while opening it and while reading a sheet lazily: a missing
    # part (KeyError), XML that does not parse (SyntaxError: ElementTree's ParseError, lxml's XMLSyntaxError),
    # a part that fails its CRC or does not inflate, a value of the wrong type in a cell's markup.
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        KeyError,
        ValueError,
        TypeError,
        SyntaxError,
    ) as exc:
        raise ValidationError(
            f"{path} is not a readable .xlsx workbook ({_broken(exc)}); save it from Excel as «Книга Excel (.xlsx)»"
        ) from None


def _broken(exc: BaseException) -> str:
    """What is wrong, in one line without the workbook's contents (a cell's value may be personal data)."""
    if isinstance(exc, KeyError):
        return f"a part is missing: {exc.args[0]}" if exc.args else "a part is missing"
    if isinstance(exc, SyntaxError):
        return f"broken XML: {str(exc).splitlines()[0][:120]}"
    text = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _date(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date; write it as 01.09.2026")


def _int(value: Any) -> int:
    text = _text(value)
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


class _RowError(Exception):
    """A cell that cannot be read: the column it is in and why."""


class _XlsxReader:
    def __init__(self, path: Path, wb: Any) -> None:
        self.path = path
        self.wb = wb
        self.roster = ParsedRoster(source="xlsx", location=str(path), derived_enrollment_ids=True)
        self.first: dict[tuple[str, str], int] = {}  # (sheet, id) -> the row that used the id first

    def where(self, sheet: str) -> str:
        return f"{self.path.name}:{sheet}"

    def reject(self, sheet: str, row: int, reason: str) -> None:
        self.roster.rejected.append(RowProblem(self.where(sheet), row, reason))

    def warn(self, sheet: str, row: int, reason: str) -> None:
        self.roster.warnings.append(RowProblem(self.where(sheet), row, reason))

    def read(self) -> ParsedRoster:
        known = {INSTRUCTIONS, SCHOOL, *SHEETS}
        for name in self.wb.sheetnames:
            if name not in known:
                self.warn(name, 0, f"sheet «{name}» is not part of the template ({', '.join(SHEETS)}); it was ignored")
        if not any(name in self.wb.sheetnames for name in (SCHOOL, *SHEETS)):
            raise ValidationError(
                f"{self.path} has none of the template's sheets ({SCHOOL}, {', '.join(SHEETS)}); "
                "start from `edugateway template xlsx`"
            )
        self.read_school()
        self.read_sheet(SUBJECTS, self.subject)
        self.read_sheet(PERIODS, self.period)
        self.read_sheet(CLASSES, self.school_class)
        self.read_sheet(PEOPLE, self.person)
        self.read_sheet(ENROLLMENTS, self.enrollment)
        self.read_sheet(PARENTS, self.parent_link)
        return self.roster

    def read_school(self) -> None:
        if SCHOOL not in self.wb.sheetnames:
            return
        values: dict[str, str] = {}
        labels = {label.lower(): key for label, key, _ in SCHOOL_FIELDS}
        line_of: dict[str, int] = {}
        for n, row in enumerate(self.wb[SCHOOL].iter_rows(values_only=True), start=1):
            if n == 1 or not row or row[0] is None:
                continue
            key = labels.get(_text(row[0]).lower().rstrip(" *"))
            if key is None:
                self.warn(SCHOOL, n, f"«{_text(row[0])}» is not a field of the school sheet; ignored")
                continue
            values[key] = _text(row[1]) if len(row) > 1 else ""
            line_of[key] = n
        if looks_like_formula(values.get("name", "")):
            self.reject(
                SCHOOL,
                line_of["name"],
                formula_refusal("«Полное наименование»", values["name"]) + "; the school was not updated",
            )
            return
        if not values.get("name"):
            if any(values.values()):
                self.reject(
                    SCHOOL, line_of.get("name", 2), "«Полное наименование» is empty; the school was not updated"
                )
            return
        try:
            self.roster.school = School(
                code=values.get("code") or "xlsx",
                name=values["name"],
                inn=values.get("inn") or None,
                ogrn=values.get("ogrn") or None,
                timezone=values.get("timezone") or "Europe/Moscow",
            )
        except pydantic.ValidationError as exc:
            for err in exc.errors():
                key = str(err["loc"][0]) if err["loc"] else "name"
                label = next((lbl for lbl, k, _ in SCHOOL_FIELDS if k == key), key)
                msg = str(err["msg"]).removeprefix("Value error, ")
                self.reject(SCHOOL, line_of.get(key, 2), f"«{label}»: {msg}; the school was not updated")

    def read_sheet(self, sheet: str, build: Callable[[dict[str, Any], str, int], None]) -> None:
        kind = KIND_OF_SHEET[sheet]
        if sheet not in self.wb.sheetnames:
            return
        columns = SHEETS[sheet]
        rows = self.wb[sheet].iter_rows(values_only=True)
        header = next(rows, None)
        names = [_text(h).rstrip(" *").strip().lower() for h in (header or ())]
        index: dict[str, int] = {}
        for col in columns:
            if col.header.lower() in names:
                index[col.key] = names.index(col.header.lower())
        missing = [c.header for c in columns if c.required and c.key not in index]
        if missing:
            self.reject(
                sheet,
                1,
                f"the header row lacks the column(s) {', '.join('«' + m + '»' for m in missing)}; nothing on this "
                "sheet was imported. Copy the header row from a fresh template",
            )
            return
        unknown = [n for n in names if n and n not in {c.header.lower() for c in columns}]
        if unknown:
            self.warn(sheet, 1, f"column(s) {', '.join(unknown)} are not template columns; ignored")
        count = 0
        for n, raw in _data_rows(rows):
            count += 1
            values = {key: raw[i] if i < len(raw) else None for key, i in index.items()}
            sid = _text(values.get("id"))
            if sid:
                self.roster.seen(kind, sid)
            try:
                self.required(columns, values)
                build(values, sheet, n)
            except _RowError as exc:
                self.reject(sheet, n, str(exc))
        if count:
            self.roster.modes[kind] = Mode.BULK
        else:
            self.warn(sheet, 1, f"sheet «{sheet}» has no rows; the stored records of this kind were left as they are")

    @staticmethod
    def required(columns: tuple[Column, ...], values: dict[str, Any]) -> None:
        empty = [c.header for c in columns if c.required and not _text(values.get(c.key))]
        if empty:
            raise _RowError(f"column(s) {', '.join('«' + e + '»' for e in empty)} are empty; fill them")

    @staticmethod
    def name(column: str, value: Any) -> str:
        """A name as text; one a spreadsheet would run as a formula is refused, since it goes into every report."""
        text = _text(value)
        if looks_like_formula(text):
            raise _RowError(formula_refusal(f"column «{column}»", text))
        return text

    @staticmethod
    def cell(column: str, parse: Callable[[Any], Any], value: Any) -> Any:
        try:
            return parse(value)
        except ValueError as exc:
            raise _RowError(f"column «{column}»: {exc}") from None

    @staticmethod
    def model(sheet: str, make: Callable[[], Any]) -> Any:
        try:
            return make()
        except pydantic.ValidationError as exc:
            headers = {c.key: c.header for c in SHEETS[sheet]}
            parts = []
            for err in exc.errors():
                key = ".".join(str(x) for x in err["loc"])
                msg = str(err["msg"]).removeprefix("Value error, ")
                parts.append(f"column «{headers[key]}»: {msg}" if key in headers else msg)
            raise _RowError("; ".join(parts)) from None

    # --- builders: one sheet row -> one record -------------------------------------------------------

    def first_row(self, sheet: str, sid: str, line: int) -> None:
        if (sheet, sid) in self.first:
            raise _RowError(f"ID {sid!r} already appears in row {self.first[(sheet, sid)]}; the first row was used")
        self.first[(sheet, sid)] = line

    def subject(self, v: dict[str, Any], sheet: str, line: int) -> None:
        sid = _text(v["id"])
        self.first_row(sheet, sid, line)
        name = self.name("Название", v["name"])
        record = self.model(sheet, lambda: Subject(id=sid, name=name, code=_text(v.get("code")) or None))
        self.roster.subjects.append(Incoming(record, self.where(sheet), line))

    def period(self, v: dict[str, Any], sheet: str, line: int) -> None:
        sid = _text(v["id"])
        self.first_row(sheet, sid, line)
        kind = KIND_IN.get(_text(v["kind"]).lower())
        if kind is None:
            raise _RowError(f"column «Вид»: {_text(v['kind'])!r} is not one of {', '.join(KIND_RU.values())}")
        name = self.name("Название", v["name"])
        year = self.cell("Учебный год", _int, v["academic_year"])
        start = self.cell("Начало", _date, v["start_date"])
        end = self.cell("Окончание", _date, v["end_date"])
        record = self.model(
            sheet,
            lambda: ReportingPeriod(id=sid, name=name, kind=kind, academic_year=year, start_date=start, end_date=end),
        )
        self.roster.periods.append(Incoming(record, self.where(sheet), line))

    def school_class(self, v: dict[str, Any], sheet: str, line: int) -> None:
        sid = _text(v["id"])
        self.first_row(sheet, sid, line)
        name = self.name("Название", v["name"])
        grade = self.cell("Параллель", _int, v["grade"])
        year = self.cell("Учебный год", _int, v["academic_year"])
        record = self.model(
            sheet,
            lambda: SchoolClass(
                id=sid,
                name=name,
                grade=grade,
                academic_year=year,
                parent_id=_text(v.get("parent_id")) or None,
                subject_id=_text(v.get("subject_id")) or None,
            ),
        )
        self.roster.classes.append(Incoming(record, self.where(sheet), line))

    def person(self, v: dict[str, Any], sheet: str, line: int) -> None:
        sid = _text(v["id"])
        self.first_row(sheet, sid, line)
        roles = set()
        for word in re.split(r"[,;/]", _text(v["roles"]).lower()):
            if not word.strip():
                continue
            role = ROLE_IN.get(word.strip())
            if role is None:
                raise _RowError(f"column «Роли»: {word.strip()!r} is not one of {', '.join(ROLE_RU.values())}")
            roles.add(role)
        gender_text = _text(v.get("gender")).lower()
        gender = GENDER_IN.get(gender_text) if gender_text else None
        if gender_text and gender is None:
            raise _RowError(f"column «Пол»: {_text(v.get('gender'))!r} is not М or Ж")
        last_name = self.name("Фамилия", v["last_name"])
        first_name = self.name("Имя", v["first_name"])
        middle_name = self.name("Отчество", v.get("middle_name")) or None
        birth = self.cell("Дата рождения", _date, v.get("birth_date"))
        snils, rejected, raw = self.snils(v.get("snils"), sid, sheet, line)
        record = self.model(
            sheet,
            lambda: Person(
                id=sid,
                roles=frozenset(roles),
                last_name=last_name,
                first_name=first_name,
                middle_name=middle_name,
                birth_date=birth,
                gender=gender,
                snils=snils,
                snils_rejected=rejected,
                email=_text(v.get("email")) or None,
                phone=_text(v.get("phone")) or None,
            ),
        )
        self.roster.persons.append(Incoming(record, self.where(sheet), line, raw_snils=raw))

    def snils(self, value: Any, sid: str, sheet: str, line: int) -> tuple[str | None, str | None, str | None]:
        text = _text(value)
        if isinstance(value, int | float) and text.isdigit():
            text = text.zfill(11)  # Excel stored the number as a number and dropped the leading zeros
        if not text:
            return None, None, None
        verdict = check_snils(text)
        if verdict.valid and verdict.digits:
            return verdict.digits, None, text
        self.warn(
            sheet,
            line,
            f"person {sid!r}, column «СНИЛС»: {verdict.message}; imported without СНИЛС, the value is kept for "
            "the records clerk",
        )
        return None, text, None

    def enrollment(self, v: dict[str, Any], sheet: str, line: int) -> None:
        role = ENROLL_IN.get(_text(v["role"]).lower())
        if role is None:
            raise _RowError(f"column «Роль в классе»: {_text(v['role'])!r} is not ученик or учитель")
        person, cls = _text(v["person_id"]), _text(v["class_id"])
        sid = _text(v.get("id")) or derived_enrollment_id(person, cls, role)
        self.first_row(sheet, sid, line)
        start = self.cell("Дата начала", _date, v.get("start_date"))
        end = self.cell("Дата окончания", _date, v.get("end_date"))
        record = self.model(
            sheet,
            lambda: Enrollment(id=sid, person_id=person, class_id=cls, role=role, start_date=start, end_date=end),
        )
        self.roster.seen(RecordKind.ENROLLMENT, sid)
        self.roster.enrollments.append(Incoming(record, self.where(sheet), line))

    def parent_link(self, v: dict[str, Any], sheet: str, line: int) -> None:
        relation_text = _text(v.get("relation"))
        relation = RELATION_IN.get(relation_text.lower(), relation_text) or "parent"
        parent, child = _text(v["parent_id"]), _text(v["child_id"])
        self.first_row(sheet, f"{parent}>{child}", line)
        record = self.model(sheet, lambda: ParentLink(parent_id=parent, child_id=child, relation=relation))
        self.roster.parent_links.append(Incoming(record, self.where(sheet), line))


def _data_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for n, row in enumerate(rows, start=2):
        if any(_text(v) for v in row):
            yield n, row
