"""Parsing and checking one edu-upload CSV file: encoding, separator, header, then every row.

File-level faults (not UTF-8, not `;`-separated, unknown or missing columns) refuse the file at line 0 or 1;
row faults are collected for every row, so one answer lists everything a clerk has to fix. Messages name
the line and column, never the value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from edugateway.domain.snils import check_snils
from edugateway.emulators.ecp.errors import RowError
from edugateway.emulators.ecp.upload_tables import RELATIONS, Column, Format, UploadTable

Row = dict[str, str]
Key = tuple[str, ...]

_BOM = "\ufeff"
_NAME = re.compile(r"^[А-ЯЁа-яё]+(?:[ \-'][А-ЯЁа-яё]+)*$")
_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_CLASS = re.compile(r"^(?:[1-9]|1[01])[А-ЯЁ]$")
_PHONE = re.compile(r"^\+7\d{10}$")
_EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$")
_OGRN = re.compile(r"^\d{13}$")


@dataclass
class ParsedFile:
    """The rows of one file that passed, keyed by the table's key, and the reasons for those that did not."""

    table: UploadTable
    file: str
    rows: dict[Key, Row] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def decode(raw: bytes, file: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _file_error(file, f"файл не в кодировке UTF-8 (байт {exc.start + 1})") from exc
    return text.removeprefix(_BOM)  # Excel's "CSV UTF-8" starts with a BOM; it is still UTF-8


def parse_file(table: UploadTable, raw: bytes, file: str, *, deleting: bool) -> ParsedFile:
    """Raises FileRejected for a file that cannot be read at all; otherwise returns rows and row errors."""
    text = decode(raw, file)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise _file_error(file, "файл пуст: ожидалась строка заголовка")
    # A one-column file (a delete by student_id) has no separator at all; another separator is a mistake.
    separator = next((s for s in (",", "\t", "|") if s in lines[0]), None)
    if ";" not in lines[0] and separator:
        raise _file_error(file, f"разделитель полей — точка с запятой ';' (найден {separator!r})", line=1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    try:
        header = [h.strip() for h in next(reader)]
        parsed = ParsedFile(table, file)
        _check_header(table, header, file, deleting)
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            row, errors = _check_row(table, header, values, file, line, deleting)
            key = tuple(row.get(k, "") for k in table.key)
            if not errors and key in parsed.rows:
                errors = [RowError(file, line, ",".join(table.key), "строка с этим ключом уже есть в файле")]
            if errors:
                parsed.errors += errors
            else:
                parsed.rows[key] = row
    except csv.Error as exc:
        raise _file_error(file, f"CSV не разобран: {exc}", line=reader.line_num) from exc
    return parsed


class FileRejected(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def _file_error(file: str, message: str, *, line: int = 0, column: str | None = None) -> FileRejected:
    return FileRejected(RowError(file, line, column, message))


def _check_header(table: UploadTable, header: list[str], file: str, deleting: bool) -> None:
    unknown = [h for h in header if h not in table.column_names]
    if unknown:
        raise _file_error(
            file,
            f"неизвестные столбцы {', '.join(unknown)}; таблица {table.name}: {';'.join(table.column_names)}",
            line=1,
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise _file_error(file, f"столбцы повторяются: {', '.join(duplicated)}", line=1)
    missing = [c for c in table.required_for(deleting) if c not in header]
    if missing:
        raise _file_error(file, f"нет обязательных столбцов: {', '.join(missing)}", line=1)


def _check_row(
    table: UploadTable, header: list[str], values: list[str], file: str, line: int, deleting: bool
) -> tuple[Row, list[RowError]]:
    if len(values) != len(header):
        return {}, [RowError(file, line, None, f"в строке {len(values)} полей, в заголовке {len(header)}")]
    row: Row = {}
    errors: list[RowError] = []
    required = set(table.required_for(deleting))
    for name, raw in zip(header, values, strict=True):
        value = raw.strip()
        column = table.column(name)
        if not value:
            if name in required:
                errors.append(RowError(file, line, name, "обязательное поле не заполнено"))
            continue
        problem = _check_value(column, value)
        if problem:
            errors.append(RowError(file, line, name, problem))
        else:
            row[name] = _canonical(column, value)
    return row, errors


def _check_value(column: Column, value: str) -> str | None:
    if len(value) > column.max_length:
        return f"длиннее {column.max_length} символов"
    checks: dict[Format, Callable[[str], str | None]] = {
        Format.NAME: lambda v: None if _NAME.match(v) else "допустимы кириллица, пробел, дефис и апостроф",
        Format.DATE: _check_date,
        Format.SNILS: lambda v: None if check_snils(v).valid else f"СНИЛС неверен: {check_snils(v).problem}",
        Format.GENDER: lambda v: None if v in ("M", "F") else "пол — M или F",
        Format.OGRN: lambda v: None if _OGRN.match(v) else "ОГРН — 13 цифр",
        Format.CLASS: lambda v: None if _CLASS.match(v) else "класс — номер 1–11 и буква, например 5А",
        Format.RELATION: lambda v: (
            None if v in RELATIONS else f"степень родства — одно из {', '.join(sorted(RELATIONS))}"
        ),
        Format.PHONE: lambda v: None if _PHONE.match(v) else "телефон в виде +7XXXXXXXXXX",
        Format.EMAIL: lambda v: None if _EMAIL.match(v) else "адрес электронной почты неверен",
    }
    check = checks.get(column.format)
    return check(value) if check else None


def _check_date(value: str) -> str | None:
    match = _DATE.match(value)
    if not match:
        return "дата в виде ДД.ММ.ГГГГ"
    day, month, year = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return "такой даты нет"
    if not 1900 <= date.year <= 2100:
        return "год вне 1900–2100"
    return None


def _canonical(column: Column, value: str) -> str:
    """SNILS is stored as its 11 digits whatever form was sent, so a delete matches an upload."""
    if column.format is Format.SNILS:
        digits = check_snils(value).digits
        return digits or value
    return value
