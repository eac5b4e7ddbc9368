"""The rows of a table exported by another system: a CSV file in any of the encodings and delimiters Excel
writes (detected, or set by the mapping), or the first (or named) sheet of an XLSX workbook.

Encoding: the project's `csvfiles.detect_encoding` (BOM, else UTF-8 when the whole file decodes, else
Windows-1251). It is exact for what Russian schools' systems write and deterministic; a statistical guesser
(charset-normalizer) may take a short Cyrillic file for KOI8-R or MacCyrillic, and the import must not guess
differently from one run to the next. Delimiter: csv.Sniffer over the header line with «;», «,» and tab.
"""

from __future__ import annotations

import csv
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from edugateway.errors import ValidationError
from edugateway.store.cell_text import cell_text as text
from edugateway.store.csvfiles import _next_record, detect_encoding
from edugateway.store.import_limits import ImportLimits
from edugateway.store.roster import RowProblem
from edugateway.store.table_mapping import SourceSection
from edugateway.store.xlsx_archive import check_xlsx_archive

DELIMITER_NAMES = {";": "«;»", ",": "«,»", "\t": "tab"}


@dataclass
class Table:
    """A table's header and data rows (line or row number, column title -> raw cell), with how it was read."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only
    detected: list[str] = field(default_factory=list)  # what was detected rather than set, for the report
    rejected: list[RowProblem] = field(default_factory=list)  # CSV rows with the wrong number of fields

    def describe(self) -> str:
        if self.encoding is None:
            return f"{self.file} read as an XLSX workbook"
        how = f"{self.file} read as {self.encoding}, columns separated by {DELIMITER_NAMES[self.delimiter or ',']}"
        return how + (f" (detected: {', '.join(self.detected)})" if self.detected else "")


def read_rows(path: Path, source: SourceSection, limits: ImportLimits | None = None) -> Table:
    limits = limits or ImportLimits()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx(path, source, limits)
    return _csv(path, source, limits)


def detect_delimiter(header_line: str) -> str:
    """«;», «,» or tab: what csv.Sniffer finds in the header line, else the candidate it holds most of."""
    try:
        return csv.Sniffer().sniff(header_line, delimiters=";,\t").delimiter
    except csv.Error:
        pass  # a header Sniffer cannot decide on: the separator it holds most of
    counts = {d: header_line.count(d) for d in DELIMITER_NAMES}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise ValueError("its header line holds none of «;», «,» or tab, so its columns cannot be told apart")
    return best


def _csv(path: Path, source: SourceSection, limits: ImportLimits) -> Table:
    detected = []
    try:
        if source.encoding == "auto":
            encoding = detect_encoding(path, limits)
            detected.append("encoding")
        else:
            encoding = source.encoding
        with path.open(encoding=encoding, newline="") as fh:
            lines = [fh.readline() for _ in range(source.header_row)]
            header_line = lines[-1].rstrip("\r\n")
            if not header_line.strip():
                raise ValidationError(f"{path.name}: line {source.header_row} ([source] header_row) is empty")
            delimiter = source.delimiter_char
            if delimiter is None:
                try:
                    delimiter = detect_delimiter(header_line)
                except ValueError as exc:
                    raise ValidationError(f"{path.name}: {exc}; set [source] delimiter in the mapping") from None
                detected.append("delimiter")
            fh.seek(0)
            reader = csv.reader(fh, delimiter=delimiter)
            header: list[str] = []
            rows: list[tuple[int, dict[str, Any]]] = []
            rejected: list[RowProblem] = []
            skip = source.skip_rows
            while True:
                try:
                    fields = _next_record(reader, path.name, limits)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise ValidationError(
                        f"{path.name}:{reader.line_num}: not valid CSV ({exc}); fix that line"
                    ) from None
                if reader.line_num < source.header_row:
                    continue
                if not header:
                    header = [h.strip() for h in fields]
                    continue
                if skip:
                    skip -= 1
                    continue
                if not any(f.strip() for f in fields):
                    continue
                if len(fields) != len(header):
                    rejected.append(
                        RowProblem(
                            path.name,
                            reader.line_num,
                            f"the row has {len(fields)} fields but the header has {len(header)}; check the "
                            f"{DELIMITER_NAMES[delimiter]} separators and quotes",
                        )
                    )
                    continue
                rows.append((reader.line_num, dict(zip(header, fields, strict=True))))
    except UnicodeDecodeError:
        raise ValidationError(
            f'{path.name} is not {encoding} text; set [source] encoding to the file\'s (or "auto")'
        ) from None
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}; check it exists and may be read") from None
    return Table(path.name, header, rows, encoding, delimiter, detected, rejected)


def _xlsx(path: Path, source: SourceSection, limits: ImportLimits) -> Table:
    check_xlsx_archive(path, limits)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            if source.sheet is not None and source.sheet not in wb.sheetnames:
                raise ValidationError(
                    f"{path.name} has no sheet «{source.sheet}» ([source] sheet); it has {', '.join(wb.sheetnames)}"
                )
            ws = wb[source.sheet] if source.sheet is not None else wb.worksheets[0]
            header: list[str] = []
            rows: list[tuple[int, dict[str, Any]]] = []
            skip = source.skip_rows
            for n, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                if n < source.header_row:
                    continue
                if not header:
                    header = [text(c) for c in cells]
                    continue
                if skip:
                    skip -= 1
                    continue
                if any(text(c) for c in cells):
                    rows.append((n, dict(zip(header, cells, strict=False))))
        finally:
            wb.close()
    except (InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, KeyError, SyntaxError) as exc:
        raise ValidationError(
            f"{path} is not a readable .xlsx workbook ({type(exc).__name__}); "
            "save it from Excel as «Книга Excel (.xlsx)»"
        ) from None
    return Table(f"{path.name}:{ws.title}", header, rows)
