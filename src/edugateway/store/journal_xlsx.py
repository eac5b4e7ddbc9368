"""The journal layout as one XLSX workbook: the template a school fills (`edugateway template journal`) and its
reader into a ParsedJournal.

Sheets «Уроки», «Оценки», «Итоговые», «Посещаемость» (columns in journal_layout.py) and «Инструкция»; with a
school, the template also holds «Справочник»: the school's class, subject, period and teacher ids to copy from.
A sheet with data rows holds every record of its kind for the classes and dates it covers (bulk); a missing or
empty sheet leaves that kind alone. Problems name the file and sheet, the row and the column.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from edugateway.domain.models import Role
from edugateway.domain.snapshot import SchoolSnapshot
from edugateway.errors import ValidationError
from edugateway.private_files import FileKind, private_file
from edugateway.spreadsheet_text import text_cell
from edugateway.store.cell_text import cell_text as text
from edugateway.store.import_limits import ImportLimits
from edugateway.store.journal_layout import INSTRUCTIONS, LAYOUT, SHEET_OF, YEAR_WORD, JournalColumn, header_index
from edugateway.store.journal_rows import JournalRows
from edugateway.store.journal_set import JournalKind, ParsedJournal
from edugateway.store.roster import Mode, RowProblem
from edugateway.store.xlsx_archive import check_xlsx_archive

LISTS = "Справочник"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

_INSTRUCTIONS = (
    "Шаблон журнала школы для edugateway",
    "",
    "1. Листы «Уроки», «Оценки», «Итоговые», «Посещаемость»: первая строка — заголовки, не меняйте их.",
    "   Наведите мышь на заголовок: в примечании сказано, что писать. Столбцы со * обязательны.",
    "2. ID класса, предмета, ученика, учителя и периода — те же, что в списках школы (import xlsx / oneroster);",
    f"   их перечень — на листе «{LISTS}», если шаблон сделан с --school.",
    "3. Урок без ID узнаётся по классу, предмету, дате и номеру; оценка и посещаемость указывают урок его ID",
    "   или классом, предметом, датой и номером урока.",
    "4. Заполненный лист содержит все записи своего вида за те дни и классы, что в нём есть: запись журнала",
    "   школы, которой нет на листе, удаляется (записи, полученные с платформ, не трогаются). Пустой лист ничего",
    "   не меняет. «да» в столбце «Удалить» удаляет одну запись.",
    f"5. Итоговые: ID периода из списков или «{YEAR_WORD}» для годовой; оценки 1–5, Н/А, ОСВ, зачёт, незачёт.",
    "6. Посещаемость: Н — без уважительной причины, У — по уважительной, Б — по болезни, ОП — опоздание.",
    "7. Загрузка: edugateway import journal ФАЙЛ --school КОД. Строки с ошибками не загружаются, остальные",
    "   загружаются; список ошибок с листом, строкой и столбцом выводится и сохраняется рядом с файлом.",
)


def write_journal_template(path: Path, snapshot: SchoolSnapshot | None = None) -> None:
    """Writes the empty journal template; with `snapshot`, a «Справочник» sheet of the school's ids (with the
    teachers' names, so the file is readable by its owner only)."""
    wb = Workbook()
    intro = wb.active
    assert intro is not None  # a new workbook always has one sheet
    intro.title = INSTRUCTIONS
    for line in _INSTRUCTIONS:
        intro.append([line])
    intro["A1"].font = Font(bold=True, size=14)
    intro.column_dimensions["A"].width = 110
    for kind, columns in LAYOUT.items():
        _sheet(wb.create_sheet(SHEET_OF[kind]), columns)
    if snapshot is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)
        return
    _lists(wb.create_sheet(LISTS), snapshot)
    with private_file(path, FileKind.OPERATOR) as stream:
        wb.save(stream)


def _sheet(ws: Worksheet, columns: tuple[JournalColumn, ...]) -> None:
    ws.append([c.header + (" *" if c.required else "") for c in columns])
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(1, i)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(col.note + (" (обязательно)" if col.required else ""), "edugateway", width=260)
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = col.width
        # Ids stay text (Excel drops leading zeros of numbers); dates show as a Russian clerk writes them.
        ws.column_dimensions[letter].number_format = {"date": "DD.MM.YYYY", "int": "0"}.get(col.kind, "@")
        if col.choices:
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(col.choices) + '"',
                allow_blank=True,
                errorStyle="warning",
                error="Выберите значение из списка: " + ", ".join(col.choices),
                showErrorMessage=True,
            )
            dv.add(f"{letter}2:{letter}5000")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def _lists(ws: Worksheet, s: SchoolSnapshot) -> None:
    """The school's ids in four blocks of columns: classes, subjects, periods, teachers."""
    blocks: list[tuple[str, list[tuple[str, str]]]] = [
        ("ID класса", [(c.id, c.name) for c in s.classes]),
        ("ID предмета", [(x.id, x.name) for x in s.subjects]),
        ("ID периода", [(p.id, p.name) for p in s.periods]),
        ("ID учителя", [(p.id, p.full_name) for p in s.persons if Role.TEACHER in p.roles]),
    ]
    for b, (title, rows) in enumerate(blocks):
        col = 1 + b * 3
        for c, label in ((col, title), (col + 1, "Название")):
            cell = ws.cell(1, c, label)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        for r, (sid, name) in enumerate(rows, start=2):
            ws.cell(r, col, text_cell(ws, sid)).number_format = "@"
            ws.cell(r, col + 1, text_cell(ws, name))
        ws.column_dimensions[get_column_letter(col)].width = 20
        ws.column_dimensions[get_column_letter(col + 1)].width = 30
    ws.freeze_panes = "A2"


# --- reading --------------------------------------------------------------------------------------------


def read_journal_xlsx(path: Path, limits: ImportLimits | None = None) -> ParsedJournal:
    """Reads a filled journal template. A file that is no workbook, is broken, is over `limits`, or has none of
    the journal's sheets is refused whole with one line (ValidationError)."""
    check_xlsx_archive(path, limits or ImportLimits())
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            return _read(path, wb)
        finally:
            wb.close()
    # What openpyxl raises on a broken workbook (see xlsx_roster.read_xlsx): refused in one line, never a trace.
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
            f"{path} is not a readable .xlsx workbook ({type(exc).__name__}); "
            "save it from Excel as «Книга Excel (.xlsx)»"
        ) from None


def _read(path: Path, wb: Any) -> ParsedJournal:
    journal = ParsedJournal(source="journal-xlsx", location=str(path))
    sheets = [SHEET_OF[kind] for kind in LAYOUT]
    if not any(name in wb.sheetnames for name in sheets):
        raise ValidationError(
            f"{path} is not a journal workbook: it has none of the sheets {', '.join(sheets)}; start from "
            "`edugateway template journal`"
        )
    for name in wb.sheetnames:
        if name not in {INSTRUCTIONS, LISTS, *sheets}:
            journal.warnings.append(
                RowProblem(f"{path.name}:{name}", 0, f"sheet «{name}» is not part of the journal layout; ignored")
            )
    for kind in LAYOUT:
        if SHEET_OF[kind] in wb.sheetnames:
            _read_sheet(journal, kind, f"{path.name}:{SHEET_OF[kind]}", wb[SHEET_OF[kind]].iter_rows(values_only=True))
    return journal


def _read_sheet(journal: ParsedJournal, kind: JournalKind, where: str, rows: Iterator[tuple[Any, ...]]) -> None:
    header = [text(h) for h in (next(rows, None) or ())]
    index, unknown = header_index(kind, header)
    missing = [c.header for c in LAYOUT[kind] if c.required and c.key not in index]
    if missing:
        journal.rejected.append(
            RowProblem(
                where,
                1,
                f"the header row lacks the column(s) {', '.join('«' + m + '»' for m in missing)}; nothing on this "
                "sheet was imported. Copy the header row from a fresh `edugateway template journal`",
            )
        )
        return
    if unknown:
        journal.warnings.append(RowProblem(where, 1, f"column(s) {', '.join(unknown)} are not layout columns; ignored"))
    reader = JournalRows(journal, kind, where)
    count = 0
    for line, raw in enumerate(rows, start=2):
        if not any(text(v) for v in raw):
            continue
        count += 1
        reader.add({key: raw[i] if i < len(raw) else None for key, i in index.items()}, line)
    if count:
        journal.modes[kind] = Mode.BULK
    else:
        journal.warnings.append(
            RowProblem(where, 1, "the sheet has no rows; the stored records of this kind were left alone")
        )
